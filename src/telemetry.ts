// startTelemetry(): the OpenTelemetry SDK wired for an MCP server. Traces, metrics and logs go over
// OTLP/HTTP (protobuf) to the collector, configured by the standard OTEL_* variables (endpoint, headers
// for the collector's bearer token, service name, resource attributes, OTEL_SDK_DISABLED, batch sizes,
// sampler). Privacy layer 1 sits in front of every exporter, so nothing leaves the process unsanitized.
//
// The providers are built from the SDK's parts, not with @opentelemetry/sdk-node's NodeSDK: importing
// sdk-node loads every exporter it could configure (gRPC, Zipkin, Prometheus, every OTLP flavour) and
// all resource detectors, which cost most of the kit's start-up time and memory. src/sdk-env.ts reads
// the OTEL_* variables NodeSDK read.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { context, diag, logs, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, setGlobalErrorHandler, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HostMetrics } from '@opentelemetry/host-metrics';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  type Resource,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { startDatadogTracer } from './bridges/datadog.ts';
import { sentryDsn, sentryIngestUrl, startSentryBridge } from './bridges/sentry.ts';
import { ExportOutages } from './export-outages.ts';
import { startFilesystemMetrics } from './filesystem-metrics.ts';
import { configurePrincipalMetrics, PrincipalMetrics } from './mcp/principal-metrics.ts';
import { isVendorEgress, ReadOnlyBaggagePropagator, registerVendorEgress } from './privacy/egress.ts';
import { configurePrivacyGuard, PrivacyGuard } from './privacy/guard.ts';
import { PrivacyLogRecordProcessor } from './privacy/log-processor.ts';
import { PrivacyMetricExporter } from './privacy/metric-exporter.ts';
import { PrivacySpanProcessor } from './privacy/span-processor.ts';
import {
  batchLogConfigFromEnv,
  batchSpanConfigFromEnv,
  diagnosticsFromEnv,
  exportConcurrencyFor,
  otlpEnv,
  samplerFromEnv,
  spanLimitsFromEnv,
} from './sdk-env.ts';
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from './semconv.ts';
import { type ServiceIdentity, serviceIdentity } from './service-identity.ts';
import type { StartTelemetryOptions, TelemetryHandle } from './types.ts';

const disabled: TelemetryHandle = {
  ready: async () => {},
  shutdown: async () => {},
  forceFlush: async () => {},
};

/**
 * The service identity, then what the detectors NodeSDK ran by default find: a random
 * service.instance.id, process, host and os, and OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME last.
 * Privacy layer 1 exports only the allow-listed keys of it (sanitizeResource).
 */
