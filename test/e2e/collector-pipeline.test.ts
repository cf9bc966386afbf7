// The foundation end to end: the OpenTelemetry Node SDK exports a span, a metric and a log record over
// OTLP/HTTP to the real collector, which delivers all three to a fake OTLP backend.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { logs, metrics, SeverityNumber, trace } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../support/capture.ts';
import { type RunningCollector, startCollector } from '../support/collector.ts';
import { freePort } from '../support/ports.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';

describe('the real collector between the Node SDK and a backend', () => {
  const runId = randomUUID();
  let sink: OtlpSink;
  let collector: RunningCollector;

  beforeAll(async () => {
    sink = await startOtlpSink({ name: 'otlp-backend', captureRoot: newCaptureRoot('foundation') });
    const [healthPort, otlpPort] = [await freePort(), await freePort()];
    collector = await startCollector({
      healthPort,
      configs: [
        {
          extensions: { health_check: { endpoint: `127.0.0.1:${healthPort}` } },
          receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlpPort}` } } } },
          exporters: { otlp_http: { endpoint: sink.url } },
          service: {
            extensions: ['health_check'],
            pipelines: Object.fromEntries(
              ['traces', 'metrics', 'logs'].map((signal) => [
                signal,
                { receivers: ['otlp'], exporters: ['otlp_http'] },
              ]),
            ),
          },
        },
      ],
    });

    const collectorUrl = `http://127.0.0.1:${otlpPort}`;
    const sdk = new NodeSDK({
      resource: resourceFromAttributes({ 'service.name': 'foundation-e2e' }),
      autoDetectResources: false,
      instrumentations: [],
      traceExporter: new OTLPTraceExporter({ url: `${collectorUrl}/v1/traces` }),
      metricReaders: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `${collectorUrl}/v1/metrics` }),
          exportIntervalMillis: 60_000,
        }),
      ],
      logRecordProcessors: [
        new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${collectorUrl}/v1/logs` }) }),
      ],
    });
    sdk.start();
    trace.getTracer('foundation').startActiveSpan('foundation.check', (span) => {
      span.setAttribute('test.run', runId);
      metrics.getMeter('foundation').createCounter('foundation.checks').add(1, { 'test.run': runId });
      logs
        .getLogger('foundation')
        .emit({ severityNumber: SeverityNumber.INFO, body: `foundation log ${runId}` });
      span.end();
    });
    await sdk.shutdown(); // flushes all three signals
    await sink.waitFor(
      (data) => data.spans.length > 0 && data.dataPoints.length > 0 && data.logRecords.length > 0,
    );
  });

  afterAll(async () => {
    await collector?.stop();
    await sink?.close();
  });

  it('delivers the span with its attributes and resource', () => {
    expect(sink.spans).toContainEqual(
      expect.objectContaining({
        name: 'foundation.check',
        attributes: { 'test.run': runId },
        resource: expect.objectContaining({ 'service.name': 'foundation-e2e' }),
      }),
    );
  });

  it('delivers the metric data point', () => {
    expect(sink.dataPoints).toContainEqual(
      expect.objectContaining({
        metric: 'foundation.checks',
        type: 'sum',
        value: 1,
        attributes: { 'test.run': runId },
      }),
    );
  });

  it('delivers the log record correlated with the span it was written in', () => {
    const span = sink.spans.find((s) => s.name === 'foundation.check');
    const record = sink.logRecords.find((r) => r.body === `foundation log ${runId}`);
    expect(record).toMatchObject({
      severityNumber: SeverityNumber.INFO,
      traceId: span?.traceId,
      spanId: span?.spanId,
    });
  });

  it('keeps the raw bytes each request carried in the capture folder', () => {
    const bodies = readdirSync(sink.captureDir).filter((file) => file.endsWith('.body'));
    const captured = bodies
      .map((file) => readFileSync(path.join(sink.captureDir, file)).toString('latin1'))
      .join('');
    expect(bodies.length).toBe(sink.requests.length);
    expect(captured).toContain(runId);
  });
});
