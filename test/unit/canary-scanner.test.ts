// The canary scanner that every privacy test relies on: it must find what leaks, in the forms a leak
// takes, and not cry wolf at the kit's own data.
import { describe, expect, it } from 'vitest';
import { type Needle, NeedleScanner } from '../support/canaries.ts';
import { generateCanaryCorpus } from '../support/canary-corpus.ts';

/**
 * The scanner's rules as one search per needle (how it first worked): the specification the one-pass
 * scanner must agree with. Text: any of the needle's forms, lower-cased, not strictly inside a random
 * identifier; digits: the digits with at most one of -, ., space between them, bounded by non-digits.
 */
function foundOneByOne(needles: Needle[], text: string): string[] {
  const lower = text.toLowerCase();
  const json = (value: string) =>
    [...value]
      .map((ch) => (ch.charCodeAt(0) > 0x7e ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch))
      .join('');
  const forms = (value: string) =>
    [
      ...new Set(
        [value.normalize('NFC'), value.normalize('NFD')].flatMap((form) => [
          form,
          encodeURIComponent(form),
          json(form),
        ]),
      ),
    ].map((form) => form.toLowerCase());
  const insideId = (at: number, length: number) => {
    let start = at;
    while (start > 0 && /[a-z0-9]/.test(lower[start - 1] as string)) start--;
    let end = at + length;
    while (end < lower.length && /[a-z0-9]/.test(lower[end] as string)) end++;
    if (start === at && end === at + length) return false;
    return end - start >= 20 && /[0-9]/.test(lower.slice(start, end));
  };
  return needles
    .filter((needle) => {
      if (needle.match === 'digits') {
        const digits = needle.value.replace(/\D/g, '').split('');
        return new RegExp(`(?<![0-9])${digits.join('[-. ]?')}(?![0-9])`).test(text);
      }
      return forms(needle.value).some((form) => {
        for (let at = lower.indexOf(form); at >= 0; at = lower.indexOf(form, at + 1))
          if (!insideId(at, form.length)) return true;
        return false;
      });
    })
    .map((needle) => `${needle.record} ${needle.entity}: ${needle.value}`);
}

const needles: Needle[] = [
  { record: 'r1', entity: 'alien_number', value: '113716303', match: 'digits' },
  { record: 'r1', entity: 'detainee_name', value: 'Yúñezútl', match: 'text' },
];
const scanner = new NeedleScanner(needles);
const found = (text: string) =>
  scanner.scan(Buffer.from(text), 'test').map((leak) => `${leak.needle.entity}: ${leak.needle.value}`);

describe('the canary scanner', () => {
  it('counts a short name as a word, beside digits or in a run of letters, but not where chance put it inside a random id', () => {
    const scanner = new NeedleScanner([
      { record: 'r', entity: 'searcher_name', value: 'Kove', match: 'text' },
    ]);
    const found = (text: string) => scanner.scan(Buffer.from(text), 'test').length;
    // Seen in a CI run: an mcpcat event id that happened to hold the letters of a four-letter name.
    expect(
      found('{"id":"evt_3N8AFqnSlfpsJNiHrxWpj9PKoVe","sessionId":"ses_2bEZz7Arqb4oeNrR84WovI1gu2g"}'),
    ).toBe(0);
    expect(found('{"searcher":"Kove"}')).toBe(1);
    expect(found('tracestate: searcher=Kove,contact=x')).toBe(1);
    expect(found('user kove1990 logged in')).toBe(1);
    expect(found('KoveFamilyLaptopAssistant')).toBe(1);
  });

  it('finds an A-number in any separator form, and a name in another Unicode form or case', () => {
    expect(found('lookup A-113-716-303')).toEqual(['alien_number: 113716303']);
    expect(found('lookup 113.716.303')).toEqual(['alien_number: 113716303']);
    expect(found('no match for YÚÑEZÚTL'.normalize('NFD'))).toEqual(['detainee_name: Yúñezútl']);
  });

  it('finds a day and month of birth left beside a redacted year, in either order', () => {
    expect(found('born 17/12/[redacted]')).toEqual(['date_of_birth: day and month beside a redaction']);
    expect(found('born [redacted]-12-17')).toEqual(['date_of_birth: day and month beside a redaction']);
  });

  it('ignores digits that only touch a needle, like a timestamp across its decimal point', () => {
    expect(found('"timestamp":1795817861.1137163034')).toEqual([]);
    expect(found('born [date_numeric], version 1.2.3')).toEqual([]);
  });

  it('finds exactly what one search per needle finds, over texts made of a real corpus’s needles', () => {
    const corpus = generateCanaryCorpus({ records: 60 });
    const scanner = new NeedleScanner(corpus.needles);
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = (needle: Needle): string[] => {
      const value = needle.value;
      const digits = value.replace(/\D/g, '');
      const separated = [...digits]
        .map((digit) => digit + (['', '-', '.', ' ', '--', '/'][random(6)] as string))
        .join('');
      return [
        value,
        value.toUpperCase(),
        value.normalize('NFD'),
        encodeURIComponent(value),
        `x${value.slice(1)}`,
        value.slice(0, -1),
        separated,
        `9${digits}`,
        `${digits}1`,
        `evt_3N8AFqnSlfp${value.replace(/\W/g, '')}9PKoVe`,
      ];
    };
    let compared = 0;
    for (let text = 0; text < 300; text++) {
      const parts: string[] = [];
      for (let part = 0; part < 12; part++) {
        const needle = corpus.needles[random(corpus.needles.length)] as Needle;
        const choices = pieces(needle);
        parts.push(
          choices[random(choices.length)] as string,
          [' ', '"', ':', '', '-', '\n'][random(6)] as string,
        );
      }
      const haystack = parts.join('');
      const expected = foundOneByOne(corpus.needles, haystack).sort();
      const actual = scanner
        .scan(Buffer.from(haystack), 'test')
        .filter((leak) => leak.needle.record !== '*')
        .map((leak) => `${leak.needle.record} ${leak.needle.entity}: ${leak.needle.value}`)
        .sort();
      expect(actual, haystack).toEqual(expected);
      compared += expected.length;
    }
    expect(compared, 'the texts held needles to find').toBeGreaterThan(500);
  });
});
