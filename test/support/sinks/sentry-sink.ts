// A fake Sentry OTLP ingestion endpoint: accepts traces at /api/<project>/integration/otlp/v1/traces
// only with the right `x-sentry-auth` header, answers 401 otherwise, and records everything it gets.
import { type OtlpSink, startOtlpSink } from './otlp-sink.ts';

export interface SentrySink extends OtlpSink {
  /** The OTLP traces URL of the fake project, as derived from a DSN. */
  tracesEndpoint: string;
  publicKey: string;
}

export async function startSentrySink(options: {
  captureRoot: string;
  publicKey: string;
}): Promise<SentrySink> {
  const sink = await startOtlpSink({
    name: 'sentry',
    captureRoot: options.captureRoot,
    authorize: (request) => request.headers['x-sentry-auth'] === `sentry sentry_key=${options.publicKey}`,
  });
  return Object.assign(sink, {
    tracesEndpoint: `${sink.url}/api/4242/integration/otlp/v1/traces`,
    publicKey: options.publicKey,
  });
}
