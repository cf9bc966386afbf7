// The privacy canary corpus (the project's own, generated, plus an external one from MCP_KIT_CANARIES)
// and a scanner that applies its matching rules to raw bytes: `text` needles case-insensitively and in
// their NFC, NFD, percent-encoded and JSON \u-escaped forms; `digits` needles with -, ., space or
// nothing between digits.
import { readFileSync } from 'node:fs';
import { GENERATED_CORPUS_RECORDS, generateCanaryCorpus, isGeneratedRecordId } from './canary-corpus.ts';

export interface CanaryRecord {
  id: string;
  detainee: {
    first_name: string;
    middle_name: string;
    last_name: string;
    alien_number: string;
    alien_number_formats: string[];
    date_of_birth: string;
    date_of_birth_formats: string[];
    country_of_birth: string;
  };
  searcher: { name: string; email: string; phone: string; ip: string; oauth_subject: string };
  queries: string[];
}

export interface Needle {
  record: string;
  entity: string;
  value: string;
  match: 'text' | 'digits';
}

export interface CanaryCorpus {
  records: CanaryRecord[];
  needles: Needle[];
}

/** A corpus in the documented format, from a file. */
export function readCanaryFile(file: string): CanaryCorpus {
  return JSON.parse(readFileSync(file, 'utf8')) as CanaryCorpus;
}

/**
 * The corpus the privacy tests and `npm run canary` use: the project's own, generated
 * (test/support/canary-corpus.ts, `records` of them), with an external corpus added beside it when one
 * is named (`external`, else MCP_KIT_CANARIES: an operator's own, or the shared one CI passes).
 */
export function loadCanaries(
  options: { external?: string | undefined; records?: number | undefined } = {},
): CanaryCorpus {
  const generated = generateCanaryCorpus({ records: options.records ?? GENERATED_CORPUS_RECORDS });
  const file = options.external ?? (process.env.MCP_KIT_CANARIES || undefined);
  if (!file) return generated;
  const external = readCanaryFile(file);
  const clash = external.records.find((record) => isGeneratedRecordId(record.id));
  if (clash)
    throw new Error(`${file}: record id ${clash.id} is also a generated record's form (g0001…); rename it`);
  return {
    records: [...generated.records, ...external.records],
    needles: [...generated.needles, ...external.needles],
  };
}

function jsonEscaped(text: string): string {
  return [...text]
    .map((ch) => (ch.charCodeAt(0) > 0x7e ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch))
    .join('');
}

/** Every written form of a text needle, lower-cased. */
function textForms(value: string): string[] {
  const forms = new Set<string>();
  for (const form of [value.normalize('NFC'), value.normalize('NFD')]) {
    forms.add(form);
    forms.add(encodeURIComponent(form));
    forms.add(jsonEscaped(form));
  }
  return [...forms].map((form) => form.toLowerCase());
}

// Digits needles are bounded by non-digits: Sentry's float timestamps (1795817861.1100752) once held the
// nine digits of an A-number across the decimal point, a false alarm; a real A-number never sits inside
// a longer number.

const alphanumeric = /[a-z0-9]/;

/**
 * Whether the text at `at` lies strictly inside a random identifier: a run of 20 or more letters and
 * digits holding a digit (event and session ids, base62 or base64url). A four-letter name in one
 * ("evt_3N8AFqnSlfpsJNiHrxWpj9PKoVe" holds "KoVe") is chance, once in a few thousand ids, not a leak; the
 * same name as a word, beside punctuation, or glued to a birth year in a short token still counts.
 */
function insideRandomIdentifier(lower: string, at: number, length: number): boolean {
  let start = at;
  while (start > 0 && alphanumeric.test(lower[start - 1] as string)) start--;
  let end = at + length;
  while (end < lower.length && alphanumeric.test(lower[end] as string)) end++;
  if (start === at && end === at + length) return false;
  return end - start >= 20 && /[0-9]/.test(lower.slice(start, end));
}

export interface Leak {
  needle: Needle;
  where: string;
  context: string;
}

/**
 * What a date of birth leaves behind when only part of it was redacted ("17/12/[redacted]": the day and
 * month of birth, which no needle of the whole date finds). Checked in every scan, whatever the corpus.
 */
const partialDate = {
  needle: { record: '*', entity: 'date_of_birth', value: 'day and month beside a redaction', match: 'text' },
  pattern:
    /(?<![0-9])[0-9]{1,2}[-/.][0-9]{1,2}[-/.]\[redacted\]|\[redacted\][-/.][0-9]{1,2}[-/.][0-9]{1,2}(?![0-9])/,
} as const;

/** Forms this long or longer are found through the index of their first three characters. */
const KEY_LENGTH = 3;
const keyAt = (text: string, at: number) =>
  text.charCodeAt(at) * 2 ** 32 + text.charCodeAt(at + 1) * 2 ** 16 + text.charCodeAt(at + 2);
