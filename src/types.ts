// Every public type of mcp-telemetry-kit (the package's API is src/index.ts).
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

/**
 * How one argument field, or one declared result attribute, may leave the process:
 * - `{ enum: [...] }`: the value if it is one of these, otherwise `other`;
 * - `'boolean'`: the value if it is a boolean;
 * - `'count'`: an array's length or a non-negative integer (span attribute only, never a metric one);
 * - `'size'`: a bucket of a string's or array's length: 0, 1-10, 11-100, 101-1000, 1001+.
 */
export type FieldTransform =
  | { enum: ReadonlyArray<string | number | boolean> }
  | 'boolean'
  | 'count'
  | 'size';

/** What one tool may export. A tool without a policy exports nothing about its arguments or results. */
export interface ToolExportPolicy {
  /** Argument fields, exported as `mcpkit.arg.<field>`. */
  arguments?: Record<string, FieldTransform>;
  /** Attributes the tool declares about its result via `currentToolCall()`, as `mcpkit.result.<key>`. */
  results?: Record<string, FieldTransform>;
  /**
   * The people (or records) a call looks up, e.g. a normalised name and country, or an A-number; one
   * per request of a bulk search. Never exported: the kit keeps each only as a keyed pseudonym in memory
   * to count, per caller, first lookups apart from repeats (`mcpkit.principal.lookups`), which is what
   * enumeration looks like. Normalise (case, spacing) so the same person gives the same key.
   */
  lookupKeys?: (args: Record<string, unknown>) => Iterable<string> | string | undefined;
}

/** Why an HTTP MCP endpoint refused a request before MCP (`recordHttpRejection`); others count as `other`. */
export type HttpRejectionReason =
  | 'unauthorized'
  | 'forbidden'
  | 'forbidden_origin'
  | 'not_found'
  | 'unknown_session'
  | 'rate_limited'
  | 'payload_too_large'
  | 'bad_request'
  | 'forbidden_host'
  | 'too_many_sessions'
  | 'server_error';

/** Outcome of a tool call as the operator sees it. */
export type ToolOutcome = 'ok' | 'no_match' | 'tool_error' | 'upstream_failure' | 'rejected';

/** What the `identify` hook is given to name the caller (never recorded itself). */
export interface IdentifyInput {
  /** Set by the transport's authentication (e.g. the bearer token's verified claims). */
  authInfo?: { clientId?: string; extra?: Record<string, unknown>; [key: string]: unknown } | undefined;
  /** The raw MCP session id, if the transport has one. */
  sessionId?: string | undefined;
}

export interface InstrumentMcpServerOptions {
  /** Per-tool export policy. Unknown tools export nothing. */
  tools?: Record<string, ToolExportPolicy>;
  /** Returns the caller's stable id (e.g. an OAuth subject); recorded only as a keyed pseudonym. */
  identify?: (input: IdentifyInput) => string | undefined;
}

/** The active tool call, for tools to declare outcome attributes (see `currentToolCall()`). */
export interface ToolCallTelemetry {
  readonly toolName: string;
  /** Declares the outcome; default `ok`, or `tool_error` when the result has `isError`. */
  setOutcome(outcome: ToolOutcome): void;
  /** Declares how many results the call produced; exported as a bucket (0, 1, 2-5, 6-20, 21+). */
  setResultCount(count: number): void;
  /** Declares a result attribute; dropped unless the tool's policy lists `key` under `results`. */
  setResultAttribute(key: string, value: string | number | boolean): void;
}

/** The Sentry bridge (src/bridges/sentry.ts); on when a DSN is given here or in SENTRY_DSN. */
export interface SentryBridgeOptions {
  /** Default SENTRY_DSN. */
  dsn?: string;
}

/** The dd-trace bridge (src/bridges/datadog.ts). */
export interface DatadogBridgeOptions {
  /**
   * OTLP/HTTP traces URL dd-trace exports to; default OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else
   * OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces (the kit's collector). Never a Datadog agent or intake.
   */
  tracesEndpoint?: string;
  /** dd-trace's continuous profiler (sends to a Datadog agent, not the collector); default false. */
  profiling?: boolean;
}

