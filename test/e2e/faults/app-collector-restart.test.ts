// Scenario 10 of the fault suite: the remedy for collector outages, measured. An application exports to
// a collector on its own host, which keeps a persistent queue (as compose runs it); that collector is
// restarted (SIGTERM, then started again on the same address and queue folder, as an upgrade or a
// crash-looping supervisor does) while the reference server serves sequential tool calls. The SDK's
// exporter retries through the short gap (a failed connection is retryable: up to 5 attempts within
// its 10 s timeout), so at least 99.9% of the calls reach Tempo; what it gave up is counted.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { type AppRig, LOCATOR_SERVICE, startAppRig } from '../../support/faults/app-rig.ts';
import { percent, recordFigures } from '../../support/faults/figures.ts';
import { longMode, phaseMs, timeoutFor } from '../../support/faults/mode.ts';
import { settledSdkSpanCounts } from '../../support/faults/sdk-counts.ts';

const restarts = longMode ? 10 : 2;
const betweenMs = phaseMs(4_000, 30_000);

describe('the application while its same-host collector restarts', () => {
  let rig: AppRig | undefined;

  afterAll(async () => {
    await rig?.close();
  });

  it(
    'delivers at least 99.9% of the calls through every restart, and counts what it gave up',
    async () => {
      rig = await startAppRig('restart', {
        OTEL_METRIC_EXPORT_INTERVAL: '2000',
        OTEL_BSP_SCHEDULE_DELAY: '1000',
      });
      const { sink, locator, agent } = rig;

      const traffic = agent.callFor(betweenMs * (restarts + 1));
      const gaps: number[] = [];
      for (let restart = 0; restart < restarts; restart++) {
        await sleep(betweenMs);
        const stopped = Date.now();
        await rig.stopCollector();
        await rig.startCollector();
        gaps.push((Date.now() - stopped) / 1000);
      }
      const calls = await traffic;
      const exitCode = await locator.stop();
      const counts = await settledSdkSpanCounts(sink, LOCATOR_SERVICE);
      const arrived = new Set(sink.spans.map((span) => span.traceId));
      const traced = calls.filter((call) => arrived.has(call.traceId)).length;

      recordFigures('10-app-collector-restart', {
        order: 10,
        scenario: `Same-host collector restarted ${restarts}× (every ${betweenMs / 1000}s) under the reference server`,
        sent: counts.sent,
        received: counts.received,
        deliveredPercent: percent(counts.received, counts.sent),
        countedDrops: counts.givenUp,
        notes:
          `${traced} of ${calls.length} calls traced (${percent(traced, calls.length)}%); spans counted at the SDK: ` +
          `${JSON.stringify(counts.byOutcome)}; restarts took ${gaps.map((gap) => gap.toFixed(1)).join(', ')} s ` +
          '(stop, with its queue on disk, then start)',
      });

      expect(exitCode).toBe(0);
      expect(
        calls.every((call) => call.ok),
        'every call was answered',
      ).toBe(true);
      expect(traced / calls.length, 'at least 99.9% of the calls reached Tempo').toBeGreaterThanOrEqual(
        0.999,
      );
      expect(counts.received + counts.givenUp, 'sent = received + counted drops').toBeGreaterThanOrEqual(
        counts.sent,
      );
    },
    timeoutFor(betweenMs * (restarts + 1)),
  );
});
