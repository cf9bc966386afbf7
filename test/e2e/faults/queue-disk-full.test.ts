// Scenario 11 of the fault suite: the persistent queue's disk, small, with the backends down. The
// collector's queue folder is a small tmpfs of its own (mounted in a mount namespace of the collector's,
// so nothing outside the test sees it); every span waits on that disk. Two ways it goes:
// - as configured (collector/config.yaml): the queues are sized in bytes under their disk
//   (OTELCOL_QUEUE_BYTES), so the queue fills first, refuses what it cannot hold retryably and counts it,
//   and the disk never fills;
// - the disk full first (queues larger than their disk, or something else filling the volume): the
//   collector must not die or lose data silently either, but in long mode (a minute full) it does: the
//   queue of collector 0.159 deletes a stored request uncounted when it cannot write its read index
//   (docs/reliability.md). Short mode has not shown it.
// Either way, once the disk has room (a remount, as an operator would extend a volume) and the backends
// return, the spans sent from then on arrive (or, if their sender was still busy retrying what was
// refused, are counted by it).

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../../support/capture.ts';
import {
  type CollectorMetrics,
  countedSpanDrops,
  drained,
  queueHasRoom,
  scrapeCollector,
} from '../../support/collector-metrics.ts';
import { startOutageBackends } from '../../support/faults/backends.ts';
import { percent, recordFigures } from '../../support/faults/figures.ts';
import { phaseMs, timeoutFor } from '../../support/faults/mode.ts';
import { reconcile, startSpanLoad } from '../../support/faults/span-load.ts';
import { startKitCollector } from '../../support/kit-collector.ts';

const exporter = 'otlp_http/tempo';
const DISK = '512k';
// Three queues share the disk (Tempo's, Loki's, Prometheus's): 96 KiB each leaves a quarter of it for
// bbolt's own pages.
const QUEUE_BYTES_UNDER_DISK = 96 * 1024;
type Variant = 'queue sized under its disk' | 'disk full first';
const rate = 500; // spans per second
const fullFor = phaseMs(4_000, 60_000);
// Long enough for a sender's exports in flight, still retrying what was refused (the OTLP exporter's
// backoff reaches 5 s), to get through once the queue has room, so newer batches go out again.
const afterMs = phaseMs(8_000, 30_000);
// A queue full of requests for backends that were down drains at the exporter's next retry, whose
// backoff reaches 30 s (retry_on_failure): the traffic counted as "after" starts once it has room.
const drainLimitMs = 60_000;
const fillLimitMs = phaseMs(60_000, 300_000);

/** Any sign of a full disk: spans the collector refused or failed to queue. */
function drops(metrics: CollectorMetrics): number {
  const counted = countedSpanDrops(metrics, exporter);
  return counted.refused + counted.enqueueFailed + counted.sendFailed;
}

