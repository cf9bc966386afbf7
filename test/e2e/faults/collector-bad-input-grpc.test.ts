// Scenario 5, the gRPC half: bad input to the collector's OTLP/gRPC receiver (the kit's configuration),
// sent with @grpc/grpc-js as raw bytes, so the test can send what no OTLP exporter would. Each call is
// refused with the gRPC status the OTLP specification and the receiver give it; afterwards a good span
// still goes through gRPC to the backend.
import { randomBytes } from 'node:crypto';
import { credentials, Client as GrpcClient, status as GrpcStatus, Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../../support/capture.ts';
import { recordFigures } from '../../support/faults/figures.ts';
import { type KitCollector, startKitCollector, testCollectorSecrets } from '../../support/kit-collector.ts';
import { EXPORT_REQUESTS, otlpRoot } from '../../support/otlp-fields.ts';
import { type OtlpSink, startOtlpSink } from '../../support/sinks/otlp-sink.ts';

const EXPORT_TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const TraceRequest = otlpRoot().lookupType(EXPORT_REQUESTS.traces);

/** One span as an OTLP protobuf request body, with its span id. */
function traceRequest(name: string): { spanId: string; bytes: Buffer } {
  const spanId = randomBytes(8);
  const now = BigInt(Date.now()) * 1_000_000n;
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fault-bad-input-grpc' } }] },
        scopeSpans: [
          {
            scope: { name: 'fault' },
            spans: [
              {
                traceId: randomBytes(16),
                spanId,
                name,
                kind: 2,
                startTimeUnixNano: String(now),
                endTimeUnixNano: String(now + 1_000_000n),
              },
            ],
          },
        ],
      },
    ],
  };
  return {
    spanId: spanId.toString('hex'),
    bytes: Buffer.from(TraceRequest.encode(TraceRequest.fromObject(body)).finish()),
  };
}

describe('bad input to the collector over OTLP/gRPC', () => {
  let sink: OtlpSink;
  let collector: KitCollector;
  let client: GrpcClient;
  const statuses: Record<string, string> = {};

  /** Sends raw bytes to a method of the receiver; resolves to the gRPC status name it answered. */
  const call = (label: string, bytes: Buffer, token?: string, method = EXPORT_TRACES): Promise<string> => {
    const metadata = new Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    return new Promise((resolve) => {
      client.makeUnaryRequest(
        method,
        (body: Buffer) => body,
        (body: Buffer) => body,
        bytes,
        metadata,
        { deadline: Date.now() + 30_000 },
        (error) => {
          const name = GrpcStatus[error?.code ?? GrpcStatus.OK] as string;
          statuses[label] = name;
          resolve(name);
        },
      );
    });
  };
  const token = testCollectorSecrets.MCP_KIT_COLLECTOR_TOKEN;

  beforeAll(async () => {
    sink = await startOtlpSink({ name: 'tempo', captureRoot: newCaptureRoot('fault-bad-input-grpc') });
    collector = await startKitCollector({
      backends: { tempo: sink.url, loki: `${sink.url}/otlp`, prometheus: `${sink.url}/api/v1/otlp` },
    });
    client = new GrpcClient(collector.otlpGrpcAddress, credentials.createInsecure());
  });

  afterAll(async () => {
    // In calls: each one is answered OK or refused with a status its sender sees.
    const accepted = Object.values(statuses).filter((status) => status === 'OK').length;
    recordFigures('5-collector-bad-input-grpc', {
      order: 5,
      scenario: 'Bad input to the collector (OTLP/gRPC), in calls',
      sent: Object.keys(statuses).length,
      received: accepted,
      countedDrops: Object.keys(statuses).length - accepted,
      notes: Object.entries(statuses)
        .map(([label, status]) => `${label} → ${status}`)
        .join('; '),
    });
    client?.close();
    await collector?.stop();
    await sink?.close();
  });

  it('refuses a call without the bearer token, or with a wrong one, as UNAUTHENTICATED', async () => {
    const { bytes } = traceRequest('tools/call search');
    expect(await call('no token', bytes)).toBe('UNAUTHENTICATED');
    expect(await call('wrong token', bytes, 'not-the-token')).toBe('UNAUTHENTICATED');
  });

  it('refuses bytes that are not an OTLP message', async () => {
    // A length-delimited field whose length runs past the end of the message.
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]);
    expect(await call('truncated protobuf', garbage, token)).not.toBe('OK');
  });

  it('refuses a message over the receiver’s 4 MiB limit as RESOURCE_EXHAUSTED', async () => {
    const { bytes } = traceRequest(`tools/call ${'x'.repeat(5 * 1024 * 1024)}`);
    expect(await call('5 MiB message', bytes, token)).toBe('RESOURCE_EXHAUSTED');
  });

  it('answers a method the receiver does not serve with UNIMPLEMENTED', async () => {
    const { bytes } = traceRequest('tools/call search');
    expect(await call('unknown method', bytes, token, '/opentelemetry.proto.Unknown/Export')).toBe(
      'UNIMPLEMENTED',
    );
  });

  it('still delivers a good span sent over gRPC afterwards', async () => {
    const { spanId, bytes } = traceRequest('tools/call search');
    expect(await call('good span afterwards', bytes, token)).toBe('OK');
    await sink.waitFor((data) => data.spans.some((span) => span.spanId === spanId), 30_000);
    expect(collector.alive()).toBe(true);
  });
});
