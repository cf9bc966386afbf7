// startTelemetry() wired to in-memory exporters, so tests see exactly what the kit would export, and
// can serialize it with the real OTLP serializers to scan the bytes that would go on the wire.
import {
  JsonLogsSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startTelemetry } from '../../src/index.ts';
import type { StartTelemetryOptions, TelemetryHandle } from '../../src/types.ts';

export interface CapturedTelemetry {
  handle: TelemetryHandle;
  /** Flushes, then returns everything exported so far. */
  collect(): Promise<{ spans: ReadableSpan[]; logs: ReadableLogRecord[]; metrics: MetricData[] }>;
  /** The OTLP protobuf request bodies the exporters would have sent, and the logs as OTLP/JSON too. */
  otlpBytes(): Promise<Buffer>;
  reset(): void;
}

export function startCapturedTelemetry(options: StartTelemetryOptions = {}): CapturedTelemetry {
  const spanExporter = new InMemorySpanExporter();
  const logExporter = new InMemoryLogRecordExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const metricReader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  // Per-principal metrics come from a provider per pseudonym period, each with a reader of its own.
  const principalExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const principalMetricReader = () =>
    new PeriodicExportingMetricReader({ exporter: principalExporter, exportIntervalMillis: 3_600_000 });
  const handle = startTelemetry({
    serviceName: 'kit-test',
    pseudonymKey: 'test-only-pseudonym-key-0123456789abcdef',
    hostMetrics: false,
    traceExporter: spanExporter,
    logExporter,
    metricReader,
    principalMetricReader,
    ...options,
  });
  const collect = async () => {
    await handle.forceFlush();
    // The latest cumulative export of the main provider and of the current period's provider.
    const latest = [metricExporter.getMetrics().at(-1), principalExporter.getMetrics().at(-1)];
    return {
      spans: spanExporter.getFinishedSpans(),
      logs: logExporter.getFinishedLogRecords(),
      metrics: latest.flatMap((resourceMetrics) =>
        (resourceMetrics?.scopeMetrics ?? []).flatMap((scope) => scope.metrics),
      ),
    };
  };
  return {
    handle,
    collect,
    async otlpBytes() {
      await handle.forceFlush();
      const spans = spanExporter.getFinishedSpans();
      const logs = logExporter.getFinishedLogRecords();
      const parts = [
        ProtobufTraceSerializer.serializeRequest(spans),
        ProtobufLogsSerializer.serializeRequest(logs),
        JsonLogsSerializer.serializeRequest(logs),
        ...[...metricExporter.getMetrics(), ...principalExporter.getMetrics()].map((metrics) =>
          ProtobufMetricsSerializer.serializeRequest(metrics),
        ),
      ];
      return Buffer.concat(parts.filter((part): part is Uint8Array => part !== undefined));
    },
    reset() {
      spanExporter.reset();
      logExporter.reset();
    },
  };
}
