// Removes personal data from free text: the PII patterns of rules.json, plus "tainted" values, the
// strings a tool call was given as arguments. Names cannot be recognised by a pattern, but a name
// typed into a tool call is known exactly, so wherever it reappears (an error message, a log line,
// a URL) it is removed. Tainted values are remembered for a bounded time and number.
import { piiPatterns } from './rules.ts';

const MIN_TAINT_LENGTH = 3;
const MIN_WORD_LENGTH = 4;

/** Case-, accent- and form-insensitive key of a string, so NFC/NFD and upper/lower variants match. */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class TaintRegistry {
  private readonly values = new Map<string, number>(); // folded value -> expiry (ms)
  private readonly protectedValues = new Set<string>(); // folded vocabulary that is never tainted
  private compiled: RegExp | undefined;

  private readonly ttlMs: number;
  private readonly maxValues: number;

  constructor(ttlMs = 10 * 60_000, maxValues = 20_000) {
    this.ttlMs = ttlMs;
    this.maxValues = maxValues;
  }

  /**
   * Declares values that are never personal data and must survive redaction (tool names, method names,
   * enum values of export policies), even when a caller happens to type them.
   */
  protect(values: Iterable<string>): void {
    for (const value of values) this.protectedValues.add(fold(value));
  }

  private remember(value: string, expiry: number): void {
    const folded = fold(value);
    if (!this.protectedValues.has(folded)) this.values.set(folded, expiry);
  }

  /**
   * Remembers every string leaf of `value` as sensitive, and with `words` each word of 4+ characters
   * in it too (a name inside a free-text query).
   */
  add(value: unknown, words = true): void {
    const expiry = Date.now() + this.ttlMs;
    const visit = (node: unknown, depth: number): void => {
      if (depth > 8 || node == null) return;
      if (typeof node === 'string' || typeof node === 'number') {
        const text = String(node).trim();
        if (text.length >= MIN_TAINT_LENGTH) this.remember(text, expiry);
        if (words) {
          for (const word of text.split(/[\s,;:/()"'—–-]+/)) {
            if (word.length >= MIN_WORD_LENGTH) this.remember(word, expiry);
          }
        }
      } else if (Array.isArray(node)) {
        for (const item of node.slice(0, 100)) visit(item, depth + 1);
      } else if (typeof node === 'object') {
        for (const item of Object.values(node).slice(0, 100)) visit(item, depth + 1);
      }
    };
    visit(value, 0);
    while (this.values.size > this.maxValues) this.values.delete(this.values.keys().next().value as string);
    this.compiled = undefined;
  }

  /** Replaces every tainted value in `text` (compared folded) with `[redacted]`. */
  redact(text: string): string {
    if (this.values.size === 0) return text;
    const now = Date.now();
    for (const [value, expiry] of this.values) {
      if (expiry < now) {
        this.values.delete(value);
        this.compiled = undefined;
      }
    }
    if (this.values.size === 0) return text;
    // Longest first, so a full name is removed before its parts.
    this.compiled ??= new RegExp(
      [...this.values.keys()]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    const folded = fold(text);
    // Folding keeps one character per base letter only when the text is already composed; work on the
    // folded copy and map match positions back when lengths agree, otherwise redact the folded text.
    const base = text.normalize('NFC');
    if (fold(base).length !== base.length) return folded.replace(this.compiled, '[redacted]');
    let result = '';
    let last = 0;
    for (const match of fold(base).matchAll(this.compiled)) {
      result += `${base.slice(last, match.index)}[redacted]`;
      last = match.index + match[0].length;
    }
    return last === 0 ? base : result + base.slice(last);
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

/** Removes PII patterns, then tainted values, from free text (percent-encoded text is decoded first). */
export function scrubText(text: string, taint?: TaintRegistry): string {
  const decoded = percentDecoded(text);
  let result = taint ? taint.redact(decoded) : decoded;
  for (const { name, regex } of piiPatterns) result = result.replace(regex, `[${name}]`);
  return result;
}
