// Statistics for the benchmarks: percentiles, the interleaved run order, and bootstrap confidence
// intervals. Timings on a shared machine drift (other processes, thermal, caches), so every contender
// runs interleaved with the baseline in the same rounds and results are reported as ratios with an
// interval, never as a lone mean. Hand-written because it is forty lines and no maintained npm package
// does a seeded percentile bootstrap over two samples.
import seedrandom from 'seedrandom';

/** The q-quantile (0..1) of already sorted values, linear interpolation between ranks. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (sorted.length - 1) * q;
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (rank - low);
}

export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}

export const median = (values: ArrayLike<number>) => quantile(values, 0.5);

/**
 * The order of one benchmark's runs: per round, the contenders in a seeded shuffle and then the same
 * list reversed (A B C C B A), so each contender runs once early and once late in every round and a
 * drift over the round weighs equally on all of them. With two contenders this is the classic ABBA.
 */
export function roundOrder<T>(contenders: readonly T[], rounds: number, seed: string): T[][] {
  const random = seedrandom(seed);
  return Array.from({ length: rounds }, () => {
    const shuffled = [...contenders];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as T, shuffled[i] as T];
    }
    return [...shuffled, ...[...shuffled].reverse()];
  });
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/**
 * The ratio of a statistic of `sample` to the same statistic of `baseline`, with a percentile
 * bootstrap 95% interval: both samples resampled with replacement, `resamples` times, seeded.
 */
export function bootstrapRatio(
  sample: ArrayLike<number>,
  baseline: ArrayLike<number>,
  statistic: (sorted: Float64Array) => number,
  options: { resamples?: number; seed?: string; maxSample?: number } = {},
): Interval {
  // Alea: seeded like the default generator, several times faster, and this draws millions of numbers.
  const random = seedrandom.alea(options.seed ?? 'bootstrap');
  const resamples = options.resamples ?? 1000;
  // The interval comes from seeded subsamples of at most maxSample values per side (the estimate from
  // all of them): a smaller sample only widens the interval, and the run stays minutes, not hours.
  const maxSample = options.maxSample ?? 4000;
  const subsample = (values: ArrayLike<number>) =>
    values.length <= maxSample
      ? values
      : Float64Array.from(
          { length: maxSample },
          () => values[Math.floor(random() * values.length)] as number,
        );
  const draw = (values: ArrayLike<number>) => {
    const out = new Float64Array(values.length);
    for (let i = 0; i < out.length; i++) out[i] = values[Math.floor(random() * values.length)] as number;
    return out.sort();
  };
  const estimate =
    statistic(Float64Array.from(sample).sort()) / statistic(Float64Array.from(baseline).sort());
  const ratios = new Float64Array(resamples);
  const [ownDraws, baselineDraws] = [subsample(sample), subsample(baseline)];
  for (let i = 0; i < resamples; i++) ratios[i] = statistic(draw(ownDraws)) / statistic(draw(baselineDraws));
  ratios.sort();
  return { estimate, low: quantileSorted(ratios, 0.025), high: quantileSorted(ratios, 0.975) };
}

/**
 * The median of paired differences (contender minus baseline of the same round position) with a
 * bootstrap 95% interval over the pairs.
 */
export function bootstrapPairedDifference(
  sample: readonly number[],
  baseline: readonly number[],
  options: { resamples?: number; seed?: string } = {},
): Interval {
  const random = seedrandom(options.seed ?? 'bootstrap-paired');
  const differences = sample.map((value, i) => value - (baseline[i] as number));
  const resamples = options.resamples ?? 1000;
  const medians = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) {
    const draw = differences.map(() => differences[Math.floor(random() * differences.length)] as number);
    medians[i] = median(draw);
  }
  medians.sort();
  return {
    estimate: median(differences),
    low: quantileSorted(medians, 0.025),
    high: quantileSorted(medians, 0.975),
  };
}
