// The search logic of the reference server: A-number formats, name normalisation (accents, case,
// hyphenated and compound surnames), fuzzy matching, and parsing of natural-language queries in
// English and Spanish.
import { distance } from 'fastest-levenshtein';
import { COUNTRIES } from './dataset.ts';

/** The canonical form `A` + 9 digits of an A-number written any common way, or undefined. */
export function parseAlienNumber(input: string): string | undefined {
  const match = /^\s*a?\s*[-#.]?\s*((?:\d[\s.-]?){7,8}\d)\s*$/i.exec(input);
  if (!match?.[1]) return undefined;
  const digits = match[1].replace(/\D/g, '');
  if (digits.length < 8 || digits.length > 9) return undefined;
  return `A${digits.padStart(9, '0')}`;
}

/** Lowercase, without accents, hyphens and extra spaces: "Mbëzchen-Mbáxchorñath" → "mbezchen mbaxchornath". */
export function normaliseName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[-'’.]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Similarity 0..1 of two normalised names; a compound surname matches either of its parts well. */
export function nameSimilarity(query: string, candidate: string): number {
  const a = normaliseName(query);
  const b = normaliseName(candidate);
  if (!a || !b) return 0;
  const whole = 1 - distance(a, b) / Math.max(a.length, b.length);
  const parts = b.split(' ').map((part) => 1 - distance(a, part) / Math.max(a.length, part.length));
  return Math.max(whole, ...parts.map((score) => score * 0.95));
}

export type MatchType = 'exact' | 'fuzzy';

export const FUZZY_THRESHOLD = 0.8;

export function matchName(
  query: { first_name: string; last_name: string },
  candidate: { first_name: string; last_name: string },
  fuzzy: boolean,
): MatchType | undefined {
  const exact =
    normaliseName(query.first_name) === normaliseName(candidate.first_name) &&
    normaliseName(query.last_name) === normaliseName(candidate.last_name);
  if (exact) return 'exact';
  if (!fuzzy) return undefined;
  const score =
    (nameSimilarity(query.first_name, candidate.first_name) +
      nameSimilarity(query.last_name, candidate.last_name)) /
    2;
  return score >= FUZZY_THRESHOLD ? 'fuzzy' : undefined;
}

/** Month names in Spanish, January first, as people write dates of birth. */
export const SPANISH_MONTHS = [
  'enero',
  'febrero',
  'marzo',
  'abril',
  'mayo',
  'junio',
  'julio',
  'agosto',
  'septiembre',
  'octubre',
  'noviembre',
  'diciembre',
];

const MONTHS: Record<string, number> = {
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  may: 5,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
  enero: 1,
  febrero: 2,
  marzo: 3,
  abril: 4,
  mayo: 5,
  junio: 6,
  julio: 7,
  agosto: 8,
  septiembre: 9,
  setiembre: 9,
  octubre: 10,
  noviembre: 11,
  diciembre: 12,
};

const iso = (year: number, month: number, day: number) =>
  `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** A date of birth in ISO, US (MM/DD/YYYY), long English or long Spanish form, as ISO. */
export function parseDate(text: string): string | undefined {
  let m = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/.exec(text);
  if (m) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/.exec(text);
  if (m) return iso(Number(m[3]), Number(m[1]), Number(m[2]));
  m = /\b([a-z]+)\s+(\d{1,2}),?\s+(\d{4})\b/i.exec(text);
  if (m && MONTHS[m[1]?.toLowerCase() ?? ''])
    return iso(Number(m[3]), MONTHS[m[1]?.toLowerCase() ?? ''] ?? 0, Number(m[2]));
  m = /\b(\d{1,2})\s+de\s+([a-z]+)\s+(?:de\s+)?(\d{4})\b/i.exec(text);
  if (m && MONTHS[m[2]?.toLowerCase() ?? ''])
    return iso(Number(m[3]), MONTHS[m[2]?.toLowerCase() ?? ''] ?? 0, Number(m[1]));
  return undefined;
}

export interface ParsedQuery {
  language: 'en' | 'es';
  first_name?: string;
  last_name?: string;
  date_of_birth?: string;
  country_of_birth?: string;
  alien_number?: string;
}

const SPANISH = /\b(busco|mi|hermano|hermana|madre|padre|nacid[oa]|número|extranjero|de)\b/i;
const FILLER = new Set(
  'can you find please my brother sister mother father son daughter born in on the a an from dob a-number number busco a mi hermano hermana madre padre hijo hija nacido nacida el en de número extranjero por favor'.split(
    ' ',
  ),
);

/** Extracts what a person typed about who they look for; `undefined` fields were not understood. */
export function parseNaturalQuery(query: string): ParsedQuery {
  const language = SPANISH.test(query) ? 'es' : 'en';
  const parsed: ParsedQuery = { language };
  const alien = /\b(a?[-#\s]?\d{3}[-\s]?\d{3}[-\s]?\d{3})\b/i.exec(query)?.[1];
  if (alien) {
    const canonical = parseAlienNumber(alien);
    if (canonical) parsed.alien_number = canonical;
  }
  const date = parseDate(query);
  if (date) parsed.date_of_birth = date;
  const country = COUNTRIES.find((c) => normaliseName(query).includes(normaliseName(c)));
  if (country) parsed.country_of_birth = country;
  // "LAST, First" or the capitalised words that are not filler, dates or numbers.
  const comma = /([\p{Lu}][\p{L}'-]+(?:\s[\p{Lu}][\p{L}'-]+)?),\s*([\p{Lu}][\p{L}'-]+)/u.exec(query);
  if (comma?.[1] && comma[2]) {
    parsed.last_name = comma[1];
    parsed.first_name = comma[2];
    return parsed;
  }
  const words = (query.match(/[\p{L}][\p{L}'-]*/gu) ?? []).filter(
    (word) =>
      /^\p{Lu}/u.test(word) &&
      !FILLER.has(word.toLowerCase()) &&
      !MONTHS[word.toLowerCase()] &&
      !COUNTRIES.some((c) => normaliseName(c).split(' ').includes(normaliseName(word))),
  );
  const [first, last] = [words[0], words.at(-1)];
  if (words.length >= 2 && first && last) {
    parsed.first_name = first;
    parsed.last_name = last;
  }
  return parsed;
}
