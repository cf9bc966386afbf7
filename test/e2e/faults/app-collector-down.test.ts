// Scenario 3 of the fault suite: the collector goes away while the application (the reference server as
// its own process, startTelemetry() exporting over OTLP/HTTP) serves tool calls, then comes back on the
// same address. The SDK must never hurt the application: no crash, memory bounded by its fixed queues
// (BatchSpanProcessor holds at most 16,384 spans), the outage logged once per signal when it starts and
// once when it ends (never per batch or span), and export resumes by itself when the collector returns.
// Every span it does not deliver is counted (otel.sdk.processor.span.processed with an error.type,
// exported once the collector is back): spans sent = spans received + counted drops. Latency is
// reported, not asserted.
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.ts';
import type { Call } from '../../support/faults/agent.ts';
import { type AppRig, LOCATOR_SERVICE, startAppRig } from '../../support/faults/app-rig.ts';
import { percent, quantile, recordFigures } from '../../support/faults/figures.ts';
import { phaseMs, timeoutFor } from '../../support/faults/mode.ts';
import { settledSdkSpanCounts } from '../../support/faults/sdk-counts.ts';

const normalMs = phaseMs(5_000, 60_000);
const downMs = phaseMs(10_000, 180_000);
const afterMs = phaseMs(3_000, 30_000);
const mib = 1024 * 1024;

describe('the application while its collector is down', () => {
  let rig: AppRig | undefined;

  afterAll(async () => {
    await rig?.close();
  });

  it(
    'keeps serving with bounded memory, logs the outage once, and resumes export when it returns',
    async () => {
      // The kit's own outage lines, at the default log level; metrics export often so they fail too.
      rig = await startAppRig('app', {
        OTEL_METRIC_EXPORT_INTERVAL: '2000',
        OTEL_BSP_SCHEDULE_DELAY: '1000',
      });
      const { sink, locator, agent } = rig;
      const callFor = agent.callFor;
      const arrivedTraces = () => new Set(sink.spans.map((span) => span.traceId));

      await callFor(phaseMs(2_000, 10_000)); // warm-up (JIT, connections), not measured
      const normal = await callFor(normalMs);
      const rssBefore = locator.rssBytes();
      const logBefore = locator.logs().length;

      await rig.stopCollector();
      const down: Call[] = [];
      let rssMax = rssBefore;
      const until = Date.now() + downMs;
      while (Date.now() < until) {
        down.push(...(await callFor(1_000)));
        rssMax = Math.max(rssMax, locator.rssBytes());
      }
      const outageLog = locator.logs().slice(logBefore);
      const failureLines = outageLog
        .split('\n')
        .filter((line) => /export|ECONNREFUSED|Dropped|fetch failed/i.test(line));
      const failingLines = (signal: string) =>
        failureLines.filter((line) => line.startsWith(`mcp-telemetry-kit: ${signal} export failing`)).length;

      await rig.startCollector();
      const returned = Date.now();
      const after = await callFor(afterMs);
      const lastCall = after.at(-1) as Call;
      await sink.waitFor((data) => data.spans.some((span) => span.traceId === lastCall.traceId), 60_000);
      const resumedSeconds = (Date.now() - returned) / 1000;
      const recoveryLine = await eventually(async () =>
        locator
          .logs()
          .split('\n')
          .find((line) => line.startsWith('mcp-telemetry-kit: traces export recovered')),
      );
      const rssAfter = locator.rssBytes();
      const aliveAtEnd = locator.alive();
      // Stopped gracefully, the server flushes its spans, then exports the counts of those it gave up.
      const exitCode = await locator.stop();
      const counts = await settledSdkSpanCounts(sink, LOCATOR_SERVICE);

      const arrived = arrivedTraces();
      const all = [...normal, ...down, ...after];
      const received = all.filter((call) => arrived.has(call.traceId)).length;
      const downArrived = down.filter((call) => arrived.has(call.traceId)).length;
      const p99 = (calls: Call[]) =>
        quantile(
          calls.map((call) => call.ms),
          0.99,
        );
      const ratio = p99(down) / p99(normal);
      recordFigures('3-app-collector-down', {
        order: 3,
        scenario: `Collector down ${downMs / 1000}s under the reference server (sequential tool calls)`,
        sent: counts.sent,
        received: counts.received,
        deliveredPercent: percent(counts.received, counts.sent),
        countedDrops: counts.givenUp,
        rssGrowthMiB: Math.round(((rssMax - rssBefore) / mib) * 10) / 10,
        latencyP99Ratio: Math.round(ratio * 100) / 100,
        recoverySeconds: resumedSeconds,
        notes:
          `spans counted at the SDK: ${JSON.stringify(counts.byOutcome)}; ` +
          `${received} of ${all.length} calls traced; ` +
          `${normal.length}/${down.length}/${after.length} calls before/during/after; p99 ${p99(normal).toFixed(1)} ms → ` +
          `${p99(down).toFixed(1)} ms; ${downArrived} of ${down.length} calls made during the outage reached Tempo ` +
          `(the SDK keeps no disk queue); ${failureLines.length} failure log lines during the outage, then ${JSON.stringify(recoveryLine ?? '')}; ` +
          `RSS ${(rssBefore / mib).toFixed(0)} → max ${(rssMax / mib).toFixed(0)} → ${(rssAfter / mib).toFixed(0)} MiB; ` +
          `first failure line: ${JSON.stringify(failureLines[0]?.slice(0, 160) ?? '')}`,
      });

      expect(aliveAtEnd, 'the application did not crash').toBe(true);
      expect(
        down.every((call) => call.ok),
        'every tool call during the outage succeeded',
      ).toBe(true);
      expect(after.every((call) => call.ok)).toBe(true);
      // Bounded: the SDK's queues are fixed-size (16,384 spans, 2048 log records: tens of MiB), so the outage
      // cannot grow memory with the traffic. RSS also moves with the garbage collector's pace, hence a
      // generous ceiling; the measured growth is reported.
      expect(rssMax - rssBefore).toBeLessThan(192 * mib);
      // Logged once per outage: one line for each signal whose export failed, then one when it recovered.
      expect(failingLines('traces'), 'the traces outage logged once').toBe(1);
      expect(
        failingLines('logs') + failingLines('metrics'),
        'and each other signal at most once',
      ).toBeLessThanOrEqual(2);
      expect(failureLines, 'no other failure line').toHaveLength(
        failingLines('traces') + failingLines('logs') + failingLines('metrics'),
      );
      expect(recoveryLine, 'the recovery logged').toMatch(
        /after \d+ failed export\(s\) over \d+ s(; \d+ SDK error report\(s\) held back)?$/,
      );
      expect(arrived.has(lastCall.traceId), 'spans resume without restarting the application').toBe(true);
      expect(exitCode, 'the server stops cleanly').toBe(0);
      // Every span the SDK did not deliver is counted; a span counted as exported may still arrive twice.
      expect(counts.received + counts.givenUp, 'sent = received + counted drops').toBeGreaterThanOrEqual(
        counts.sent,
      );
    },
    timeoutFor(normalMs + downMs + afterMs),
  );
});
