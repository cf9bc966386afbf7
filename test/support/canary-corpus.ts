// The project's own canary corpus: a seeded generator of invented people in the format of the shared
// corpus (records, and needles matched as `text` or `digits`), written the ways people really write
// them: names with diacritics, particles, hyphens, in Latin, Cyrillic, Arabic and Han script, or plain
// ASCII; A-numbers and dates of birth in many formats; emails, phones, IPv4 and IPv6, OAuth subjects;
// and free-text requests in English and Spanish that embed them. Same seed and size, same corpus.
// Every value is invented from syllables, long enough that a needle never matches by chance.
import seedrandom from 'seedrandom';
import { SPANISH_MONTHS } from '../../examples/detainee-locator/matching.ts';
import type { CanaryCorpus, CanaryRecord, Needle } from './canaries.ts';

export const GENERATED_CORPUS_SEED = 'mcp-telemetry-kit canaries';
export const GENERATED_CORPUS_RECORDS = 200;

type Rng = () => number;

/** The generated records' ids, g0001 on; an external corpus's must be of another form. */
const generatedRecordId = (index: number) => `g${String(index + 1).padStart(4, '0')}`;
export const isGeneratedRecordId = (id: string) => /^g\d{4,}$/.test(id);

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** Syllable tables per writing style; names are 2 to 4 syllables of them. */
const STYLES = {
  diacritics: {
    onsets: ['zh', 'tl', 'ñ', 'mb', 'ch', 'qu', 'x', 'ts', 'gw', 'rh', 'y', 'v', 'k', 'pf'],
    vowels: ['á', 'é', 'í', 'ó', 'ú', 'ë', 'ä', 'ã', 'a', 'e', 'i', 'o', 'u'],
    codas: ['', 'n', 'tl', 'th', 'x', 'z', 'ñ', 'q', 'r'],
    minSyllables: 2,
  },
  ascii: {
    onsets: ['qu', 'zh', 'xh', 'tz', 'kv', 'vr', 'zr', 'dz', 'pf', 'gw'],
    vowels: ['a', 'e', 'i', 'o', 'u', 'y'],
    codas: ['', 'n', 'x', 'q', 'v', 'z', 'th'],
    minSyllables: 3,
  },
  cyrillic: {
    onsets: ['Ж', 'З', 'Ц', 'Ч', 'Ш', 'Щ', 'Х', 'Б', 'Д', 'Ф'].map((c) => c.toLowerCase()),
    vowels: ['а', 'е', 'и', 'о', 'у', 'ы', 'я', 'ю', 'э'],
    codas: ['', 'в', 'н', 'р', 'ск', 'ц'],
    minSyllables: 2,
  },
  arabic: {
    onsets: ['ز', 'ظ', 'غ', 'ق', 'ث', 'خ', 'ض', 'ص'],
    vowels: ['ا', 'و', 'ي'],
    codas: ['', 'ن', 'ر', 'ف'],
    minSyllables: 2,
  },
} as const;
type Style = keyof typeof STYLES;

/** Uncommon Han characters, two or three to a name part. */
const HAN = [...'鑫淼犇骉羴猋焱垚燚麤龘靐朤厵鱻赑劦茻沝芔'];

function namePart(rng: Rng, style: Style | 'han'): string {
  if (style === 'han') {
    const length = 2 + Math.floor(rng() * 2);
    return Array.from({ length }, () => pick(rng, HAN)).join('');
  }
  const { onsets, vowels, codas, minSyllables } = STYLES[style];
  const syllables = minSyllables + Math.floor(rng() * 2);
  let word = '';
  for (let i = 0; i < syllables; i++)
    word += pick(rng, onsets) + pick(rng, vowels) + (i === syllables - 1 ? pick(rng, codas) : '');
  return style === 'arabic' ? word : capitalise(word);
}

const PARTICLES = ['de', 'de la', 'del', 'van der', 'da', 'dos', 'bin', 'al-'];

