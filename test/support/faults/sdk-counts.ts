// What an application's SDK says it did with its spans, read from what reached the fake backends: its
// self-observability counter otel.sdk.processor.span.processed, exported like any metric (by the kit's
// startTelemetry()), split into the spans exported and those given up (an error.type: queue_full, or the
// failed export's error class). Fault scenarios reconcile it with the spans the fake Tempo received.
import { latestCounts } from '../foreign-servers.ts';
import type { OtlpSink } from '../sinks/otlp-sink.ts';

export interface SdkSpanCounts {
  /** Every span the SDK was handed: exported + given up. */
  sent: number;
  exported: number;
  givenUp: number;
  /** The counts by error.type (`exported` for none). */
  byOutcome: Record<string, number>;
  /** Distinct spans of the service at the sink. */
  received: number;
}

export function sdkSpanCounts(sink: OtlpSink, service: string): SdkSpanCounts {
  const byOutcome: Record<string, number> = {};
  for (const [attributes, count] of Object.entries(
    latestCounts(sink.dataPoints, 'otel.sdk.processor.span.processed', service),
  )) {
    const outcome = (JSON.parse(attributes) as Record<string, string>)['error.type'] ?? 'exported';
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + count;
  }
  const exported = byOutcome.exported ?? 0;
  const sent = Object.values(byOutcome).reduce((sum, count) => sum + count, 0);
  const received = new Set(
    sink.spans
      .filter((span) => span.resource['service.name'] === service)
      .map((span) => `${span.traceId}/${span.spanId}`),
  ).size;
  return { sent, exported, givenUp: sent - exported, byOutcome, received };
}

/**
 * After the application stopped gracefully (its last export counts every span it handled): waits until
 * the counts cover every span that arrived, then a little longer for the collector's batches to drain.
 */
export async function settledSdkSpanCounts(sink: OtlpSink, service: string): Promise<SdkSpanCounts> {
  await sink.waitFor(() => {
    const counts = sdkSpanCounts(sink, service);
    return counts.received > 0 && counts.exported >= counts.received;
  }, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  return sdkSpanCounts(sink, service);
}
