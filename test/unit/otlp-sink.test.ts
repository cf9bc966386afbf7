// The fake OTLP backend decodes what the OpenTelemetry JS serializers produce, in protobuf and JSON,
// under every Content-Encoding the kit's senders use, and captures the decompressed bytes.
import { readFileSync } from 'node:fs';
import { deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../support/capture.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';

async function recordSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'decoder-test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const span = provider.getTracer('unit').startSpan('tools/call search', {
    attributes: { 'gen_ai.tool.name': 'search', 'result.count': 3, 'cache.hit': true, tags: ['a', 'b'] },
  });
  span.addEvent('retry', { attempt: 2 });
  span.setStatus({ code: 2, message: 'upstream failed' });
  span.end();
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

describe('the fake OTLP backend', () => {
  let sink: OtlpSink;
  beforeAll(async () => {
    sink = await startOtlpSink({ name: 'unit-sink', captureRoot: newCaptureRoot('unit-sink') });
  });
  afterAll(() => sink.close());

  const encodings = {
    identity: (body: Uint8Array) => body,
    gzip: gzipSync,
    deflate: deflateSync,
    zstd: zstdCompressSync,
  };
  const formats = {
    'application/x-protobuf': ProtobufTraceSerializer,
    'application/json': JsonTraceSerializer,
  };

  for (const [contentType, serializer] of Object.entries(formats)) {
    for (const [encoding, compress] of Object.entries(encodings)) {
      it(`decodes ${contentType} spans sent with Content-Encoding ${encoding}`, async () => {
        const spans = await recordSpans();
        const payload = serializer.serializeRequest(spans) as Uint8Array;
        const before = sink.spans.length;
        const response = await fetch(`${sink.url}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': contentType, 'content-encoding': encoding },
          body: compress(Buffer.from(payload)),
        });
        expect(response.status).toBe(200);
        const span = sink.spans[before];
        expect(span).toMatchObject({
          name: 'tools/call search',
          attributes: {
            'gen_ai.tool.name': 'search',
            'result.count': 3,
            'cache.hit': true,
            tags: ['a', 'b'],
          },
          resource: expect.objectContaining({ 'service.name': 'decoder-test' }),
          events: [{ name: 'retry', attributes: { attempt: 2 } }],
          status: { code: 2, message: 'upstream failed' },
        });
        expect(span?.traceId).toBe(spans[0]?.spanContext().traceId);
        expect(readFileSync(sink.requests.at(-1)?.file ?? '')).toEqual(Buffer.from(payload));
      });
    }
  }

  it('answers 404 to paths that are not an OTLP signal', async () => {
    const response = await fetch(`${sink.url}/v1/profiles`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(404);
  });

  it('answers 400 to a body it cannot decode', async () => {
    const response = await fetch(`${sink.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0x0a, 0xff, 0xff]),
    });
    expect(response.status).toBe(400);
  });
});
