// The standard OTEL_* SDK variables for the providers startTelemetry() builds itself. The kit used to
// start @opentelemetry/sdk-node's NodeSDK, which reads them; but importing sdk-node loads every exporter
// it could configure (gRPC, Zipkin, Prometheus, all OTLP flavours) and cost the kit most of its start-up
// time and memory. Its env readers are not exported on their own, so the few the kit honours are read
// here with @opentelemetry/core's parsers, with the meaning the specification gives them:
// https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
import { readFileSync } from 'node:fs';
import { DiagConsoleLogger, diag } from '@opentelemetry/api';
import { diagLogLevelFromString, getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import type { BatchLogRecordProcessorOptions } from '@opentelemetry/sdk-logs';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  type BatchSpanProcessorOptions,
  ParentBasedSampler,
  type Sampler,
  type SpanLimits,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';

/**
 * The kit's batch span processor defaults. The queue is larger than the SDK's 2,048: an MCP server at 500
 * calls/s over HTTP ended about 1,000 spans a second (the MCP span and, then by default, the HTTP server
 * span), and a burst filled 2,048 spans before one export came back, so spans were dropped. 16,384 queued
 * spans hold 16 s or more of that rate (a few MiB, only while the collector is slow). The batch stays the SDK's 512: the
 * collector's OTLP/HTTP receiver takes at most 4 MiB a request (collector/config.yaml), and 512 spans
 * stay well under it even with many long attributes. OTEL_BSP_MAX_QUEUE_SIZE,
 * OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_BSP_SCHEDULE_DELAY and OTEL_BSP_EXPORT_TIMEOUT override them.
 */
export const KIT_BSP_DEFAULTS = { maxQueueSize: 16_384, maxExportBatchSize: 512 } as const;
/** The log record processor keeps the SDK's sizes (the kit logs nothing per call). */
const SDK_BLRP_DEFAULTS = { maxQueueSize: 2048, maxExportBatchSize: 512 } as const;
/** The OTLP exporters' default concurrency limit (otlp-exporter-base). */
const OTLP_EXPORTER_CONCURRENCY = 30;

/** A positive number from the environment, else undefined (as the SDK treats 0 and negatives). */
function positiveFromEnv(name: string): number | undefined {
  const value = getNumberFromEnv(name);
  if (value === undefined) return undefined;
  if (value > 0) return value;
  diag.warn(`${name} (${value}) is invalid, expected a number greater than 0; using the default.`);
  return undefined;
}

/** OTEL_LOG_LEVEL: the SDK's own diagnostics on the console, as NodeSDK did. */
export function diagnosticsFromEnv(): void {
  const level = getStringFromEnv('OTEL_LOG_LEVEL');
  const logLevel = level ? diagLogLevelFromString(level) : undefined;
  if (logLevel !== undefined) diag.setLogger(new DiagConsoleLogger(), { logLevel });
}

/** A batch processor's queue and batch sizes, always explicit (the exporters' concurrency follows them). */
interface QueueSizes {
  maxQueueSize: number;
  maxExportBatchSize: number;
}

/** OTEL_BSP_*, over the kit's defaults. */
export function batchSpanConfigFromEnv(): Omit<BatchSpanProcessorOptions, 'exporter'> & QueueSizes {
  return {
    maxQueueSize: positiveFromEnv('OTEL_BSP_MAX_QUEUE_SIZE') ?? KIT_BSP_DEFAULTS.maxQueueSize,
    maxExportBatchSize:
      positiveFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? KIT_BSP_DEFAULTS.maxExportBatchSize,
    ...optional('scheduledDelayMillis', positiveFromEnv('OTEL_BSP_SCHEDULE_DELAY')),
    ...optional('exportTimeoutMillis', positiveFromEnv('OTEL_BSP_EXPORT_TIMEOUT')),
  };
}

/** OTEL_BLRP_*, over the SDK's defaults (the kit logs nothing per call; applications' logs go here). */
export function batchLogConfigFromEnv(): Omit<BatchLogRecordProcessorOptions, 'exporter'> & QueueSizes {
  return {
    maxQueueSize: positiveFromEnv('OTEL_BLRP_MAX_QUEUE_SIZE') ?? SDK_BLRP_DEFAULTS.maxQueueSize,
    maxExportBatchSize:
      positiveFromEnv('OTEL_BLRP_MAX_EXPORT_BATCH_SIZE') ?? SDK_BLRP_DEFAULTS.maxExportBatchSize,
    ...optional('scheduledDelayMillis', positiveFromEnv('OTEL_BLRP_SCHEDULE_DELAY')),
    ...optional('exportTimeoutMillis', positiveFromEnv('OTEL_BLRP_EXPORT_TIMEOUT')),
  };
}

/**
 * The concurrency an OTLP exporter needs behind a batch processor: a flush (shutdown, forceFlush)
 * exports every queued batch at once, and the exporter refuses exports past its limit, so a queue of
 * more batches than that lost the rest.
 */
export function exportConcurrencyFor(batching: {
  maxQueueSize?: number;
  maxExportBatchSize?: number;
}): number {
  const queue = batching.maxQueueSize ?? SDK_BLRP_DEFAULTS.maxQueueSize;
  const batch = Math.min(batching.maxExportBatchSize ?? SDK_BLRP_DEFAULTS.maxExportBatchSize, queue);
  return Math.max(OTLP_EXPORTER_CONCURRENCY, Math.ceil(queue / batch) + 1);
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG; undefined keeps the SDK's parent-based always-on. */
export function samplerFromEnv(): Sampler | undefined {
  const name = getStringFromEnv('OTEL_TRACES_SAMPLER');
  if (name === undefined) return undefined;
  const ratio = () => {
    const value = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG');
    return value !== undefined && value >= 0 && value <= 1 ? value : 1;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      diag.error(`unknown OTEL_TRACES_SAMPLER value "${name}", using the default`);
      return undefined;
  }
}

/** OTEL_SPAN_* and OTEL_ATTRIBUTE_* limits (layer 1 enforces its own, smaller ones on what is exported). */
export function spanLimitsFromEnv(): SpanLimits {
  const limits: Record<keyof SpanLimits, number | undefined> = {
    attributeCountLimit:
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit:
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      getNumberFromEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
    eventCountLimit: getNumberFromEnv('OTEL_SPAN_EVENT_COUNT_LIMIT'),
    linkCountLimit: getNumberFromEnv('OTEL_SPAN_LINK_COUNT_LIMIT'),
    attributePerEventCountLimit: getNumberFromEnv('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'),
    attributePerLinkCountLimit: getNumberFromEnv('OTEL_LINK_ATTRIBUTE_COUNT_LIMIT'),
  };
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}

/** A variable the kit cannot start with; the message names it and never repeats its value. */
export class SdkEnvError extends Error {
  override name = 'SdkEnvError';
}

export type OtlpSignal = 'traces' | 'metrics' | 'logs';

/** Where OTLP/HTTP goes when nothing says otherwise (the specification's default). */
const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

/**
 * The one reader of the OTLP exporter variables, for every exporter and SDK the kit configures (its own
 * OTLP exporters, the mcpcat and dd-trace bridges). Meanings as the specification gives them; a value
 * the kit cannot use stops start-up with one line naming the variable and what is wrong, never the
 * value (an endpoint may carry credentials, a header always does).
 */
export function otlpEndpointFromEnv(
  signal: OtlpSignal,
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const perSignal = `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`;
  // A signal's own endpoint is the whole URL; the general one is a base the signal's path is added to.
  const [variable, url] = explicit?.trim()
    ? ['the endpoint option', explicit.trim()]
    : env[perSignal]?.trim()
      ? [perSignal, env[perSignal].trim()]
      : [
          'OTEL_EXPORTER_OTLP_ENDPOINT',
          `${(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || DEFAULT_OTLP_ENDPOINT).replace(/\/+$/, '')}/v1/${signal}`,
        ];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SdkEnvError(`${variable}: not a URL (expected http://host:port or https://host:port)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new SdkEnvError(`${variable}: the scheme must be http or https`);
  return url;
}

/** The file the OTLP headers may come from instead of the environment (a container secret). */
export const OTLP_HEADERS_FILE = 'MCP_KIT_OTLP_HEADERS_FILE';

/**
 * OTLP headers as a map: the file MCP_KIT_OTLP_HEADERS_FILE names (a bearer token kept out of the
 * process environment, where `docker inspect` and /proc show it), then OTEL_EXPORTER_OTLP_HEADERS, then
 * the signal's own (OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS), each over the one before; `k=v,k2=v2`, values
 * percent-encoded, the file's trailing newline ignored. A malformed entry or an unreadable file stops
 * start-up with one line naming the variable (and the header), never a value.
 */
export function otlpHeadersFromEnv(
  signal: OtlpSignal = 'traces',
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const sources: [string, string][] = [];
  const file = env[OTLP_HEADERS_FILE]?.trim();
  if (file) {
    try {
      sources.push([`${OTLP_HEADERS_FILE} (${file})`, readFileSync(file, 'utf8').replace(/\r?\n$/, '')]);
    } catch (error) {
      throw new SdkEnvError(
        `${OTLP_HEADERS_FILE}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  for (const variable of ['OTEL_EXPORTER_OTLP_HEADERS', `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_HEADERS`])
    sources.push([variable, env[variable] ?? '']);
  for (const [variable, value] of sources) {
    for (const pair of value.split(',')) {
      if (!pair.trim()) continue;
      const at = pair.indexOf('=');
      const name = pair.slice(0, Math.max(at, 0)).trim();
      if (at <= 0 || !name)
        throw new SdkEnvError(
          `${variable}: an entry has no "name=" before its value (expected name=value,…)`,
        );
      try {
        headers[name] = decodeURIComponent(pair.slice(at + 1).trim());
      } catch {
        throw new SdkEnvError(
          `${variable}: the value of header "${name}" is not valid percent-encoding (a % must start %XX)`,
        );
      }
    }
  }
  return headers;
}

/**
 * Every signal's OTLP/HTTP URL and headers, read at once, so a bad variable stops start-up before any
 * exporter exists.
 */
export function otlpEnv(
  env: NodeJS.ProcessEnv = process.env,
): Record<OtlpSignal, { url: string; headers: Record<string, string> }> {
  const read = (signal: OtlpSignal) => ({
    url: otlpEndpointFromEnv(signal, undefined, env),
    headers: otlpHeadersFromEnv(signal, env),
  });
  return { traces: read('traces'), metrics: read('metrics'), logs: read('logs') };
}
