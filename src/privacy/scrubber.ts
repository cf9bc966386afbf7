// Removes personal data from free text: the PII patterns of rules.json, plus "tainted" values, the
// strings a tool call was given as arguments. Names cannot be recognised by a pattern, but a name
// typed into a tool call is known exactly, so wherever it reappears (an error message, a log line,
// a URL) it is removed. Tainted values are remembered for a bounded time and number.
import { piiPatterns } from './rules.ts';

/** A whole value this long or longer is tainted; so is each word of 4+ characters inside a value. */
const MIN_VALUE_LENGTH = 3;
const MIN_WORD_LENGTH = 4;
/**
 * Scripts written without spaces between words (Han, Hiragana, Katakana): a name there is two or three
 * characters, so a word of 2+ is tainted, and it is looked for inside longer runs of the script, where
 * it sits with no word boundary ("我在找王伟"). Found by the generated canary corpus: Han names passed.
 */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const MIN_UNSPACED_LENGTH = 2;
/** Words: runs of letters (with their combining marks, so NFD text tokenizes like NFC) and digits. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const PURGE_INTERVAL_MS = 5_000;
/** A word's expiry is pushed back at most once a second (its ten minutes may then end a second early). */
const REFRESH_GRANULARITY_MS = 1_000;

const ASCII_WORD = /^[A-Za-z0-9]*$/;
/** Anything but printable ASCII: such text is always re-scrubbed (its case folding is not plain). */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;
/** Newly tainted words remembered in order, so a text found clean can be re-checked against those only. */
const RECENT_WORDS = 256;