function resourceOf(identity: ServiceIdentity): Resource {
  return resourceFromAttributes({
    [ATTR_SERVICE_NAME]: identity.service,
    ...(identity.version ? { [ATTR_SERVICE_VERSION]: identity.version } : {}),
    ...(identity.environment ? { [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: identity.environment } : {}),
  }).merge(
    detectResources({
      detectors: [serviceInstanceIdDetector, processDetector, hostDetector, osDetector, envDetector],
    }),
  );
}

/**
 * HttpInstrumentation patches node:http and node:https when they are require()d. An ES-module
 * application imports them, which no require hook sees, so its HTTP server and client calls got no
 * spans whatever the import order. Requiring them here lets the hooks patch them (the server on its
 * prototype); syncBuiltinESMExports() then hands the patched functions (request, get) to every ES
 * importer, already linked or not.
 */
function patchLoadedBuiltins(): void {
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
  syncBuiltinESMExports();
}

function tracerChoice(options: StartTelemetryOptions): 'opentelemetry' | 'dd-trace' {
  const choice = options.tracer ?? process.env.MCP_KIT_TRACER?.trim().toLowerCase();
  return choice === 'dd-trace' ? 'dd-trace' : 'opentelemetry';
}

export function startTelemetry(options: StartTelemetryOptions = {}): TelemetryHandle {
  if (process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return disabled;
  diagnosticsFromEnv();
  // The OTLP variables, read by the one parser the bridges use too: a bad one stops start-up in one line.
  const otlp = otlpEnv();

  const guard = configurePrivacyGuard(
    new PrivacyGuard({
      secret: options.pseudonymKey,
      ephemeral: options.ephemeralPseudonyms,
      knownClients: options.knownClients,
      rotationMs: options.pseudonymRotationMs,
      extraAttributes: options.allowAttributes,
    }),
  );
  const identity = serviceIdentity(options);
  // dd-trace, when chosen, must own the tracer provider and context manager before the SDK starts.
  const datadog =
    tracerChoice(options) === 'dd-trace' ? startDatadogTracer(identity, guard, options.datadog) : undefined;
  const resource = resourceOf(identity);
  // One line when a signal's export starts failing and one when it recovers, not one per failed batch.
  const outages = new ExportOutages();
  setGlobalErrorHandler(outages.handleError);
  const exportIntervalMillis =
    options.metricExportIntervalMs ?? Number(process.env.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000);
  // The OTLP metric exporters count the data points of every export they give up on the standard
  // otel.sdk.exporter.metric_data_point.exported{error.type}; the main one is made before the meter
  // provider it counts on, so it is given it once that exists (mainMetricExporter, below).
  let meterProvider: MeterProvider | undefined;
  let mainMetricExporter: OTLPMetricExporter | undefined;
  const otlpMetricReader = () => {
    const exporter = new OTLPMetricExporter(otlp.metrics);
    if (meterProvider) exporter.setSelfObsMeterProvider(meterProvider);
    else mainMetricExporter = exporter;
    return new PeriodicExportingMetricReader({
      exporter: new PrivacyMetricExporter(outages.watch('metrics', exporter), options.metricPrefixes),
      exportIntervalMillis,
    });
  };
  const metricReader = options.metricReader ?? otlpMetricReader();
  meterProvider = new MeterProvider({
    resource,
    readers: [metricReader],
    // Metric attributes pass the same allow-list, without any id (one series per session would follow).
    views: [
      {
        instrumentName: '*',
        attributesProcessors: [{ process: (attributes) => guard.sanitizeMetricAttributes(attributes) }],
      },
    ],
  });
  mainMetricExporter?.setSelfObsMeterProvider(meterProvider);
  const spanBatching = batchSpanConfigFromEnv();
  const logBatching = batchLogConfigFromEnv();
  const spanProcessor = datadog
    ? undefined
    : new PrivacySpanProcessor(
        new BatchSpanProcessor({
          exporter: outages.watch(
            'traces',
            options.traceExporter ??
              new OTLPTraceExporter({
                ...otlp.traces,
                concurrencyLimit: exportConcurrencyFor(spanBatching),
                // otel.sdk.exporter.span.exported{error.type}: what each export gave up, and why.
                selfObsMeterProvider: meterProvider,
              }),
          ),
          ...spanBatching,
          // Spans given up (queue full, export failed after its retries) are counted on the standard
          // otel.sdk.processor.span.processed{error.type}, so a loss shows as a number, not a silence.
          selfObsMeterProvider: meterProvider,
        }),
        guard,
      );
  const logProcessor = new PrivacyLogRecordProcessor(
    new BatchLogRecordProcessor({
      exporter: outages.watch(
        'logs',
        options.logExporter ??
          new OTLPLogExporter({
            ...otlp.logs,
            concurrencyLimit: exportConcurrencyFor(logBatching),
            selfObsMeterProvider: meterProvider,
          }),
      ),
      ...logBatching,
      // Likewise otel.sdk.processor.log.processed{error.type} for log records.
      selfObsMeterProvider: meterProvider,
    }),
    guard,
  );
  // Per-principal metrics get a provider per pseudonym period (src/mcp/principal-metrics.ts), exported
  // like the rest; with a reader of the application's own and no factory beside it, they stay on the
  // main provider.
  const principalReader =
    options.principalMetricReader ?? (options.metricReader ? undefined : otlpMetricReader);

  // With dd-trace as the tracer, the kit registers neither a context manager nor a tracer provider.
  if (!datadog) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // Trace context goes out, the caller's baggage does not (src/privacy/egress.ts).
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new ReadOnlyBaggagePropagator()],
    }),
  );
  metrics.setGlobalMeterProvider(meterProvider);
  const perPrincipal = principalReader
    ? new PrincipalMetrics({ resource, guard, reader: principalReader })
    : undefined;
  configurePrincipalMetrics(perPrincipal);
  const sampler = samplerFromEnv();
  const tracerProvider = spanProcessor
    ? new TracerProvider({
        resource,
        spanProcessors: [spanProcessor],
        spanLimits: spanLimitsFromEnv(),
        ...(sampler ? { sampler } : {}),
      })
    : undefined;
  if (tracerProvider) trace.setGlobalTracerProvider(tracerProvider);
  const loggerProvider = new LoggerProvider({ resource, processors: [logProcessor] });
  logs.setGlobalLoggerProvider(loggerProvider);

  // A curated set, not the whole auto-instrumentation bundle: the transports an MCP server uses, the
  // logger, and runtime metrics (event loop delay, GC, heap). dd-trace brings its own HTTP client and
  // server instrumentation.
  const instrumentations: Instrumentation[] = [
    ...(datadog
      ? []
      : [
          new HttpInstrumentation({
            disableIncomingRequestInstrumentation: options.httpServerSpans !== true,
            ignoreOutgoingRequestHook: (request) =>
              isVendorEgress(
                `${request.protocol ?? 'http:'}//${request.hostname ?? request.host ?? 'localhost'}:${request.port ?? ''}`,
              ),
          }),
          new UndiciInstrumentation({ ignoreRequestHook: (request) => isVendorEgress(request.origin) }),
        ]),
    new PinoInstrumentation(),
    new RuntimeNodeInstrumentation(),
  ];
  const unregisterInstrumentations = registerInstrumentations({ instrumentations });
  if (!datadog) patchLoadedBuiltins();
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
      const flushed = await Promise.allSettled([
        datadog?.forceFlush(),
        spanProcessor?.forceFlush(),
        logProcessor.forceFlush(),
        perPrincipal?.forceFlush(),
        sentry.then((bridge) => bridge?.flush()),
      ]);
      // Metrics after the rest, as at shutdown: they count what those flushes gave up.
      await metricReader.forceFlush();
      const failed = flushed.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
    shutdown: async () => {
      unregisterInstrumentations();
      await Promise.all([
        tracerProvider?.shutdown(),
        perPrincipal?.shutdown(),
        loggerProvider.shutdown(),
        datadog?.shutdown(),
        sentry.then((bridge) => bridge?.close()),
      ]);
      // Last: the spans and log records the final flushes gave up are counted on its meters.
      await meterProvider.shutdown();
    },
  };
}
