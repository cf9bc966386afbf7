// The Python reference server searches as the TypeScript one does (issue #22): its port of matching.ts
// (examples/detainee-locator-py/matching.py, run here by test/support/python/locator_matching.py) gives
// the same parse of every request the traffic generator and people write, in English and Spanish, the
// same canonical A-number of every common spelling, the same normalised names, and the same exact, fuzzy
// or no match for names with accents dropped, hyphens as spaces and typos.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { syntheticDetainees } from '../../examples/detainee-locator/dataset.ts';
import {
  matchName,
  normaliseName,
  parseAlienNumber,
  parseNaturalQuery,
  SPANISH_MONTHS,
} from '../../examples/detainee-locator/matching.ts';
import { ENGLISH_MONTHS } from '../support/canary-corpus.ts';
import { requireTools } from '../support/tools.ts';

const tools = requireTools();
const script = path.join(import.meta.dirname, '../support/python/locator_matching.py');

const random = seedrandom('python-locator-matching');
const records = syntheticDetainees().slice(0, 150);
const typo = (word: string) => {
  const at = 1 + Math.floor(random() * (word.length - 2));
  return word.slice(0, at) + word.slice(at + 1, at + 2) + word.slice(at, at + 1) + word.slice(at + 2);
};

const queries = records.flatMap((record) => {
  const [year, month, day] = record.date_of_birth.split('-').map(Number);
  return [
    `Busco a mi hermano ${record.first_name} ${record.last_name}, nacido el ${day} de ${SPANISH_MONTHS[(month ?? 1) - 1]} de ${year} en ${record.country_of_birth}`,
    `Can you find my sister ${record.first_name} ${record.last_name} born ${ENGLISH_MONTHS[(month ?? 1) - 1]} ${day}, ${year} in ${record.country_of_birth}?`,
    `${record.last_name.toUpperCase()}, ${record.first_name} ${month}/${day}/${year} ${record.country_of_birth.toLowerCase()}`,
    `${record.last_name}, ${record.first_name}, dob ${record.date_of_birth}`,
    `número de extranjero ${record.alien_number.slice(1, 4)}-${record.alien_number.slice(4, 7)}-${record.alien_number.slice(7)}`,
    `A-number ${record.alien_number}`,
    `please find ${record.first_name.toLowerCase()}`,
  ];
});
const numbers = records.flatMap((record) => {
  const digits = record.alien_number.slice(1);
  return [
    record.alien_number,
    digits,
    `A-${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`,
    `a#${digits.slice(1)}`,
    ` A ${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)} `,
    `A${digits.slice(0, 5)}`,
    `A${digits}0`,
    `${digits.slice(0, 4)}.${digits.slice(4)}`,
  ];
});
const names = records.flatMap((record) => [
  record.last_name,
  `${record.first_name}-${record.middle_name}`,
  `  ${record.last_name.toUpperCase()}’s  `,
]);
const pairs = records.flatMap((record, index) => {
  const other = records[(index + 1) % records.length] ?? record;
  const query = (first: string, last: string) => ({ first_name: first, last_name: last });
  const candidate = query(record.first_name, record.last_name);
  return [
    [query(record.first_name, record.last_name), candidate, false],
    [query(normaliseName(record.first_name), record.last_name.replace('-', ' ')), candidate, true],
    [query(record.first_name, typo(record.last_name)), candidate, true],
    [query(record.first_name, typo(record.last_name)), candidate, false],
    [query(record.first_name, record.last_name.split(/[- ]/)[0] ?? ''), candidate, true],
    [query(other.first_name, other.last_name), candidate, true],
  ] as const;
});

describe('the Python reference server’s matching', () => {
  const python = JSON.parse(
    execFileSync(tools.python, [script], {
      input: JSON.stringify({ queries, numbers, names, pairs }),
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    }),
  ) as { queries: unknown[]; numbers: unknown[]; names: unknown[]; pairs: unknown[] };

  it('parses every request as the TypeScript server does, in English and Spanish', () => {
    const typescript = queries.map((query) => ({ ...parseNaturalQuery(query) }));
    expect(python.queries).toEqual(typescript);
    // The corpus exercises the parser: names, countries, dates and numbers are all found.
    expect(
      typescript.filter((parsed) => parsed.first_name && parsed.country_of_birth).length,
    ).toBeGreaterThan(300);
    expect(typescript.filter((parsed) => parsed.alien_number).length).toBeGreaterThan(250);
  });

  it('reads every common spelling of an A-number alike, and refuses the same malformed ones', () => {
    const typescript = numbers.map((number) => parseAlienNumber(number) ?? null);
    expect(python.numbers).toEqual(typescript);
    expect(typescript.filter((canonical) => canonical === null).length).toBeGreaterThan(100);
  });

  it('normalises names alike', () => {
    expect(python.names).toEqual(names.map(normaliseName));
  });

  it('finds the same exact, fuzzy and missing matches', () => {
    const typescript = pairs.map(([query, candidate, fuzzy]) => matchName(query, candidate, fuzzy) ?? null);
    expect(python.pairs).toEqual(typescript);
    expect(new Set(typescript)).toEqual(new Set(['exact', 'fuzzy', null]));
  });
});
