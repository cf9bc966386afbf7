// startTelemetry(): the OpenTelemetry Node SDK wired for an MCP server. Traces, metrics and logs go over
// OTLP/HTTP (protobuf) to the collector, configured by the standard OTEL_* variables (endpoint, headers
// for the collector's bearer token, service name, resource attributes, OTEL_SDK_DISABLED). Privacy
// layer 1 sits in front of every exporter, so nothing leaves the process unsanitized.
import { diag } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HostMetrics } from '@opentelemetry/host-metrics';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { startFilesystemMetrics } from './filesystem-metrics.ts';
import { ATTR_SERVICE_NAME } from './mcp/semconv.ts';
import { configurePrivacyGuard, PrivacyGuard } from './privacy/guard.ts';
import { PrivacyLogRecordProcessor } from './privacy/log-processor.ts';
import { PrivacySpanProcessor } from './privacy/span-processor.ts';
import type { StartTelemetryOptions, TelemetryHandle } from './types.ts';

const disabled: TelemetryHandle = { shutdown: async () => {}, forceFlush: async () => {} };

export function startTelemetry(options: StartTelemetryOptions = {}): TelemetryHandle {
  if (process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return disabled;

  const guard = configurePrivacyGuard(
    new PrivacyGuard({
      secret: options.pseudonymKey ?? process.env.MCP_KIT_PSEUDONYM_KEY,
      rotationMs: options.pseudonymRotationMs,
      extraAttributes: options.allowAttributes,
    }),
  );
  const spanProcessor = new PrivacySpanProcessor(
    new BatchSpanProcessor({ exporter: options.traceExporter ?? new OTLPTraceExporter() }),
    guard,
  );
  const logProcessor = new PrivacyLogRecordProcessor(
    new BatchLogRecordProcessor({ exporter: options.logExporter ?? new OTLPLogExporter() }),
    guard,
  );
  const metricReader =
    options.metricReader ??
    new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter(),
      exportIntervalMillis:
        options.metricExportIntervalMs ?? Number(process.env.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000),
    });

  const serviceName = options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'mcp-server';
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: serviceName,
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    }),
    spanProcessors: [spanProcessor],
    logRecordProcessors: [logProcessor],
    metricReaders: [metricReader],
    // Metric attributes pass the same allow-list, without any id (one series per session would follow).
    views: [
      {
        instrumentName: '*',
        attributesProcessors: [{ process: (attributes) => guard.sanitizeMetricAttributes(attributes) }],
      },
    ],
    // A curated set, not the whole auto-instrumentation bundle: the transports an MCP server uses, the
    // logger, and runtime metrics (event loop delay, GC, heap).
    instrumentations: [
      new HttpInstrumentation(),
      new UndiciInstrumentation(),
      new PinoInstrumentation(),
      new RuntimeNodeInstrumentation(),
    ],
  });
  sdk.start();
  if (options.hostMetrics !== false) {
    new HostMetrics({ name: 'mcp-telemetry-kit' }).start();
    startFilesystemMetrics();
  }
  diag.debug(`mcp-telemetry-kit: telemetry started for ${serviceName}`);

  return {
    forceFlush: async () => {
      await Promise.all([spanProcessor.forceFlush(), logProcessor.forceFlush(), metricReader.forceFlush()]);
    },
    shutdown: () => sdk.shutdown(),
  };
}