export interface StartTelemetryOptions {
  /** service.name; default OTEL_SERVICE_NAME, then DD_SERVICE, then `mcp-server`. */
  serviceName?: string;
  /** service.version; default from OTEL_RESOURCE_ATTRIBUTES, then DD_VERSION. */
  serviceVersion?: string;
  /** deployment.environment.name; default from OTEL_RESOURCE_ATTRIBUTES, then DD_ENV. */
  environment?: string;
  /**
   * Sentry for errors (@sentry/node, optional peer dependency): on when SENTRY_DSN is set or a DSN is
   * given; `false` turns it off even with SENTRY_DSN. See `TelemetryHandle.ready()`.
   */
  sentry?: SentryBridgeOptions | false;
  /**
   * Which tracer records spans: the OpenTelemetry SDK (default), or `dd-trace` (optional peer
   * dependency) for teams that want its APM features. Default MCP_KIT_TRACER, else `opentelemetry`.
   */
  tracer?: 'opentelemetry' | 'dd-trace';
  /** Settings of the dd-trace tracer, when `tracer` is `dd-trace`. */
  datadog?: DatadogBridgeOptions;
  /**
   * Secret for HMAC pseudonyms, at least 32 bytes; default MCP_KIT_PSEUDONYM_KEY, else the file
   * MCP_KIT_PSEUDONYM_KEY_FILE names. Without one, startTelemetry() throws (PseudonymKeyError).
   */
  pseudonymKey?: string;
  /**
   * A random pseudonym key per process instead (default MCP_KIT_EPHEMERAL_PSEUDONYMS=true): pseudonyms
   * then split per replica and restart, which blinds enumeration alerts. For demos and tests.
   */
  ephemeralPseudonyms?: boolean;
  /**
   * Namespaces of the application's own metrics (regular expressions, e.g. `locator[.]`), exported
   * beside the OpenTelemetry ones; default MCP_KIT_METRIC_PREFIXES (`|`-separated). Other metric names
   * are not exported (the collector drops them too).
   */
  metricPrefixes?: string[];
  /** Client names (clientInfo.name) exported as they are beside the kit's list; default MCP_KIT_KNOWN_CLIENTS. */
  knownClients?: string[];
  /** Pseudonym key rotation in ms; default one day. */
  pseudonymRotationMs?: number;
  /** Extra attribute keys to allow through privacy layer 1 (semconv names your app adds). */
  allowAttributes?: string[];
  /** Host and process metrics (`@opentelemetry/host-metrics`, and the fill of the working directory's filesystem); default true. */
  hostMetrics?: boolean;
  /**
   * A SERVER span per incoming HTTP request (`@opentelemetry/instrumentation-http`); default false.
   * Over Streamable HTTP every MCP message is one request, already traced by the kit's MCP span, which
   * takes the trace context from the request's headers itself; the HTTP span duplicates it at a cost
   * (docs/telemetry.md). Outgoing HTTP client spans are always on.
   */
  httpServerSpans?: boolean;
  /** Export interval of metrics in ms; default OTEL_METRIC_EXPORT_INTERVAL or 60000. */
  metricExportIntervalMs?: number;
  /** Replace the OTLP exporters (tests, custom pipelines). Privacy layer 1 still applies. */
  traceExporter?: SpanExporter;
  metricReader?: IMetricReader;
  /**
   * A new reader for each pseudonym period's per-principal metrics (`mcpkit.principal.lookups`, on a
   * MeterProvider replaced when the key period turns, so enumeration alerts never go blind); default an
   * OTLP reader like the main one. With `metricReader` set and no factory, they stay on the main provider.
   */
  principalMetricReader?: () => IMetricReader;
  logExporter?: LogRecordExporter;
}

export interface TelemetryHandle {
  /**
   * Resolves once the optional vendor bridges are loaded (Sentry is imported asynchronously); errors
   * raised before that are not reported to Sentry. Resolves at once when no bridge is configured.
   */
  ready(): Promise<void>;
  /** Flushes every signal and stops the SDK. */
  shutdown(): Promise<void>;
  /** Exports everything buffered now. */
  forceFlush(): Promise<void>;
}