/** A run of digits with single separators between them: what a `digits` needle may be written as. */
const DIGIT_RUN = /[0-9]+(?:[-. ][0-9]+)*/g;

/**
 * Finds needles in bytes. Every needle once per scan, in one pass over the text: a corpus of a thousand
 * records has some fifteen thousand needles, and a search per needle over every captured request made
 * the canary run quadratic (hours). Hand-written because the maintained Aho–Corasick packages match
 * whole Unicode grapheme clusters, where a leak must be found on UTF-16 code units (a name's NFD form
 * inside a longer NFD word); test/unit/canary-scanner.test.ts checks it against the search per needle.
 */
export class NeedleScanner {
  private readonly needles: Needle[];
  /** Text forms of KEY_LENGTH or more, by the key of their first characters: [needle index, form]. */
  private readonly byKey = new Map<number, [number, string][]>();
  /** Shorter text forms, searched one by one. */
  private readonly shortForms: [number, string][] = [];
  /** Digits needles by their digits. */
  private readonly byDigits = new Map<string, number[]>();
  private readonly longestDigits: number;

  constructor(needles: Needle[]) {
    this.needles = [partialDate.needle, ...needles];
    this.needles.forEach((needle, index) => {
      if (index === 0) return;
      if (needle.match === 'digits') {
        const digits = needle.value.replace(/\D/g, '');
        this.byDigits.set(digits, [...(this.byDigits.get(digits) ?? []), index]);
        return;
      }
      for (const form of textForms(needle.value)) {
        if (form.length < KEY_LENGTH) {
          this.shortForms.push([index, form]);
          continue;
        }
        const key = keyAt(form, 0);
        this.byKey.set(key, [...(this.byKey.get(key) ?? []), [index, form]]);
      }
    });
    this.longestDigits = Math.max(0, ...[...this.byDigits.keys()].map((digits) => digits.length));
  }

  /** Every needle found in `bytes`, read as UTF-8 (protobuf and JSON carry strings as UTF-8). */
  scan(bytes: Uint8Array, where: string): Leak[] {
    const haystack = Buffer.from(bytes).toString('utf8');
    const lower = haystack.toLowerCase();
    const found = new Map<number, number>(); // needle index -> where first found
    const note = (index: number, at: number) => {
      if (!found.has(index)) found.set(index, at);
    };

    const dateAt = haystack.search(partialDate.pattern);
    if (dateAt >= 0) note(0, dateAt);
    for (let at = 0; at + KEY_LENGTH <= lower.length; at++) {
      const candidates = this.byKey.get(keyAt(lower, at));
      if (!candidates) continue;
      for (const [index, form] of candidates)
        if (
          !found.has(index) &&
          lower.startsWith(form, at) &&
          !insideRandomIdentifier(lower, at, form.length)
        )
          note(index, at);
    }
    for (const [index, form] of this.shortForms) {
      if (found.has(index)) continue;
      for (let at = lower.indexOf(form); at >= 0; at = lower.indexOf(form, at + 1))
        if (!insideRandomIdentifier(lower, at, form.length)) {
          note(index, at);
          break;
        }
    }
    // A digits needle matches consecutive groups of a run, whole: bounded by non-digits on both sides.
    for (const run of haystack.matchAll(DIGIT_RUN)) {
      const groups = run[0].split(/[-. ]/);
      let start = run.index;
      for (let first = 0; first < groups.length; first++) {
        let digits = '';
        for (let last = first; last < groups.length; last++) {
          digits += groups[last];
          if (digits.length > this.longestDigits) break;
          for (const index of this.byDigits.get(digits) ?? []) note(index, start);
        }
        start += (groups[first] as string).length + 1;
      }
    }

    return [...found]
      .sort(([a], [b]) => a - b)
      .map(([index, at]) => ({
        needle: this.needles[index] as Needle,
        where,
        context: haystack.slice(Math.max(0, at - 80), at + 60),
      }));
  }
}

/**
 * Needles for the reference servers' synthetic population (examples/detainee-locator/dataset.ts): each
 * person's names of 7+ letters (the dataset's short syllable names, "Poli", occur inside ordinary
 * words), A-number digits and date of birth.
 */
export function datasetNeedles(
  records: ReadonlyArray<{
    alien_number: string;
    first_name: string;
    last_name: string;
    date_of_birth: string;
  }>,
): Needle[] {
  return records.flatMap((record) => [
    ...[record.first_name, ...record.last_name.split(/[- ]/)]
      .filter((name) => name.length >= 7)
      .map((value) => ({ record: record.alien_number, entity: 'name', value, match: 'text' as const })),
    {
      record: record.alien_number,
      entity: 'alien_number',
      value: record.alien_number.slice(1),
      match: 'digits' as const,
    },
    {
      record: record.alien_number,
      entity: 'date_of_birth',
      value: record.date_of_birth,
      match: 'text' as const,
    },
  ]);
}
