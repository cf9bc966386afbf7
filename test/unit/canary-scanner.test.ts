// The canary scanner that every privacy test relies on: it must find what leaks, in the forms a leak
// takes, and not cry wolf at the kit's own data.
import { describe, expect, it } from 'vitest';
import { type Needle, NeedleScanner } from '../support/canaries.ts';

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
});
