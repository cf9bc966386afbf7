// The dd-trace bridge: dd-trace records the spans (for teams that want its APM features and
// auto-instrumentations) and the kit's MCP spans go through it too, with the same names and semconv
// attributes. dd-trace exports OTLP/HTTP to the kit's collector instead of to a Datadog agent, so its
// spans pass privacy layer 2 and fan out like everything else (to Tempo, and to Datadog only through a
// collector overlay). Loaded with createRequire only when configured: dd-trace patches modules as they
// load, so it has to start synchronously, before the application imports what it instruments.
//
// dd-trace's own network features that would reach Datadog (instrumentation telemetry, remote
// configuration, crash tracking, AppSec, IAST, LLM Observability, profiling) are switched off, and so
// are the plugins that copy payloads into spans: the MCP plugin (it puts a tool's result text into the
// error message) and the full query string of HTTP URLs.
//
// dd-trace exports its spans itself, not through an OpenTelemetry span processor, so privacy layer 1
// is applied where they leave: the bridge wraps dd-trace's OTLP exporter (src/bridges/datadog-span.ts).
// That exporter, the DogStatsD client the bridge silences and the context manager it registers are
// dd-trace internals (no public name); if a dd-trace version moves the first two, startTelemetry throws
// rather than export unsanitized spans or send metrics to an agent.
import { createRequire } from 'node:module';
import path from 'node:path';
import { type ContextManager, context, diag, trace } from '@opentelemetry/api';
import type { PrivacyGuard } from '../privacy/guard.ts';
import { otlpEndpointFromEnv } from '../sdk-env.ts';
import type { ServiceIdentity } from '../service-identity.ts';
import type { DatadogBridgeOptions } from '../types.ts';
import { type DatadogFormattedSpan, sanitizeDatadogSpan } from './datadog-span.ts';

type DdTracer = typeof import('dd-trace');

export interface DatadogBridge {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Where dd-trace's spans go: the collector's OTLP/HTTP receiver, as the kit's own exporters. */
export function datadogTracesEndpoint(options: DatadogBridgeOptions = {}): string {
  return otlpEndpointFromEnv('traces', options.tracesEndpoint);
}

/**
 * The environment dd-trace reads at load time (some of these settings exist only as variables). Privacy
 * settings are forced; the rest fills only what the user left unset.
 */
export function datadogEnvironment(
  identity: ServiceIdentity,
  options: DatadogBridgeOptions = {},
): Record<string, string> {
  return {
    // Traces as OTLP (dd-trace supports http/json only) to the collector, never to an agent.
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: datadogTracesEndpoint(options),
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    // OpenTelemetry semantics in what it exports (no Datadog-only span fields as attributes).
    DD_TRACE_OTEL_SEMANTICS_ENABLED: 'true',
    // Nothing phones home.
    DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
    DD_REMOTE_CONFIGURATION_ENABLED: 'false',
    DD_CRASHTRACKING_ENABLED: 'false',
    DD_APPSEC_ENABLED: 'false',
    DD_IAST_ENABLED: 'false',
    DD_LLMOBS_ENABLED: 'false',
    DD_DATA_STREAMS_ENABLED: 'false',
    DD_RUNTIME_METRICS_ENABLED: 'false',
    DD_PROFILING_ENABLED: options.profiling ? 'true' : 'false',
    DD_TRACE_STARTUP_LOGS: 'false',
    // Trace context goes out, the caller's baggage does not (src/privacy/egress.ts).
    DD_TRACE_PROPAGATION_STYLE_INJECT: 'datadog,tracecontext',
    // No client addresses, no headers as tags.
    DD_TRACE_CLIENT_IP_ENABLED: 'false',
    DD_TRACE_HEADER_TAGS: '',
    // Unified service tagging: the same three values as the OpenTelemetry resource.
    DD_SERVICE: identity.service,
    ...(identity.environment ? { DD_ENV: identity.environment } : {}),
    ...(identity.version ? { DD_VERSION: identity.version } : {}),
  };
}

/**
 * Starts dd-trace as the process's tracer and registers its OpenTelemetry TracerProvider, so spans made
 * with @opentelemetry/api (the kit's MCP spans among them) are dd-trace spans. Returns undefined when
 * dd-trace is not installed. Must run before the OpenTelemetry SDK registers its context manager.
 */
export function startDatadogTracer(
  identity: ServiceIdentity,
  guard: PrivacyGuard,
  options: DatadogBridgeOptions = {},
): DatadogBridge | undefined {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('dd-trace');
  } catch (error) {
    diag.warn(`mcp-telemetry-kit: tracer dd-trace was asked for but could not be loaded (${error})`);
    return undefined;
  }
  Object.assign(process.env, datadogEnvironment(identity, options));
  const tracer = require(entry) as DdTracer;
  // dd-trace's custom-metrics client (`tracer.dogstatsd`) has no switch: created at init, it sends its
  // own client telemetry to the agent every 10 s and at exit, tagged with every global tag (including
  // OTEL_RESOURCE_ATTRIBUTES, where an operator's e-mail was found by the canary run). It is replaced by
  // dd-trace's own no-op client before init; metrics go through the OpenTelemetry SDK instead.
  if (!silenceCustomMetrics(entry)) {
    throw new Error(
      "mcp-telemetry-kit: dd-trace's custom-metrics client is not where this bridge expects it; refusing " +
        'to start dd-trace, which would send metrics to a Datadog agent',
    );
  }
  tracer.init({
    service: identity.service,
    ...(identity.environment ? { env: identity.environment } : {}),
    ...(identity.version ? { version: identity.version } : {}),
    startupLogs: false,
    runtimeMetrics: false,
    clientIpEnabled: false,
    headerTags: [],
    profiling: options.profiling ?? false,
  });
  if (!applyLayerOne(tracer, guard)) {
    throw new Error(
      "mcp-telemetry-kit: dd-trace's exporter is not where this bridge expects it (a dd-trace version " +
        'it does not support?); refusing to export spans without privacy layer 1',
    );
  }
  // The kit instruments MCP itself; dd-trace's plugin would put a tool's result text into spans.
  tracer.use('modelcontextprotocol-sdk', false);
  // Query strings carry what a caller typed: every value is obfuscated.
  tracer.use('http', { server: { queryStringObfuscation: true } });

