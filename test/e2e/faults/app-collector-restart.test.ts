// Scenario 10 of the fault suite: the remedy for collector outages, measured. An application exports to
// a collector on its own host, which keeps a persistent queue (as compose runs it); that collector is
// restarted (SIGTERM, then started again on the same address and queue folder, as an upgrade or a
// crash-looping supervisor does) while the reference server serves sequential tool calls. The SDK's
// exporter retries through the short gap (a failed connection is retryable: up to 5 attempts within
// its 10 s timeout), so at least 99.9% of the calls reach Tempo; what it gave up is counted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../../support/capture.ts';
import { connectAgent, type FaultAgent } from '../../support/faults/agent.ts';
import { percent, recordFigures } from '../../support/faults/figures.ts';
import { type LocatorProcess, startLocatorProcess } from '../../support/faults/locator-process.ts';
import { longMode, phaseMs, timeoutFor } from '../../support/faults/mode.ts';
import { settledSdkSpanCounts } from '../../support/faults/sdk-counts.ts';
import { type KitCollector, startKitCollector } from '../../support/kit-collector.ts';
import { freePort } from '../../support/ports.ts';
import { type OtlpSink, startOtlpSink } from '../../support/sinks/otlp-sink.ts';

const restarts = longMode ? 10 : 2;
const betweenMs = phaseMs(4_000, 30_000);

describe('the application while its same-host collector restarts', () => {
  let sink: OtlpSink;
  let collector: KitCollector | undefined;
  let locator: LocatorProcess;
  let agent: FaultAgent;

  afterAll(async () => {
    await agent?.close();
    await locator?.stop();
    await collector?.stop();
    await sink?.close();
  });

  it(
    'delivers at least 99.9% of the calls through every restart, and counts what it gave up',
    async () => {
      sink = await startOtlpSink({ name: 'tempo', captureRoot: newCaptureRoot('fault-restart') });
      const backends = { tempo: sink.url, loki: `${sink.url}/otlp`, prometheus: `${sink.url}/api/v1/otlp` };
      const start = async () => startKitCollector({ backends, httpPort, queueDir });
      const httpPort = await freePort();
      const queueDir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-queues-'));
      collector = await start();
      locator = await startLocatorProcess({
        collectorUrl: collector.otlpHttpUrl,
        collectorHeaders: collector.authHeaders,
        env: { OTEL_METRIC_EXPORT_INTERVAL: '2000', OTEL_BSP_SCHEDULE_DELAY: '1000' },
      });
      agent = await connectAgent(locator);

      const traffic = agent.callFor(betweenMs * (restarts + 1));
      const gaps: number[] = [];
      for (let restart = 0; restart < restarts; restart++) {
        await sleep(betweenMs);
        const stopped = Date.now();
        await collector?.stop();
        collector = await start();
        gaps.push((Date.now() - stopped) / 1000);
      }
      const calls = await traffic;
      const exitCode = await locator.stop();
      const counts = await settledSdkSpanCounts(sink, 'detainee-locator');
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
