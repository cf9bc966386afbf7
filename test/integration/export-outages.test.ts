// An outage of the collector, seen from the application (issue #20): the kit's real OTLP exporters point
// at an address where nothing listens, then a collector stand-in comes up there. The outage is logged
// once per signal when it starts and once when it ends, however many batches failed in between; what the
// SDK gave up, including whole metric exports, is counted on the standard self-observability metrics
// and arrives once the collector is back.
import { setTimeout as sleep } from 'node:timers/promises';
import { logs, metrics, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry } from '../../src/index.ts';
import type { TelemetryHandle } from '../../src/types.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { latestCounts } from '../support/foreign-servers.ts';
import { freePort } from '../support/ports.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';

const SERVICE = 'outage-test';
const SIGNALS = ['traces', 'logs', 'metrics'] as const;

/** The counts of a counter that carry an error.type: what the SDK gave up. */
function givenUp(sink: OtlpSink, metric: string): number {
  return Object.entries(latestCounts(sink.dataPoints, metric, SERVICE))
    .filter(([attributes]) => 'error.type' in JSON.parse(attributes))
    .reduce((sum, [, count]) => sum + count, 0);
}

describe('an outage of the collector, seen from the application', () => {
  const kitLines: string[] = [];
  const writeStderr = process.stderr.write.bind(process.stderr);
  let handle: TelemetryHandle;
  let sink: OtlpSink;
  let linesDuringOutage: string[];

  beforeAll(async () => {
    const port = await freePort();
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_BLRP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '300',
    });
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      const text = String(chunk);
      if (text.startsWith('mcp-telemetry-kit:')) kitLines.push(text.trim());
      return writeStderr(chunk, ...rest);
    }) as typeof process.stderr.write;
    handle = startTelemetry({
      serviceName: SERVICE,
      pseudonymKey: 'test-only-pseudonym-key-0123456789abcdef',
      hostMetrics: false,
    });
    const tracer = trace.getTracer('application');
    const logger = logs.getLogger('application');
    const calls = metrics.getMeter('application').createCounter('locator.upstream.requests');
    const emit = () => {
      tracer.startSpan('upstream lookup').end();
      logger.emit({ body: 'upstream lookup failed' });
      calls.add(1);
    };
    // Three seconds of traffic with nothing listening: dozens of failed batches of every signal.
    for (let tick = 0; tick < 30; tick++) {
      emit();
      await sleep(100);
    }
    linesDuringOutage = [...kitLines];
    sink = await startOtlpSink({ name: 'collector', captureRoot: newCaptureRoot('outage'), port });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && kitLines.filter((line) => line.includes('recovered')).length < 3) {
      emit();
      await sleep(100);
    }
    await handle.forceFlush();
  }, 60_000);

  afterAll(async () => {
    process.stderr.write = writeStderr;
    await handle?.shutdown();
    await sink?.close();
  });

  it('logs one line per signal when its export starts failing, not one per failed batch', () => {
    for (const signal of SIGNALS)
      expect(
        linesDuringOutage.filter((line) => line.startsWith(`mcp-telemetry-kit: ${signal} export failing`)),
        signal,
      ).toHaveLength(1);
    expect(linesDuringOutage).toHaveLength(SIGNALS.length);
  });

  it('names the error and the metric that counts the losses, without a stack trace', () => {
    const traces = linesDuringOutage.find((line) => line.includes('traces export failing')) ?? '';
    expect(traces).toMatch(/ECONNREFUSED|fetch failed|Error/);
    expect(traces).toContain('otel.sdk.processor.span.processed{error.type}');
    for (const line of linesDuringOutage) expect(line).not.toMatch(/\n|\bat .+:\d+:\d+/);
  });

  it('logs one line per signal when it recovers, with how many exports failed', () => {
    for (const signal of SIGNALS) {
      const recovered = kitLines.filter((line) =>
        line.startsWith(`mcp-telemetry-kit: ${signal} export recovered`),
      );
      expect(recovered, signal).toHaveLength(1);
      expect(Number(/after (\d+) failed/.exec(recovered[0] ?? '')?.[1])).toBeGreaterThan(1);
    }
  });

  it('tells, when it recovers, how many of the SDK’s own error reports it held back meanwhile', () => {
    const heldBack = kitLines
      .map((line) => Number(/; (\d+) SDK error report\(s\) held back$/.exec(line)?.[1] ?? 0))
      .reduce((sum, count) => sum + count, 0);
    expect(heldBack).toBeGreaterThan(0);
  });

  it('counts the spans, log records and metric data points it gave up, and delivers the counts once back', () => {
    expect(givenUp(sink, 'otel.sdk.processor.span.processed')).toBeGreaterThan(0);
    expect(givenUp(sink, 'otel.sdk.processor.log.processed')).toBeGreaterThan(0);
    expect(givenUp(sink, 'otel.sdk.exporter.span.exported')).toBeGreaterThan(0);
    expect(givenUp(sink, 'otel.sdk.exporter.metric_data_point.exported')).toBeGreaterThan(0);
  });

  it('delivers what is sent after the collector returns, without a restart', () => {
    expect(sink.spans.some((span) => span.resource['service.name'] === SERVICE)).toBe(true);
    expect(sink.logRecords.length).toBeGreaterThan(0);
  });
});