  // dd-trace's provider has forceFlush and shutdown; its declared type is the API's interface only.
  const provider = new tracer.TracerProvider() as InstanceType<DdTracer['TracerProvider']> & {
    forceFlush(): Promise<void>;
    shutdown(): Promise<void>;
  };
  // dd-trace ships its own copy of @opentelemetry/api (its range stops below the kit's 1.10), and the
  // API's globals accept registrations from one version only. Registering with the kit's copy makes
  // dd-trace's provider and context manager the ones both copies see (an older API reads a newer
  // global). The context manager is what parents dd-trace's HTTP spans and the kit's MCP spans in one
  // trace; dd-trace exports no name for it, hence the path inside the package.
  const DdContextManager = loadContextManager(entry);
  if (DdContextManager) context.setGlobalContextManager(new DdContextManager());
  trace.setGlobalTracerProvider(provider);

  return {
    forceFlush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}

/** Makes dd-trace build its no-op DogStatsD client for `tracer.dogstatsd`; false if not found. */
function silenceCustomMetrics(entry: string): boolean {
  try {
    const load = createRequire(entry);
    const source = path.join(path.dirname(entry), 'packages/dd-trace/src');
    const dogstatsd = load(path.join(source, 'dogstatsd.js')) as { CustomMetrics?: unknown };
    const noop = load(path.join(source, 'noop/dogstatsd.js')) as unknown;
    if (typeof dogstatsd.CustomMetrics !== 'function' || typeof noop !== 'function') return false;
    dogstatsd.CustomMetrics = noop;
    return true;
  } catch {
    return false;
  }
}

/** Wraps dd-trace's exporter so every span it exports passes privacy layer 1; false if not found. */
function applyLayerOne(tracer: DdTracer, guard: PrivacyGuard): boolean {
  const exporter = (tracer as unknown as { _tracer?: { _exporter?: { export?: unknown } } })._tracer
    ?._exporter;
  if (!exporter || typeof exporter.export !== 'function') return false;
  const original = exporter.export.bind(exporter) as (spans: DatadogFormattedSpan[]) => unknown;
  exporter.export = (spans: DatadogFormattedSpan[]) =>
    original(spans.map((span) => sanitizeDatadogSpan(guard, span)));
  return true;
}

function loadContextManager(entry: string): (new () => ContextManager) | undefined {
  try {
    return createRequire(entry)(
      path.join(path.dirname(entry), 'packages/dd-trace/src/opentelemetry/context_manager.js'),
    ) as new () => ContextManager;
  } catch (error) {
    diag.warn(`mcp-telemetry-kit: dd-trace's context manager could not be loaded (${error})`);
    return undefined;
  }
}
