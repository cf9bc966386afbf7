// A tool exports only what its policy names, through transforms whose outputs come from small fixed sets.
import { describe, expect, it } from 'vitest';
import { applyTransform, exportedArguments, resultCountBucket } from '../../src/privacy/export-policy.ts';

describe('field transforms', () => {
  it.each([
    [{ enum: ['en', 'es'] }, 'es', 'es'],
    [{ enum: ['en', 'es'] }, 'Yúñezútl', 'other'],
    ['boolean', true, true],
    ['boolean', 'true', undefined],
    ['count', [1, 2, 3], 3],
    ['count', 'three', undefined],
    ['size', 'x'.repeat(42), '11-100'],
    ['size', '', '0'],
  ] as const)('%j of %j exports %j', (transform, value, expected) => {
    expect(applyTransform(transform, value)).toBe(expected);
  });

  it('exports nothing for fields the policy does not name, or tools without a policy', () => {
    const policy = { arguments: { language: { enum: ['en', 'es'] } } };
    expect(exportedArguments(policy, { language: 'en', first_name: 'Yolvaq' })).toEqual({ language: 'en' });
    expect(exportedArguments(undefined, { language: 'en' })).toEqual({});
  });

  it.each([
    [0, '0'],
    [1, '1'],
    [4, '2-5'],
    [20, '6-20'],
    [500, '21+'],
  ])('puts a result count of %i in bucket %s', (count, bucket) => {
    expect(resultCountBucket(count)).toBe(bucket);
  });
});