describe('the persistent queue’s small disk, filled, then freed', () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  const fill = async (variant: Variant) => {
    const sizedUnderDisk = variant === 'queue sized under its disk';
    const backends = await startOutageBackends(newCaptureRoot('fault-disk-full'));
    stops.push(() => backends.close());
    const queueDir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-queues-'));
    const collector = await startKitCollector({
      backends: backends.urls,
      queueDir,
      launcher: [
        'unshare',
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount -t tmpfs -o size=${DISK} tmpfs "$0" && exec "$@"`,
        queueDir,
      ],
      // The default (256 MiB a queue) is far larger than this disk: the disk fills first.
      ...(sizedUnderDisk ? { env: { OTELCOL_QUEUE_BYTES: String(QUEUE_BYTES_UNDER_DISK) } } : {}),
    });
    stops.push(() => collector.stop());
    await backends.down();
    const load = startSpanLoad({
      url: collector.otlpHttpUrl,
      headers: collector.authHeaders,
      spansPerSecond: rate,
    });
    stops.push(() => load.stop());

    // Fill: until the collector can no longer queue (it refuses, or counts what failed to enqueue).
    const started = Date.now();
    let metrics = await scrapeCollector(collector);
    while (drops(metrics) + load.failedIds.size === 0 && Date.now() - started < fillLimitMs) {
      await sleep(500);
      metrics = await scrapeCollector(collector);
    }
    const fullAfterSeconds = (Date.now() - started) / 1000;
    const queuedWhenFull = metrics.value('otelcol_exporter_queue_size', { exporter });
    await sleep(fullFor);
    const aliveWhileFull = collector.alive();
    const diskUsedKiB = Number(
      execFileSync(
        'nsenter',
        ['--target', String(collector.pid), '--mount', 'df', '-k', '--output=used', queueDir],
        {
          encoding: 'utf8',
        },
      )
        .trim()
        .split('\n')
        .at(-1),
    );

    // Freed: the disk grows, the backends return; once the queue has room, spans sent must arrive.
    execFileSync('nsenter', [
      '--target',
      String(collector.pid),
      '--mount',
      'mount',
      '-o',
      'remount,size=64m',
      queueDir,
    ]);
    await backends.up();
    await queueHasRoom(collector, exporter, drainLimitMs);
    const sentBeforeFreed = load.sentIds.length;
    await sleep(afterMs);
    await load.stop();

    await drained(collector, exporter, () => backends.spans().length);
    metrics = await scrapeCollector(collector);
    const received = backends.spans().map((span) => span.spanId);
    const result = reconcile(load.sentIds, received);
    const afterFreed = reconcile(load.sentIds.slice(sentBeforeFreed), received);
    const collectorCounts = countedSpanDrops(metrics, exporter);
    // A span that failed to enqueue was refused to its sender (the receiver answers the error), which
    // retried it and, failing, counted it: counted once, at the sender, unless the collector counted
    // more than it refused.
    const counted =
      load.failedIds.size +
      collectorCounts.sendFailed +
      Math.max(0, collectorCounts.enqueueFailed - collectorCounts.refused);
    const missingAfterFreed = afterFreed.missing.filter((id) => !load.failedIds.has(id)).length;
    const uncounted = result.missing.filter((id) => !load.failedIds.has(id)).length;
    const diskErrors = collector.logs().match(/no space left on device/gi)?.length ?? 0;

    recordFigures(sizedUnderDisk ? '11-queue-full' : '11-queue-disk-full', {
      order: 11,
      scenario: `Persistent queue on a ${DISK} disk, ${
        sizedUnderDisk
          ? `sized under it (${QUEUE_BYTES_UNDER_DISK / 1024} KiB a queue)`
          : 'the disk full first'
      }, backends down, ${rate} spans/s until full; then the disk grown and the backends back`,
      sent: result.sent,
      received: result.received,
      deliveredPercent: percent(result.received, result.sent),
      countedDrops: counted,
      duplicates: result.duplicates,
      notes:
        `full after ${fullAfterSeconds.toFixed(1)} s with ${queuedWhenFull} bytes queued for Tempo and ${diskUsedKiB} KiB of the disk used; while full: ` +
        `${collectorCounts.refused} spans refused to the sender, ${collectorCounts.enqueueFailed} failed to enqueue, ` +
        `the senders gave up on ${load.failedIds.size}; ${diskErrors} "no space left" log lines; collector alive; ` +
        `${afterFreed.received} of ${afterFreed.sent} spans sent after the disk was freed arrived ` +
        `(the ${afterFreed.missing.length - missingAfterFreed} others given up by their sender); ${uncounted} missing ` +
        `without being counted; the collector accepted ${metrics.value('otelcol_receiver_accepted_spans')} and sent ` +
        `${metrics.value('otelcol_exporter_sent_spans', { exporter })} to Tempo; the senders' failures: ` +
        `${JSON.stringify(Object.fromEntries(load.failures))} (their exports in flight were all still retrying ` +
        'refusals)',
    });

    expect(aliveWhileFull, 'the collector survives a full disk').toBe(true);
    expect(collector.alive()).toBe(true);
    expect(counted, 'the full queue or disk shows in a counter').toBeGreaterThan(0);
    if (sizedUnderDisk) expect(diskErrors, 'the queue fills before its disk does').toBe(0);
    // Once the disk has room the collector takes everything again; a sender still busy retrying what was
    // refused may give up newer spans of its own (counted, and reported above).
    expect(afterFreed.received, 'spans flow again once the disk has room').toBeGreaterThan(0);
    expect(
      missingAfterFreed,
      'every span sent after the disk was freed arrives, or its sender counted it',
    ).toBe(0);
    expect(result.missing.length, 'spans missing but not counted as dropped').toBeLessThanOrEqual(counted);
  };

  it(
    'sized under its disk, refuses and counts what the full queue cannot hold, and the disk never fills',
    () => fill('queue sized under its disk'),
    timeoutFor(fillLimitMs + fullFor + drainLimitMs + afterMs),
  );

  it(
    'with its disk full first, stays up, refuses or counts what it cannot queue, and queues again once the disk has room',
    () => fill('disk full first'),
    timeoutFor(fillLimitMs + fullFor + drainLimitMs + afterMs),
  );
});
