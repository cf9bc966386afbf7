// The collector's layer 2 spares text the PII patterns with two hand-derived regexes
// (scripts/generate-collector-privacy.ts): PATTERN_PREFILTER must match wherever any pattern matches,
// and CANNOT_MATCH_A_PATTERN must never match a value a pattern matches, or a value would pass unmasked.
// Checked here with JavaScript's engine on ASCII text, where it agrees with Go's RE2 on these
// constructs (\d, \s, \b, character classes, case-insensitive ASCII letters).
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  CANNOT_MATCH_A_PATTERN,
  PATTERN_PREFILTER,
  patternsInOnePass,
} from '../../scripts/generate-collector-privacy.ts';
import rules from '../../src/privacy/rules.json' with { type: 'json' };

/**
 * An RE2 regex as a JavaScript RegExp: a leading `(?i)`, or a whole anchored `^(?is:…)$` group, becomes
 * flags (V8's flag groups apply to the first alternative only).
 */
function javascript(re2: string): RegExp {
  const group = /^\^\(\?([a-z]+):(.*)\)\$$/s.exec(re2);
  if (group) return new RegExp(`^(?:${group[2]})$`, group[1]);
  const [, flags = '', source = re2] = /^(?:\(\?([a-z]+)\))?(.*)$/s.exec(re2) ?? [];
  return new RegExp(source, flags);
}

const patterns = Object.entries(rules.patterns).map(([name, source]) => ({
  name,
  regex: new RegExp(source, 'i'),
}));
const prefilter = javascript(PATTERN_PREFILTER);
const cannotMatch = javascript(CANNOT_MATCH_A_PATTERN);
const matchingPatterns = (text: string) =>
  patterns.filter(({ regex }) => regex.test(text)).map(({ name }) => name);

/** One shortest or typical match per pattern, and the same inside other text. */
const examples = [
  'a@b.cc',
  'ana.lopez+x@example.org',
  'a:b:c',
  'fe80:0:1:2',
  '1.1.1.1',
  'may 2020',
  '3 de marzo de 1987',
  'March 3rd, 1987',
  '1/1/00',
  '1987-03-04',
  '04.03.1987',
  'A-123-456-789',
  'a#12345678',
  '12345678',
  '(555) 123-4567',
  '+1 555 123 4567',
  '1234567',
  '1 2 3 4 5 6 7',
  'ps_abcdefghijkl',
  'user_ABCDEFGHIJKLMNOP',
  'bearer x',
  'Authorization: Bearer abc.def',
  // Session and request ids as the MCP SDKs make them (uuid4().hex, randomUUID()), one with no digit.
  'a233027a99284a4c91a2e19c6cd4748f',
  '1a497f6f-4b57-4164-b107-5ff0c0eba3ba',
  'abcdefab-cdef-abcd-efab-cdefabcdefab',
  'ABCDEFABCDEFABCDEFABCDEFABCDEFAB',
];

/** Random text over the characters and words the patterns care about, from a fixed seed. */
function* randomTexts(count: number): Generator<string> {
  const random = seedrandom('collector-privacy-prefilters');
  const pieces = [
    ...'abcdefxyzKS_0123456789@:.-/ \t\n#+(),',
    'bearer',
    'BEARER ',
    'may',
    'jan',
    'marzo',
    'de ',
    'st',
    'é',
  ];
  const characters = 'abcdefghijklmnopqrstuvwxyz0123456789_';
  for (let i = 0; i < count; i++) {
    let text = '';
    for (let length = Math.floor(random() * 24); length > 0; length--) {
      text +=
        random() < 1 / 3
          ? pieces[Math.floor(random() * pieces.length)]
          : characters[Math.floor(random() * characters.length)];
    }
    yield text;
  }
}

describe('the prefilters of the collector’s PII patterns', () => {
  it('find every example of every pattern, in names and values alike', () => {
    for (const example of examples) {
      for (const text of [example, `tools/call ${example} now`, `(${example})`]) {
        expect(matchingPatterns(text), text).not.toEqual([]);
        expect(prefilter.test(text), `prefilter on ${text}`).toBe(true);
        expect(cannotMatch.test(text), `cannot-match on ${text}`).toBe(false);
      }
    }
  });

  it('agree with the patterns on 200,000 random texts', () => {
    let matched = 0;
    const misses: string[] = [];
    for (const text of randomTexts(200_000)) {
      if (matchingPatterns(text).length === 0) continue;
      matched++;
      if (!prefilter.test(text) || cannotMatch.test(text)) misses.push(text);
    }
    expect(misses.slice(0, 5)).toEqual([]);
    // The corpus exercises the patterns: a few thousand texts hold a match.
    expect(matched).toBeGreaterThan(2000);
  });

  it('let the reference server’s ordinary names and values skip the patterns', () => {
    for (const name of [
      'POST',
      'GET /v1/search',
      'tools/call search_detainee_by_alien_number',
      'upstream lookup',
    ])
      expect(prefilter.test(name), name).toBe(false);
    for (const value of [
      'tools/call',
      'search_detainee_by_name',
      'execute_tool',
      'claude-ai',
      '200',
      '38889',
      '0.1.0',
    ])
      expect(cannotMatch.test(value), value).toBe(true);
  });
});

describe('the collector’s patterns in one pass (its redaction processors’ blocked value)', () => {
  const onePass = new RegExp(javascript(patternsInOnePass(rules.patterns)).source, 'gi');
  /** The stretches one pass hashes, as [start, end) offsets. */
  const hashed = (text: string): [number, number][] =>
    [...text.matchAll(onePass)].map((m) => [m.index, m.index + m[0].length]);
  /** Offsets the patterns masked one after the other, a hash standing in as word characters. */
  const maskedInTurn = (text: string) => {
    const masked = new Set<number>();
    let rest = text;
    for (const { regex } of patterns)
      rest = rest.replace(new RegExp(regex.source, 'gi'), (match: string, offset: number) => {
        for (let i = offset; i < offset + match.length; i++) masked.add(i);
        return 'g'.repeat(match.length);
      });
    return masked;
  };
  const leftInClear = (text: string) => {
    const spans = hashed(text);
    return [...maskedInTurn(text)].filter((i) => !spans.some(([start, end]) => start <= i && i < end));
  };

  it('masks, on 300,000 random texts, every character the patterns masked one after the other', () => {
    const misses: string[] = [];
    for (const text of randomTexts(300_000)) if (leftInClear(text).length > 0) misses.push(text);
    expect(misses.slice(0, 5)).toEqual([]);
  });

  it('hashes separate values separately, and values that touch together, leaving nothing of either', () => {
    const stretches = (text: string) => hashed(text).map(([start, end]) => text.slice(start, end));
    expect(stretches('no match for ana.lopez@example.org, born 1987-03-04')).toEqual([
      'ana.lopez@example.org',
      '1987-03-04',
    ]);
    expect(stretches('A-123-456-789 DOB 1987-03-04 tel (555) 123-4567 status 404')).toEqual([
      'A-123-456-789',
      '1987-03-04',
      '(555) 123-4567',
    ]);
    // Alone, a run of digits found first would end inside the date and leave '/03/1990' in clear.
    for (const text of ['case 1234567 12/03/1990', '1234567 2001:db8:abcd::1', 'Bearer ana@example.org']) {
      expect(leftInClear(text), text).toEqual([]);
      expect(stretches(text), text).toHaveLength(1);
    }
  });
});