/** A surname: one part, two with a hyphen or a space, or one after a particle. */
function surname(rng: Rng, style: Style | 'han'): { text: string; parts: string[] } {
  const shape = rng();
  const first = namePart(rng, style);
  if (style === 'han' || style === 'arabic') return { text: first, parts: [first] };
  if (shape < 0.2) {
    const second = namePart(rng, style);
    return { text: `${first}-${second}`, parts: [first, second] };
  }
  if (shape < 0.35) {
    const second = namePart(rng, style);
    return { text: `${first} ${second}`, parts: [first, second] };
  }
  if (shape < 0.5) {
    const particle = pick(rng, PARTICLES);
    return { text: particle.endsWith('-') ? `${particle}${first}` : `${particle} ${first}`, parts: [first] };
  }
  return { text: first, parts: [first] };
}

function styleOf(rng: Rng): Style | 'han' {
  const draw = rng();
  if (draw < 0.45) return 'diacritics';
  if (draw < 0.7) return 'ascii';
  if (draw < 0.82) return 'cyrillic';
  if (draw < 0.92) return 'arabic';
  return 'han';
}

export const ENGLISH_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The ways a date of birth is written: ISO, US, European, spelled out in English and Spanish, … */
function dateFormats(year: number, month: number, day: number): string[] {
  const dd = String(day).padStart(2, '0');
  const mm = String(month).padStart(2, '0');
  const en = ENGLISH_MONTHS[month - 1] ?? '';
  return [
    `${year}-${mm}-${dd}`,
    `${mm}/${dd}/${year}`,
    `${dd}/${mm}/${year}`,
    `${day} de ${SPANISH_MONTHS[month - 1]} de ${year}`,
    `${en} ${day}, ${year}`,
    `${dd}.${mm}.${year}`,
    `${day} ${en.slice(0, 3)} ${year}`,
  ];
}

/** The ways an A-number is written. */
function alienNumberFormats(digits: string): string[] {
  const [a, b, c] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
  return [`A${digits}`, `A-${a}-${b}-${c}`, digits, `A ${a} ${b} ${c}`, `a#${digits}`, `A${a}-${b}-${c}`];
}

/** Phone numbers in the formats people type: US with and without punctuation, Mexican, E.164. */
function phone(rng: Rng): string {
  const line = String(Math.floor(rng() * 10_000)).padStart(4, '0');
  const exchange = `01${String(Math.floor(rng() * 100)).padStart(2, '0')}`;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * 10)).join('');
  return pick(rng, [
    `+1 (555) ${exchange}-${line}`,
    `555-${exchange}-${line}`,
    `+1 555 ${exchange} ${line}`,
    `+52 55 ${digits(4)} ${digits(4)}`,
    `+1555${exchange}${line}`,
  ]);
}

/** Addresses from the documentation ranges (RFC 5737, RFC 3849): never anyone's. */
function ip(rng: Rng): string {
  const octet = () => 1 + Math.floor(rng() * 254);
  if (rng() < 0.3)
    return `2001:db8:${Math.floor(rng() * 0xffff).toString(16)}::${Math.floor(rng() * 0xffff).toString(16)}`;
  return `${pick(rng, ['192.0.2', '198.51.100', '203.0.113'])}.${octet()}`;
}

const hex = (rng: Rng, length: number) =>
  Array.from({ length }, () => Math.floor(rng() * 16).toString(16)).join('');

function queries(record: CanaryRecord, rng: Rng): string[] {
  const { detainee: d } = record;
  const full = [d.first_name, d.middle_name, d.last_name].filter(Boolean).join(' ');
  const dob = () => pick(rng, d.date_of_birth_formats);
  const anumber = () => pick(rng, d.alien_number_formats);
  return [
    `Busco a mi hermano ${full}, nacido el ${dob()}, número de extranjero ${anumber()}`,
    `Can you find ${full} born ${dob()} in ${d.country_of_birth}? A-number ${anumber()}`,
    `${d.last_name.toUpperCase()}, ${d.first_name} — DOB ${dob()} — ${anumber()}`,
    `mi esposa ${d.first_name.toLowerCase()} ${d.last_name.toLowerCase()} fue detenida, llámenme al ${record.searcher.phone}`,
  ];
}

