// startTelemetry(): the OpenTelemetry Node SDK wired for an MCP server. Traces, metrics and logs go over
// OTLP/HTTP (protobuf) to the collector, configured by the standard OTEL_* variables (endpoint, headers
// for the collector's bearer token, service name, resource attributes, OTEL_SDK_DISABLED). Privacy
// layer 1 sits in front of every exporter, so nothing leaves the process unsanitized.
import { diag } from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
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
import { startDatadogTracer } from './bridges/datadog.ts';
import { sentryDsn, sentryIngestUrl, startSentryBridge } from './bridges/sentry.ts';
import { startFilesystemMetrics } from './filesystem-metrics.ts';
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from './mcp/semconv.ts';
import { isVendorEgress, ReadOnlyBaggagePropagator, registerVendorEgress } from './privacy/egress.ts';
import { configurePrivacyGuard, PrivacyGuard } from './privacy/guard.ts';
import { PrivacyLogRecordProcessor } from './privacy/log-processor.ts';
import { PrivacySpanProcessor } from './privacy/span-processor.ts';
import { type ServiceIdentity, serviceIdentity } from './service-identity.ts';
import type { StartTelemetryOptions, TelemetryHandle } from './types.ts';

const disabled: TelemetryHandle = {
  ready: async () => {},
  shutdown: async () => {},
  forceFlush: async () => {},
};

function resourceOf(identity: ServiceIdentity) {
  return resourceFromAttributes({
    [ATTR_SERVICE_NAME]: identity.service,
    ...(identity.version ? { [ATTR_SERVICE_VERSION]: identity.version } : {}),
    ...(identity.environment ? { [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: identity.environment } : {}),
  });
}

function tracerChoice(options: StartTelemetryOptions): 'opentelemetry' | 'dd-trace' {
  const choice = options.tracer ?? process.env.MCP_KIT_TRACER?.trim().toLowerCase();
  return choice === 'dd-trace' ? 'dd-trace' : 'opentelemetry';
}

export function startTelemetry(options: StartTelemetryOptions = {}): TelemetryHandle {
  if (process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return disabled;

  const guard = configurePrivacyGuard(
    new PrivacyGuard({
      secret: options.pseudonymKey ?? process.env.MCP_KIT_PSEUDONYM_KEY,
      rotationMs: options.pseudonymRotationMs,
      extraAttributes: options.allowAttributes,
    }),
  );
  const identity = serviceIdentity(options);
  // dd-trace, when chosen, must own the tracer provider and context manager before the SDK starts.
  const datadog =
    tracerChoice(options) === 'dd-trace' ? startDatadogTracer(identity, guard, options.datadog) : undefined;
  const spanProcessor = datadog
    ? undefined
    : new PrivacySpanProcessor(
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

  const sdk = new NodeSDK({
    resource: resourceOf(identity),
    // With dd-trace as the tracer the SDK registers no tracer provider (an empty list means none).
    spanProcessors: spanProcessor ? [spanProcessor] : [],
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
    // Trace context goes out, the caller's baggage does not (src/privacy/egress.ts).
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new ReadOnlyBaggagePropagator()],
    }),
    // dd-trace brings its own HTTP client and server instrumentation.
    instrumentations: [
      ...(datadog
        ? []
        : [
            new HttpInstrumentation({
              ignoreOutgoingRequestHook: (request) =>
                isVendorEgress(
                  `${request.protocol ?? 'http:'}//${request.hostname ?? request.host ?? 'localhost'}:${request.port ?? ''}`,
                ),
            }),
            new UndiciInstrumentation({ ignoreRequestHook: (request) => isVendorEgress(request.origin) }),
          ]),
      new PinoInstrumentation(),
      new RuntimeNodeInstrumentation(),
    ],
  });
  sdk.start();
  if (options.hostMetrics !== false) {
    new HostMetrics({ name: 'mcp-telemetry-kit' }).start();
    startFilesystemMetrics();
  }
  diag.debug(`mcp-telemetry-kit: telemetry started for ${identity.service}`);

  // Sentry is imported asynchronously (an ES module); ready() tells when it is initialised.
  const dsn = sentryDsn(options.sentry);
  if (dsn) registerVendorEgress(sentryIngestUrl(dsn));
  const sentry = dsn ? startSentryBridge(dsn, guard, identity) : Promise.resolve(undefined);

  return {
    ready: async () => {
      await sentry;
    },
    forceFlush: async () => {
      await Promise.all([
        datadog?.forceFlush(),
        spanProcessor?.forceFlush(),
        logProcessor.forceFlush(),
        metricReader.forceFlush(),
        sentry.then((bridge) => bridge?.flush()),
      ]);
    },
    shutdown: async () => {
      await Promise.all([sdk.shutdown(), datadog?.shutdown(), sentry.then((bridge) => bridge?.close())]);
    },
  };
}
