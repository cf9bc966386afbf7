// The benchmark's statistics: interleaved run order, percentiles and bootstrap intervals (bench/stats.ts).
import { describe, expect, it } from 'vitest';
import {
  bootstrapPairedDifference,
  bootstrapRatio,
  quantile,
  quantileSorted,
  roundOrder,
} from '../../bench/stats.ts';

describe('interleaved run order', () => {
  it('runs two contenders as ABBA or BAAB in every round', () => {
    for (const round of roundOrder(['A', 'B'], 12, 'seed')) {
      expect(['ABBA', 'BAAB']).toContain(round.join(''));
    }
  });

  it('runs every contender once in each half of a round, the second half mirroring the first', () => {
    const contenders = ['plain', 'kit', 'sentry', 'mcpcat', 'shinzo'];
    for (const round of roundOrder(contenders, 10, 'seed')) {
      expect([...round.slice(0, 5)].sort()).toEqual([...contenders].sort());
      expect(round.slice(5)).toEqual([...round.slice(0, 5)].reverse());
    }
  });

  it('gives the same order for the same seed, and varies which contender starts', () => {
    const order = roundOrder(['A', 'B', 'C'], 20, 'fixed');
    expect(roundOrder(['A', 'B', 'C'], 20, 'fixed')).toEqual(order);
    expect(new Set(order.map((round) => round[0])).size).toBeGreaterThan(1);
  });
});

describe('percentiles', () => {
  it('interpolates between ranks', () => {
    expect(quantileSorted([10, 20, 30, 40], 0.5)).toBe(25);
    expect(quantile([40, 10, 30, 20], 0)).toBe(10);
    expect(quantile([40, 10, 30, 20], 1)).toBe(40);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9)).toBe(10);
  });
});

describe('bootstrap intervals', () => {
  const median = (sorted: Float64Array) => quantileSorted(sorted, 0.5);
  const baseline = Array.from({ length: 200 }, (_, i) => 100 + (i % 20));

  it('finds a ratio of one, with an interval around it, for the same distribution', () => {
    const interval = bootstrapRatio(baseline, [...baseline].reverse(), median, { seed: 's' });
    expect(interval.estimate).toBe(1);
    expect(interval.low).toBeLessThanOrEqual(1);
    expect(interval.high).toBeGreaterThanOrEqual(1);
  });

  it('finds a doubled median as a ratio of two, with a narrow interval that excludes one', () => {
    const interval = bootstrapRatio(
      baseline.map((value) => value * 2),
      baseline,
      median,
      { seed: 's' },
    );
    expect(interval.estimate).toBe(2);
    expect(interval.low).toBeGreaterThan(1.8);
    expect(interval.high).toBeLessThan(2.2);
  });

  it('is reproducible with a seed', () => {
    const a = bootstrapRatio(baseline, baseline.slice(0, 150), median, { seed: 'x' });
    expect(bootstrapRatio(baseline, baseline.slice(0, 150), median, { seed: 'x' })).toEqual(a);
  });

  it('reports the median paired difference, with a zero-width interval when every pair differs the same', () => {
    const contender = [12, 15, 11, 19, 14];
    const plain = contender.map((value) => value - 5);
    expect(bootstrapPairedDifference(contender, plain, { seed: 's' })).toEqual({
      estimate: 5,
      low: 5,
      high: 5,
    });
  });
});