const COUNTRIES = [
  'México',
  'Guatemala',
  'Honduras',
  'El Salvador',
  'Haití',
  'Venezuela',
  'Ucrania',
  'Siria',
  'China',
  'Mauritania',
];

/** A deterministic corpus of `records` invented people and searchers. */
export function generateCanaryCorpus(
  options: { records?: number; seed?: string } = {},
): CanaryCorpus & { description: string; kind: string; version: number; matching: Record<string, string> } {
  const size = options.records ?? GENERATED_CORPUS_RECORDS;
  const rng = seedrandom(options.seed ?? GENERATED_CORPUS_SEED);
  const records: CanaryRecord[] = [];
  const needles: Needle[] = [];
  for (let index = 0; index < size; index++) {
    const id = generatedRecordId(index);
    const style = styleOf(rng);
    const first = namePart(rng, style);
    const middle = rng() < 0.35 ? namePart(rng, style) : '';
    const last = surname(rng, style);
    const searcherStyle = styleOf(rng);
    const searcherFirst = namePart(rng, searcherStyle);
    const searcherLast = surname(rng, searcherStyle);
    const digits = String(Math.floor(rng() * 1e9)).padStart(9, '0');
    const [year, month, day] = [
      1940 + Math.floor(rng() * 68),
      1 + Math.floor(rng() * 12),
      1 + Math.floor(rng() * 28),
    ];
    const emailLocal = namePart(rng, 'ascii').toLowerCase();
    const record: CanaryRecord = {
      id,
      detainee: {
        first_name: first,
        middle_name: middle,
        last_name: last.text,
        alien_number: `A${digits}`,
        alien_number_formats: alienNumberFormats(digits),
        date_of_birth: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
        date_of_birth_formats: dateFormats(year, month, day),
        country_of_birth: pick(rng, COUNTRIES),
      },
      searcher: {
        name: `${searcherFirst} ${searcherLast.text}`,
        email: `${emailLocal}.${10 + Math.floor(rng() * 90)}@${pick(rng, ['example.com', 'example.org', 'example.net'])}`,
        phone: phone(rng),
        ip: ip(rng),
        oauth_subject: rng() < 0.7 ? `sub_${hex(rng, 24)}` : `auth0|${hex(rng, 24)}`,
      },
      queries: [],
    };
    record.queries = queries(record, rng);
    records.push(record);
    const text = (entity: string, value: string) =>
      needles.push({ record: id, entity, value, match: 'text' });
    for (const part of [first, middle, ...last.parts].filter(Boolean)) text('detainee_name', part);
    needles.push({ record: id, entity: 'alien_number', value: digits, match: 'digits' });
    for (const form of record.detainee.date_of_birth_formats) text('date_of_birth', form);
    text('searcher_email', record.searcher.email);
    needles.push({
      record: id,
      entity: 'searcher_phone',
      value: record.searcher.phone.replace(/\D/g, ''),
      match: 'digits',
    });
    text('searcher_ip', record.searcher.ip);
    text('searcher_oauth_subject', record.searcher.oauth_subject);
    for (const part of [searcherFirst, ...searcherLast.parts]) text('searcher_name', part);
  }
  return {
    description: `Synthetic PII canaries generated by test/support/canary-corpus.ts (seed "${options.seed ?? GENERATED_CORPUS_SEED}", ${size} records). Every value is invented; no real person.`,
    kind: 'generated',
    version: 1,
    matching: {
      text: 'case-insensitive; also NFC and NFD forms, percent-encoding, JSON \\u escapes of non-ASCII characters',
      digits: "the digit string with any of '-', '.', ' ' or nothing between consecutive digits",
    },
    records,
    needles,
  };
}
