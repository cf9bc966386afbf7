// The span queue holds 16,384 spans (src/sdk-env.ts), so a burst the exporter could not keep up with
// is still sent whole on shutdown or forceFlush: the batch processor then exports every batch at once,
// and the OTLP exporter refuses exports past its concurrency limit (30 by default, 32 batches here).
import { trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { startTelemetry } from '../../src/index.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';

describe('a full span queue', () => {
  let sink: OtlpSink;
  afterAll(() => sink?.close());

  it('reaches the collector whole when the application shuts down', async () => {
    sink = await startOtlpSink({ name: 'span-queue-flush', captureRoot: newCaptureRoot('span-queue-flush') });
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.url;
    const telemetry = startTelemetry({
      serviceName: 'burst',
      pseudonymKey: 'test-only-pseudonym-key-0123456789abcdef',
      hostMetrics: false,
      metricExportIntervalMs: 3_600_000,
    });
    // 16,000 spans without yielding to the event loop: no export can finish before shutdown.
    const tracer = trace.getTracer('bursty-app');
    for (let i = 0; i < 16_000; i++) tracer.startSpan('work').end();

    await telemetry.shutdown();

    expect(sink.spans.filter((span) => span.name === 'work')).toHaveLength(16_000);
  });
});
