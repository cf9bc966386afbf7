// Scenario 12 of the fault suite: a soak. The reference server serves tool calls at a steady rate through
// the kit's collector for a long time (an hour in long mode, seconds in `npm test`), while the server's
// RSS and the collector's heap and RSS are sampled. Memory must stay flat: the trend (least squares over
// the samples after the first quarter, in MiB per hour) is reported, never asserted, since a garbage
// collector's pace is not a test's business on a shared machine. Asserted: nothing crashes, every call
// is answered, and every span the SDK was handed arrives or is counted.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { rssBytes } from '../../support/binary.ts';
import { scrapeCollector } from '../../support/collector-metrics.ts';
import { type AppRig, LOCATOR_SERVICE, startAppRig } from '../../support/faults/app-rig.ts';
import { percent, recordFigures } from '../../support/faults/figures.ts';
import { longMode, phaseMs, timeoutFor } from '../../support/faults/mode.ts';
import { settledSdkSpanCounts } from '../../support/faults/sdk-counts.ts';

const soakMs = phaseMs(20_000, 3_600_000);
const sampleEveryMs = phaseMs(1_000, 30_000);
const callsPerSecond = longMode ? 50 : 25;
const mib = 1024 * 1024;

interface Sample {
  at: number;
  serverRss: number;
  collectorRss: number;
  collectorHeap: number;
}

/** Least-squares slope of `value` over time, in MiB per hour. */
function trendMiBPerHour(samples: Sample[], value: (sample: Sample) => number): number {
  const n = samples.length;
  if (n < 2) return 0;
  const xs = samples.map((sample) => sample.at / 3_600_000);
  const ys = samples.map((sample) => value(sample) / mib);
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < n; i++) {
    numerator += ((xs[i] as number) - meanX) * ((ys[i] as number) - meanY);
    denominator += ((xs[i] as number) - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

describe('a soak at a steady rate', () => {
  let rig: AppRig | undefined;

  afterAll(async () => {
    await rig?.close();
  });

  it(
    'keeps every process up, answers every call and delivers or counts every span, memory reported',
    async () => {
      rig = await startAppRig('soak');
      const { sink, locator, agent } = rig;
      const collector = rig.collector as NonNullable<AppRig['collector']>;

      const started = Date.now();
      const traffic = agent.callFor(soakMs, callsPerSecond);
      const samples: Sample[] = [];
      while (Date.now() - started < soakMs) {
        await sleep(sampleEveryMs);
        const metrics = await scrapeCollector(collector).catch(() => undefined);
        samples.push({
          at: Date.now() - started,
          serverRss: rssBytes(locator.pid),
          collectorRss: rssBytes(collector.pid),
          collectorHeap: metrics?.value('otelcol_process_runtime_heap_alloc_bytes') ?? 0,
        });
      }
      const calls = await traffic;
      const aliveAtEnd = locator.alive() && collector.alive();
      const exitCode = await locator.stop();
      const counts = await settledSdkSpanCounts(sink, LOCATOR_SERVICE);

      const steady = samples.slice(Math.floor(samples.length / 4));
      const describe = (label: string, value: (sample: Sample) => number) => {
        const first = value(steady[0] as Sample) / mib;
        const last = value(steady.at(-1) as Sample) / mib;
        const max = Math.max(...steady.map(value)) / mib;
        return `${label} ${first.toFixed(0)} → ${last.toFixed(0)} MiB (max ${max.toFixed(0)}), trend ${trendMiBPerHour(steady, value).toFixed(1)} MiB/h`;
      };
      recordFigures('12-soak', {
        order: 12,
        scenario: `Soak: ${callsPerSecond} tool calls/s for ${soakMs >= 60_000 ? `${soakMs / 60_000} min` : `${soakMs / 1000} s`} through the reference server and the collector`,
        sent: counts.sent,
        received: counts.received,
        deliveredPercent: percent(counts.received, counts.sent),
        countedDrops: counts.givenUp,
        rssGrowthMiB:
          Math.round((((steady.at(-1) as Sample).serverRss - (steady[0] as Sample).serverRss) / mib) * 10) /
          10,
        notes:
          `${calls.length} calls, ${samples.length} samples (every ${sampleEveryMs / 1000} s; trends over the last three ` +
          `quarters): ${describe('server RSS', (sample) => sample.serverRss)}; ` +
          `${describe('collector heap', (sample) => sample.collectorHeap)}; ` +
          `${describe('collector RSS', (sample) => sample.collectorRss)}`,
      });

      expect(aliveAtEnd, 'the server and the collector stayed up').toBe(true);
      expect(exitCode).toBe(0);
      expect(calls.length).toBeGreaterThan(0);
      expect(
        calls.every((call) => call.ok),
        'every call was answered',
      ).toBe(true);
      expect(counts.received + counts.givenUp, 'sent = received + counted drops').toBeGreaterThanOrEqual(
        counts.sent,
      );
    },
    timeoutFor(soakMs),
  );
});
