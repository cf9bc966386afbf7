// Scenarios 1 and 2 of the fault suite: every backend goes down while an application keeps sending at a
// steady rate, then comes back. The collector's persistent queues (collector/config.yaml) hold what it
// could not deliver and deliver it later; span ids are diffed between what was sent and what Tempo got,
// and every span that did not arrive must show in a counter: the sender's failed exports, or the
// collector's own refused / enqueue-failed / send-failed counters.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../../support/capture.ts';
import { type CollectorMetrics, countedSpanDrops, scrapeCollector } from '../../support/collector-metrics.ts';
import { type OutageBackends, startOutageBackends } from '../../support/faults/backends.ts';
import { percent, recordFigures } from '../../support/faults/figures.ts';
import { longMode, phaseMs, timeoutFor } from '../../support/faults/mode.ts';
import { reconcile, type SpanLoad, sequenceOf, startSpanLoad } from '../../support/faults/span-load.ts';
import { type KitCollector, startKitCollector } from '../../support/kit-collector.ts';
import { freePort } from '../../support/ports.ts';

const exporter = 'otlp_http/tempo';
const rate = longMode ? 500 : 200; // spans per second
const warmup = phaseMs(2_000, 15_000);
const outage = phaseMs(8_000, 120_000);
const afterOutage = phaseMs(2_000, 15_000);

/** The first missing sequence numbers, for the report: which part of the run lost them. */
function missingSequences(load: SpanLoad, missing: string[]): string {
  if (missing.length === 0) return '';
  const sequences = missing.slice(0, 5).map((id) => sequenceOf(load.tag, id));
  return `; missing sequence numbers ${sequences.join(', ')}${missing.length > 5 ? ', …' : ''}`;
}

function drops(metrics: CollectorMetrics): number {
  const counted = countedSpanDrops(metrics, exporter);
  return counted.refused + counted.enqueueFailed + counted.sendFailed;
}

/**
 * Waits until every sent span arrived or is counted as dropped, or nothing changed for a while (the
 * queue is empty and no retry is pending); returns when the last missing span arrived.
 */
async function settle(
  load: SpanLoad,
  backends: OutageBackends,
  collector: KitCollector,
  earlierDrops = 0,
): Promise<number> {
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + phaseMs(120_000, 900_000);
  while (Date.now() < deadline) {
    const received = backends.spans().map((span) => span.spanId);
    const { missing } = reconcile(load.sentIds, received);
    const metrics = await scrapeCollector(collector);
    const queued = metrics.value('otelcol_exporter_queue_size', { exporter });
    if (missing.length <= load.failedIds.size + drops(metrics) + earlierDrops && queued === 0)
      return Date.now();
    if (missing.length !== last) {
      last = missing.length;
      stableSince = Date.now();
    } else if (queued === 0 && Date.now() - stableSince > 20_000) return Date.now();
    await sleep(250);
  }
  return Date.now();
}

describe('a backend outage, with the collector’s persistent queues', () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it(
    'delivers at least 99.9% of the spans once the backends return, and counts every one missing',
    async () => {
      const backends = await startOutageBackends(newCaptureRoot('fault-outage'));
      stops.push(() => backends.close());
      const collector = await startKitCollector({ backends: backends.urls });
      stops.push(() => collector.stop());
      const load = startSpanLoad({
        url: collector.otlpHttpUrl,
        headers: collector.authHeaders,
        spansPerSecond: rate,
      });
      stops.push(() => load.stop());

      await sleep(warmup);
      await backends.down();
      await sleep(outage);
      const queuedAtPeak = (await scrapeCollector(collector)).value('otelcol_exporter_queue_size', {
        exporter,
      });
      await backends.up();
      const recoveryStarted = Date.now();
      await sleep(afterOutage);
      await load.stop();
      const recovered = await settle(load, backends, collector);

      const metrics = await scrapeCollector(collector);
      const result = reconcile(
        load.sentIds,
        backends.spans().map((span) => span.spanId),
      );
      const counted = load.failedIds.size + drops(metrics);
      recordFigures('1-backend-outage', {
        order: 1,
        scenario: `All backends down ${outage / 1000}s at ${rate} spans/s`,
        sent: result.sent,
        received: result.received,
        deliveredPercent: percent(result.received, result.sent),
        countedDrops: counted,
        duplicates: result.duplicates,
        recoverySeconds: (recovered - recoveryStarted) / 1000,
        notes:
          `${queuedAtPeak} bytes queued on disk at the end of the outage; collector alive throughout` +
          missingSequences(load, result.missing),
      });

      expect(collector.alive()).toBe(true);
      expect(result.received / result.sent).toBeGreaterThanOrEqual(0.999);
      expect(result.missing.length, 'spans missing but not counted as dropped').toBeLessThanOrEqual(counted);
    },
    timeoutFor(warmup + outage + afterOutage),
  );

  it(
    'keeps what it queued when the collector is killed (SIGKILL) during the outage and restarted',
    async () => {
      const backends = await startOutageBackends(newCaptureRoot('fault-sigkill'));
      stops.push(() => backends.close());
      const queueDir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-queues-'));
      const httpPort = await freePort();
      const start = () => startKitCollector({ backends: backends.urls, queueDir, httpPort });
      const first = await start();
      const load = startSpanLoad({
        url: first.otlpHttpUrl,
        headers: first.authHeaders,
        spansPerSecond: rate,
      });
      stops.push(() => load.stop());

      await sleep(warmup);
      await backends.down();
      await sleep(outage / 2);
      const beforeKill = await scrapeCollector(first);
      const queuedAtKill = beforeKill.value('otelcol_exporter_queue_size', { exporter });
      const sentBeforeKill = load.sentIds.length;
      await first.kill();
      const killedAt = Date.now();
      const second = await start();
      stops.push(() => second.stop());
      const restartSeconds = (Date.now() - killedAt) / 1000;
      await sleep(outage / 2);
      await backends.up();
      const recoveryStarted = Date.now();
      await sleep(afterOutage);
      await load.stop();
      const recovered = await settle(load, backends, second, drops(beforeKill));

      const result = reconcile(
        load.sentIds,
        backends.spans().map((span) => span.spanId),
      );
      const beforeKillResult = reconcile(
        load.sentIds.slice(0, sentBeforeKill),
        backends.spans().map((span) => span.spanId),
      );
      const counted = load.failedIds.size + drops(beforeKill) + drops(await scrapeCollector(second));
      recordFigures('2-collector-sigkill', {
        order: 2,
        scenario: `Collector SIGKILLed mid-outage (${outage / 1000}s, ${rate} spans/s), restarted on the same queue folder`,
        sent: result.sent,
        received: result.received,
        deliveredPercent: percent(result.received, result.sent),
        countedDrops: counted,
        duplicates: result.duplicates,
        recoverySeconds: (recovered - recoveryStarted) / 1000,
        notes:
          `${queuedAtKill} bytes on disk at the kill; restart took ${restartSeconds.toFixed(1)}s; ` +
          `${beforeKillResult.missing.length} of the ${beforeKillResult.sent} spans sent before the kill missing` +
          missingSequences(load, result.missing),
      });

      expect(second.alive()).toBe(true);
      expect(queuedAtKill, 'the outage had queued data on disk when the collector died').toBeGreaterThan(0);
      expect(beforeKillResult.received / beforeKillResult.sent).toBeGreaterThanOrEqual(0.999);
      expect(result.missing.length, 'spans missing but not counted as dropped').toBeLessThanOrEqual(counted);
    },
    timeoutFor(warmup + outage + afterOutage),
  );
});
