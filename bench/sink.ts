// The benchmark's telemetry sink on loopback: accepts any POST (OTLP/HTTP protobuf or JSON, Sentry
// envelopes), answers at once and counts what arrived, including the spans, so drops show. Not the
// tests' recording sinks (test/support/sinks), which write every body to disk for the privacy
// assertions: that cost would land on the load generator's core and skew the load.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlpRequest } from '../test/support/sinks/otlp/decode.ts';
import { decompress } from '../test/support/sinks/recording-server.ts';

/** OTLP's SPAN_KIND_SERVER. */
const SPAN_KIND_SERVER = 2;

export interface SinkCounts {
  requests: number;
  bytes: number;
  /** Spans (OTLP) and spans inside transactions (Sentry envelopes) whose name contains `tools/call`. */
  toolCallSpans: number;
  /** OTLP SERVER spans of HTTP requests (with `http.request.method`): what HTTP instrumentation adds. */
  httpServerSpans: number;
}

/** An OTLP traces request as received, kept to be replayed (collector benchmark). */
export interface KeptTraces {
  body: Buffer;
  contentType: string;
  spans: number;
}

export interface BenchSink {
  url: string;
  counts: SinkCounts;
  /** With `keepTraces`: every OTLP traces request, decompressed. */
  traces: KeptTraces[];
  reset(): void;
  close(): Promise<void>;
}

/**
 * Sentry envelope: a JSON header line, then item header / payload line pairs. Sentry 11 streams spans
 * (`span` items holding `items`); older SDKs send transactions with child `spans`.
 */
function sentryToolCallSpans(body: string): number {
  let spans = 0;
  for (const line of body.split('\n')) {
    if (!line.includes('tools/call')) continue;
    try {
      const item = JSON.parse(line) as {
        transaction?: string;
        spans?: { description?: string }[];
        items?: { name?: string }[];
      };
      if (item.transaction?.includes('tools/call')) spans++;
      spans += (item.spans ?? []).filter((span) => span.description?.includes('tools/call')).length;
      spans += (item.items ?? []).filter((span) => span.name?.includes('tools/call')).length;
    } catch {
      // an item header or a non-JSON payload
    }
  }
  return spans;
}

export async function startBenchSink(
  options: { countSpans?: boolean; keepTraces?: boolean } = {},
): Promise<BenchSink> {
  const counts: SinkCounts = { requests: 0, bytes: 0, toolCallSpans: 0, httpServerSpans: 0 };
  const traces: KeptTraces[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      counts.requests++;
      counts.bytes += raw.length;
      const contentType = String(request.headers['content-type'] ?? '');
      const url = request.url ?? '';
      if (options.countSpans !== false) {
        try {
          const body = decompress(raw, request.headers['content-encoding'] as string | undefined);
          if (url.includes('/v1/traces')) {
            const { spans } = decodeOtlpRequest('traces', body, contentType);
            counts.toolCallSpans += spans.filter((span) => span.name.includes('tools/call')).length;
            counts.httpServerSpans += spans.filter(
              (span) => span.kind === SPAN_KIND_SERVER && 'http.request.method' in span.attributes,
            ).length;
            if (options.keepTraces) traces.push({ body, contentType, spans: spans.length });
          } else if (url.includes('/envelope')) {
            counts.toolCallSpans += sentryToolCallSpans(body.toString('utf8'));
          }
        } catch {
          // counted as bytes only
        }
      }
      const json = contentType.includes('json') || url.includes('/envelope');
      response
        .writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
        .end(json ? '{}' : undefined);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    traces,
    reset: () => Object.assign(counts, { requests: 0, bytes: 0, toolCallSpans: 0, httpServerSpans: 0 }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
