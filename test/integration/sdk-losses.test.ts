// The SDK counts what it gives up (issue #20): every span and log record the kit's SDK drops because its
// queue is full, or gives up after the exporter's retries failed, is counted on the semantic
// conventions' otel.sdk.processor.{span,log}.processed with an error.type, exported like any metric, so
// a backend outage shows as a number (sent = exported + counted losses) instead of a silence.
import { logs, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPExporterError } from '@opentelemetry/otlp-exporter-base';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CapturedTelemetry, startCapturedTelemetry } from '../support/telemetry.ts';

const QUEUE = 16;
const SENT = 200;

/** An exporter whose backend is down: every export fails as the OTLP exporter's do, after its retries. */
class UnreachableBackend implements SpanExporter, LogRecordExporter {
  attempted = 0;
  export(
    items: ReadableSpan[] | ReadableLogRecord[],
    done: (result: { code: ExportResultCode; error?: Error }) => void,
  ) {
    this.attempted += items.length;
    setImmediate(() =>
      done({ code: ExportResultCode.FAILED, error: new OTLPExporterError('connect ECONNREFUSED') }),
    );
  }
  async shutdown() {}
  async forceFlush() {}
}

/** The latest cumulative count of a counter, by its error.type (`ok` for none). */
function processed(metrics: MetricData[], name: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const metric of metrics.filter((m) => m.descriptor.name === name))
    for (const point of metric.dataPoints) {
      const key = String(point.attributes['error.type'] ?? 'ok');
      counts[key] = (counts[key] ?? 0) + Number(point.value);
    }
  return counts;
}

describe('what the kit’s SDK gives up while its backend is down', () => {
  const spans = new UnreachableBackend();
  const records = new UnreachableBackend();
  let telemetry: CapturedTelemetry;
  let metrics: MetricData[];

  beforeAll(async () => {
    for (const prefix of ['OTEL_BSP', 'OTEL_BLRP']) {
      process.env[`${prefix}_MAX_QUEUE_SIZE`] = `${QUEUE}`;
      process.env[`${prefix}_MAX_EXPORT_BATCH_SIZE`] = `${QUEUE}`;
      process.env[`${prefix}_SCHEDULE_DELAY`] = '3600000';
    }
    telemetry = startCapturedTelemetry({ traceExporter: spans, logExporter: records });
    const tracer = trace.getTracer('application');
    const logger = logs.getLogger('application');
    for (let i = 0; i < SENT; i++) {
      tracer.startSpan('upstream lookup').end();
      logger.emit({ body: 'upstream lookup failed' });
    }
    // The flush reports the failed exports, and exports the counts they left.
    await expect(telemetry.handle.forceFlush()).rejects.toThrow(OTLPExporterError);
    metrics = (await telemetry.collect()).metrics;
  });

  afterAll(async () => {
    await telemetry.handle.shutdown();
  });

  /** Given SENT and a backend that refuses all: each one counted once, as queue_full or as its export's error. */
  const expectAllCounted = (counts: Record<string, number>, exporter: UnreachableBackend) => {
    expect(Object.keys(counts).sort()).toEqual(['OTLPExporterError', 'queue_full']);
    expect(counts.OTLPExporterError).toBe(exporter.attempted);
    expect((counts.queue_full ?? 0) + (counts.OTLPExporterError ?? 0)).toBe(SENT);
  };

  it('counts the spans its full queue refused and those whose export failed: they add up to all it was given', () => {
    expectAllCounted(processed(metrics, 'otel.sdk.processor.span.processed'), spans);
  });

  it('counts the log records likewise', () => {
    expectAllCounted(processed(metrics, 'otel.sdk.processor.log.processed'), records);
  });

  it('names the processor whose queue it is, and reports the queue’s capacity', () => {
    const capacity = metrics.find((m) => m.descriptor.name === 'otel.sdk.processor.span.queue.capacity');
    expect(capacity?.dataPoints[0]?.value).toBe(QUEUE);
    expect(capacity?.dataPoints[0]?.attributes).toEqual({
      'otel.component.type': 'batching_span_processor',
      'otel.component.name': expect.stringMatching(/^batching_span_processor\/\d+$/),
    });
  });
});
