// The collector's own metrics (its Prometheus endpoint, `service.telemetry.metrics`), read as a test, the
// canary or a benchmark needs them: one number per metric name, summed over the series whose labels
// match. The one reader of that endpoint in the repository.
import { setTimeout as sleep } from 'node:timers/promises';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { RunningCollector } from './collector.ts';

export interface CollectorMetrics {
  /**
   * Sum of every series of `name` (with or without the `_total` suffix) whose labels include `labels`;
   * for a histogram, of its observation counts.
   */
  value(name: string, labels?: Record<string, string | RegExp>): number;
}

export async function scrapeCollector(
  collector: Pick<RunningCollector, 'telemetryPort'>,
): Promise<CollectorMetrics> {
  const response = await fetch(`http://127.0.0.1:${collector.telemetryPort}/metrics`, {
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const families = parsePrometheusTextFormat(text);
  // parse-prometheus-text-format 1.1.1 keeps a histogram's series apart only when they have no label
  // but `le` (its flattenMetrics merges them all into one unlabelled sample, with no count). Without
  // the histogram TYPE lines, each `<name>_count` sample parses as a plain series, labels intact.
  const untyped = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram$/gm, ''));
  const histogramCounts = (name: string) =>
    untyped.filter((family) => family.name === `${name}_count`).flatMap((family) => family.metrics);
  return {
    value(name, labels = {}) {
      let sum = 0;
      for (const family of families) {
        if (family.name !== name && family.name !== `${name}_total`) continue;
        const series = family.type === 'HISTOGRAM' ? histogramCounts(family.name) : family.metrics;
        for (const metric of series) {
          const matches = ([key, wanted]: [string, string | RegExp]) => {
            const label = metric.labels?.[key];
            return typeof wanted === 'string' ? label === wanted : label !== undefined && wanted.test(label);
          };
          if (Object.entries(labels).every(matches)) sum += Number(metric.value ?? metric.count ?? 0);
        }
      }
      return sum;
    },
  };
}

/**
 * Spans the collector counted as lost on the way to one exporter: refused by its receiver (the sender
 * was told, so it retried or counted them), failed to enqueue (queue full) and failed to send (retries
 * exhausted). The three counters the collector's own testbed reads to reconcile sent and received.
 */
export function countedSpanDrops(
  metrics: CollectorMetrics,
  exporter: string,
): {
  refused: number;
  enqueueFailed: number;
  sendFailed: number;
} {
  return {
    refused: metrics.value('otelcol_receiver_refused_spans'),
    enqueueFailed: metrics.value('otelcol_exporter_enqueue_failed_spans', { exporter }),
    sendFailed: metrics.value('otelcol_exporter_send_failed_spans', { exporter }),
  };
}

/**
 * Waits until the collector has delivered what it holds for `exporter`: its sending queue is empty (a
 * request may be waiting out a retry backoff of up to 30 s) and what the backend received (`received`)
 * stopped moving between two looks `everyMs` apart. Gives up after `timeoutMs`; the caller's diff then
 * shows what did not arrive.
 */
export async function drained(
  collector: Pick<RunningCollector, 'telemetryPort'>,
  exporter: string,
  received: () => number,
  { everyMs = 3_000, timeoutMs = 300_000 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let seen = -1; Date.now() < deadline; ) {
    const queued = (await scrapeCollector(collector)).value('otelcol_exporter_queue_size', { exporter });
    if (queued === 0 && seen === received()) return;
    seen = received();
    await sleep(everyMs);
  }
}

/**
 * Waits until `exporter`'s sending queue is below half its capacity (a full queue whose backends came
 * back drains at its next retry, up to 30 s away), or `timeoutMs` has passed.
 */
export async function queueHasRoom(
  collector: Pick<RunningCollector, 'telemetryPort'>,
  exporter: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const metrics = await scrapeCollector(collector);
    const capacity = metrics.value('otelcol_exporter_queue_capacity', { exporter });
    if (metrics.value('otelcol_exporter_queue_size', { exporter }) < capacity / 2) return;
    await sleep(250);
  }
}
