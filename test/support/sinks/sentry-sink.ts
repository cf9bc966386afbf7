// A fake Sentry: the OTLP ingestion endpoint the collector's Sentry overlay exports to
// (/api/<project>/integration/otlp/v1/traces, `x-sentry-auth` header) and the envelope endpoint the
// @sentry/node SDK sends errors, logs and metrics to (/api/<project>/envelope/, key in the query or the
// `x-sentry-auth` header). Answers 401 to a wrong key, records everything it gets, and decodes envelopes
// with Sentry's own parser.
import { parseEnvelope } from '@sentry/core';
import { type OtlpSink, startOtlpSink } from './otlp-sink.ts';
import type { RecordedRequest } from './recording-server.ts';

export interface EnvelopeItem {
  type: string;
  /** The item's payload, parsed as JSON when it is JSON. */
  payload: unknown;
}

export interface SentrySink extends OtlpSink {
  /** The OTLP traces URL of the fake project, as derived from a DSN. */
  tracesEndpoint: string;
  publicKey: string;
  /** A DSN of the fake project, for the SDK. */
  dsn: string;
  /** Every envelope item received, in order. */
  envelopeItems: EnvelopeItem[];
}

const PROJECT = '4242';
const envelopePath = new RegExp(`^/api/${PROJECT}/envelope/?(?:\\?|$)`);

function keyOf(request: RecordedRequest): string | undefined {
  const header = String(request.headers['x-sentry-auth'] ?? '');
  const fromHeader = /sentry_key=([^,\s]+)/.exec(header)?.[1];
  return fromHeader ?? new URL(request.path, 'http://sink').searchParams.get('sentry_key') ?? undefined;
}

export async function startSentrySink(options: {
  captureRoot: string;
  /** Letters and digits only: the SDK rejects a DSN whose key has other characters. */
  publicKey: string;
}): Promise<SentrySink> {
  const envelopeItems: EnvelopeItem[] = [];
  const sink = await startOtlpSink({
    name: 'sentry',
    captureRoot: options.captureRoot,
    authorize: (request) => request.headers['x-sentry-auth'] === `sentry sentry_key=${options.publicKey}`,
    other: (request) => {
      if (request.method !== 'POST' || !envelopePath.test(request.path)) return undefined;
      if (keyOf(request) !== options.publicKey) return { status: 401 };
      const [, items] = parseEnvelope(new Uint8Array(request.body));
      for (const [header, payload] of items) {
        let parsed: unknown = payload;
        if (payload instanceof Uint8Array) {
          try {
            parsed = JSON.parse(Buffer.from(payload).toString('utf8'));
          } catch {
            parsed = payload;
          }
        }
        envelopeItems.push({ type: String(header.type), payload: parsed });
      }
      return { status: 200, contentType: 'application/json', body: '{}' };
    },
  });
  const { port } = new URL(sink.url);
  return Object.assign(sink, {
    tracesEndpoint: `${sink.url}/api/${PROJECT}/integration/otlp/v1/traces`,
    publicKey: options.publicKey,
    dsn: `http://${options.publicKey}@127.0.0.1:${port}/${PROJECT}`,
    envelopeItems,
  });
}