/** Case-, accent- and form-insensitive key of a word, so NFC/NFD and upper/lower variants match. */
function fold(word: string): string {
  // ASCII has no marks and is its own NFD: skip the normalisation, the hot path of every scrub.
  if (ASCII_WORD.test(word)) return word.toLowerCase();
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Tainted words, matched word by word: a lookup per word of the scanned text, whatever the number of
 * tainted values, and nothing to recompile when a request adds new ones.
 */
export class TaintRegistry {
  private readonly words = new Map<string, number>(); // folded word -> expiry (ms)
  private readonly protectedWords = new Set<string>(); // folded vocabulary that is never tainted
  private readonly unspaced = new Set<string>(); // tainted words in scripts without spaces (folded)
  private readonly ttlMs: number;
  private readonly maxWords: number;
  private nextPurge = 0;
  /**
   * Bumped whenever a word starts to taint (new, or back after expiring). Text that redact() left
   * unchanged stays unchanged until then: fewer or expired words can only redact less.
   */
  generation = 0;
  /** The folded word that bumped each of the last RECENT_WORDS generations (ring, by generation). */
  private readonly recent: string[] = [];

  constructor(ttlMs = 10 * 60_000, maxWords = 20_000) {
    this.ttlMs = ttlMs;
    this.maxWords = maxWords;
    // The markers patterns leave behind ("[date_numeric]") are scanned for taint after them.
    this.protect(['redacted', ...piiPatterns.map(({ name }) => name)]);
  }

  /**
   * Declares values that are never personal data and must survive redaction (tool names, method names,
   * enum values of export policies), even when a caller happens to type them, before or after: a server
   * learns its names from its own lists, which may come after a caller typed one of their words.
   */
  protect(values: Iterable<string>): void {
    for (const value of values) {
      for (const word of value.match(WORD) ?? []) {
        const folded = fold(word);
        this.protectedWords.add(folded);
        this.words.delete(folded);
        this.unspaced.delete(folded);
      }
    }
  }

  private remember(word: string, expiry: number): void {
    const folded = fold(word);
    if (this.protectedWords.has(folded)) return;
    const previous = this.words.get(folded);
    // Refreshed within the last second: the same words come with every call of a session.
    if (previous !== undefined && previous >= expiry - REFRESH_GRANULARITY_MS) return;
    if (previous === undefined || previous < expiry - this.ttlMs) {
      this.recent[this.generation % RECENT_WORDS] = folded;
      this.generation++;
    }
    this.words.delete(folded); // re-inserted last: the map stays in expiry order for eviction
    this.words.set(folded, expiry);
    if (UNSPACED.test(folded)) this.unspaced.add(folded);
  }

  /**
   * Remembers the words of every string leaf of `value`: the whole value when it is one word of 3+
   * characters (a first name), and every word of 4+ characters inside longer text (a name in a query).
   */
  add(value: unknown): void {
    const expiry = Date.now() + this.ttlMs;
    const visit = (node: unknown, depth: number): void => {
      if (depth > 8 || node == null) return;
      if (typeof node === 'string' || typeof node === 'number') {
        const words = String(node).match(WORD) ?? [];
        for (const word of words) {
          if (
            word.length >= MIN_WORD_LENGTH ||
            (words.length === 1 && word.length >= MIN_VALUE_LENGTH) ||
            (word.length >= MIN_UNSPACED_LENGTH && UNSPACED.test(word))
          ) {
            this.remember(word, expiry);
          }
        }
      } else if (Array.isArray(node)) {
        for (const item of node.slice(0, 100)) visit(item, depth + 1);
      } else if (typeof node === 'object') {
        for (const item of Object.values(node).slice(0, 100)) visit(item, depth + 1);
      }
    };
    visit(value, 0);
    while (this.words.size > this.maxWords) this.words.delete(this.words.keys().next().value as string);
  }

  private purgeExpired(now: number): void {
    if (now < this.nextPurge) return;
    this.nextPurge = now + PURGE_INTERVAL_MS;
    for (const [word, expiry] of this.words) {
      if (expiry >= now) break; // insertion order is expiry order
      this.words.delete(word);
    }
  }

  /**
   * Whether `text`, which redact() left unchanged at generation `since`, could now lose a word: only a
   * word tainted since then can be in it. Conservative: a substring match, any non-ASCII text, or more
   * new words than are remembered all answer yes, and the caller scrubs the text again.
   */
  mayRedactSince(since: number, text: string): boolean {
    const newWords = this.generation - since;
    if (newWords === 0) return false;
    if (newWords < 0 || newWords > RECENT_WORDS || NOT_PRINTABLE_ASCII.test(text)) return true;
    const folded = text.toLowerCase();
    for (let generation = since; generation < this.generation; generation++) {
      if (folded.includes(this.recent[generation % RECENT_WORDS] as string)) return true;
    }
    return false;
  }

  /** Replaces every tainted word in `text` (compared folded) with `[redacted]`. */
  redact(text: string): string {
    if (this.words.size === 0) return text;
    const now = Date.now();
    this.purgeExpired(now);
    return text.replace(WORD, (word) => {
      const expiry = this.words.get(fold(word));
      if (expiry !== undefined && expiry >= now) return '[redacted]';
      return this.unspaced.size > 0 && UNSPACED.test(word) ? this.redactInside(word, now) : word;
    });
  }

  /** A run of an unspaced script with every tainted word of that script inside it redacted. */
  private redactInside(run: string, now: number): string {
    const folded = fold(run);
    let result = run;
    for (const tainted of this.unspaced) {
      const expiry = this.words.get(tainted);
      if (expiry === undefined || expiry < now) this.unspaced.delete(tainted);
      else if (folded.includes(tainted)) result = result.replaceAll(tainted, '[redacted]');
    }
    return result;
  }
}

function percentDecoded(text: string): string {
  if (!/%[0-9a-f]{2}/i.test(text)) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Every pattern needs one of these (a digit, @, :, _ or "bearer"): text without any skips them all. */
const MIGHT_MATCH_A_PATTERN = /[\d@:_]|bearer/i;
/**
 * A bare number of at most six digits (a JSON-RPC request id, a count): every pattern that matches
 * digits alone needs seven or more (digit_run), the others a separator, a letter or a sign.
 */
export const A_FEW_DIGITS = /^\d{1,6}$/;

/**
 * Removes PII patterns, then tainted values, from free text (percent-encoded text is decoded first).
 * Patterns go first: a tainted year removed from "17/12/1990" would leave "17/12/[redacted]", a day and
 * month of birth that no date pattern recognises any more.
 * `onRedaction` is called once when something was replaced (decoding alone is not a redaction).
 */
export function scrubText(text: string, taint?: TaintRegistry, onRedaction?: () => void): string {
  const decoded = percentDecoded(text);
  let result = decoded;
  if (MIGHT_MATCH_A_PATTERN.test(result) && !A_FEW_DIGITS.test(result))
    for (const { name, regex } of piiPatterns) result = result.replace(regex, `[${name}]`);
  if (taint) result = taint.redact(result);
  if (result !== decoded) onRedaction?.();
  return result;
}
