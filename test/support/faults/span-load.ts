// A steady span load for fault tests, made with the real OpenTelemetry SDK and its OTLP/HTTP exporter
// (with its own retries), in the manner of the collector's testbed load generator: every span carries
// its sequence number so what was sent and what arrived can be diffed span by span.
//
// The sequence lives in the span id (a run tag, then the number: `<8 hex tag><8 hex seq>`). An attribute
// would not survive: the collector's privacy layer 2 drops every key off its allow-list, fail-closed, and
// a test-only key on that list would weaken the production configuration. Span ids pass the collector
// untouched and are what Tempo stores, so they are the natural key to reconcile on.
import { randomBytes } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

export interface SpanLoadOptions {
  /** OTLP/HTTP base URL of the collector. */
  url: string;
  /** OTLP/gRPC address (host:port) of the collector: when given, the load goes over gRPC instead. */
  grpcAddress?: string;
  headers: Record<string, string>;
  spansPerSecond: number;
  /** Spans per export request. */
  batchSize?: number;
  /** The spans' name; `tools/call search` unless given. */
  name?: string;
  /** Extra attributes on every span (what a realistic MCP span carries). */
  attributes?: Record<string, string | number | boolean>;
  /** A large string attribute value per span, to make requests heavy (overload). */
  padding?: number;
  /** The exporter's per-export timeout; retries happen within it. */
  timeoutMillis?: number;
  /** Exports in flight at once, the SDK exporter's own limit. */
  concurrencyLimit?: number;
}

export interface SpanLoad {
  /** The run tag every span id of this load starts with. */
  tag: string;
  /** Every span id handed to the exporter, in order. */
  sentIds: string[];
  /** Span ids of the batches the exporter reported failed after its retries: the sender's counted drops. */
  failedIds: Set<string>;
  /** Export requests that succeeded or failed (after retries). */
  exports: { ok: number; failed: number };
  /** Why exports failed: the first line of each error's message, with how many times. */
  failures: Map<string, number>;
  /** Stops making spans and waits for every export in flight to finish. */
  stop(): Promise<void>;
}

/** The sequence number a span id of this load carries, or undefined for anyone else's span. */
export function sequenceOf(tag: string, spanId: string): number | undefined {
  return spanId.startsWith(tag) ? Number.parseInt(spanId.slice(8), 16) : undefined;
}

export function startSpanLoad(options: SpanLoadOptions): SpanLoad {
  const tag = randomBytes(4).toString('hex');
  let sequence = 0;
  let batch: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => void batch.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'fault-load' }),
    idGenerator: {
      generateTraceId: () => randomBytes(16).toString('hex'),
      generateSpanId: () => `${tag}${(sequence++).toString(16).padStart(8, '0')}`,
    },
    spanProcessors: [collect],
  });
  const tracer = provider.getTracer('fault-load');
  const common = {
    timeoutMillis: options.timeoutMillis ?? 30_000,
    concurrencyLimit: options.concurrencyLimit ?? 30,
  };
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.headers)) metadata.set(key, value);
  const exporter = options.grpcAddress
    ? new OTLPGrpcTraceExporter({ url: `http://${options.grpcAddress}`, metadata, ...common })
    : new OTLPTraceExporter({ url: `${options.url}/v1/traces`, headers: options.headers, ...common });

  const load: SpanLoad = {
    tag,
    sentIds: [],
    failedIds: new Set(),
    exports: { ok: 0, failed: 0 },
    failures: new Map(),
    stop: async () => {},
  };
  const inFlight = new Set<Promise<void>>();
  const batchSize = options.batchSize ?? 20;
  const padding = options.padding ? 'x'.repeat(options.padding) : undefined;

  const sendBatch = () => {
    for (let i = 0; i < batchSize; i++) {
      const span = tracer.startSpan(options.name ?? 'tools/call search', {
        attributes: { 'mcp.method.name': 'tools/call', ...options.attributes },
      });
      if (padding) span.setAttribute('http.route', padding);
      span.end();
    }
    const spans = batch;
    batch = [];
    const ids = spans.map((span) => span.spanContext().spanId);
    load.sentIds.push(...ids);
    const done = new Promise<void>((resolve) => {
      exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) load.exports.ok++;
        else {
          load.exports.failed++;
          const reason = result.error?.message.split('\n', 1)[0]?.slice(0, 80) ?? 'unknown';
          load.failures.set(reason, (load.failures.get(reason) ?? 0) + 1);
          for (const id of ids) load.failedIds.add(id);
        }
        resolve();
      });
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  const stopBatches = steadyBatches(options.spansPerSecond, batchSize, () => load.sentIds.length, sendBatch);
  load.stop = async () => {
    stopBatches();
    await Promise.all([...inFlight]);
    await exporter.shutdown();
  };
  return load;
}

/**
 * Calls `sendBatch` at a steady rate of items; a late timer catches up on what it owes, a few batches per
 * tick, so the generator never holds the event loop for long (the test samples memory and probes
 * meanwhile). On a machine too slow for the rate, the offered rate falls short: tests report the rate
 * achieved. Returns the stop function.
 */
export function steadyBatches(
  perSecond: number,
  batchSize: number,
  sentSoFar: () => number,
  sendBatch: () => void,
): () => void {
  const started = Date.now();
  const timer = setInterval(() => {
    const owed = Math.floor(((Date.now() - started) / 1000) * perSecond);
    for (let i = 0; i < 4 && sentSoFar() + batchSize <= owed; i++) sendBatch();
  }, 50);
  return () => clearInterval(timer);
}

/** Sent against received span ids: what arrived once, more than once, or not at all. */
export function reconcile(
  sentIds: string[],
  receivedIds: string[],
): { sent: number; received: number; duplicates: number; missing: string[] } {
  const counts = new Map<string, number>();
  const sent = new Set(sentIds);
  for (const id of receivedIds) if (sent.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  let duplicates = 0;
  for (const count of counts.values()) duplicates += count - 1;
  return {
    sent: sent.size,
    received: counts.size,
    duplicates,
    missing: sentIds.filter((id) => !counts.has(id)),
  };
}
