// The Sentry bridge with the real @sentry/node and the real collector (Sentry overlay on): canary records
// go through an instrumented MCP server whose code hands everything to Sentry. The fake Sentry receives
// the exceptions, on the same trace ids as the kit's spans in Tempo, and not one canary; the SDK sends no
// transactions (traces reach Sentry through the collector), and nothing leaves loopback.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as Sentry from '@sentry/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry } from '../../src/index.ts';
import type { TelemetryHandle } from '../../src/types.ts';
import { type Leak, loadCanaries, NeedleScanner } from '../support/canaries.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { type ConnectionRecorder, recordConnections } from '../support/connections.ts';
import { eventually } from '../support/eventually.ts';
import { carelessSentry } from '../support/fixtures/careless-sentry.ts';
import { pushRecordThroughMcp, startEmptyUpstream } from '../support/fixtures/careless-server.ts';
import { type KitCollector, startKitCollector } from '../support/kit-collector.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';
import { type SentrySink, startSentrySink } from '../support/sinks/sentry-sink.ts';

interface SentryEvent {
  exception?: {
    values?: { type?: string; value?: string; stacktrace?: { frames?: Record<string, unknown>[] } }[];
  };
  contexts?: { trace?: { trace_id?: string } };
  user?: unknown;
  request?: Record<string, unknown>;
  environment?: string;
  release?: string;
}

const corpus = loadCanaries();
const records = corpus.records.slice(0, 3);

describe('the Sentry bridge', () => {
  let tempo: OtlpSink;
  let sentry: SentrySink;
  let collector: KitCollector;
  let telemetry: TelemetryHandle;
  let upstream: Awaited<ReturnType<typeof startEmptyUpstream>>;
  let connections: ConnectionRecorder;
  const events = () =>
    sentry.envelopeItems.filter((item) => item.type === 'event').map((item) => item.payload as SentryEvent);

  beforeAll(async () => {
    const captureRoot = newCaptureRoot('bridge-sentry');
    tempo = await startOtlpSink({ name: 'tempo', captureRoot });
    sentry = await startSentrySink({ captureRoot, publicKey: 'bridgesentrykey' });
    collector = await startKitCollector({
      backends: { tempo: tempo.url, loki: `${tempo.url}/otlp`, prometheus: `${tempo.url}/api/v1/otlp` },
      overlays: ['collector/overlays/sentry.yaml'],
      env: { SENTRY_OTLP_TRACES_ENDPOINT: sentry.tracesEndpoint, SENTRY_PUBLIC_KEY: sentry.publicKey },
    });
    connections = recordConnections();
    Object.assign(process.env, collector.sdkEnv);
    process.env.SENTRY_DSN = sentry.dsn;
    telemetry = startTelemetry({
      serviceName: 'sentry-bridge',
      serviceVersion: '1.4.2',
      environment: 'staging',
      pseudonymKey: 'sentry-bridge-pseudonym-key-0123456789',
    });
    await telemetry.ready();

    upstream = await startEmptyUpstream();
    for (const record of records) {
      await pushRecordThroughMcp(record, upstream.url, carelessSentry(Sentry, record));
    }
    await telemetry.forceFlush();
    const calls = records.reduce((total, record) => total + record.queries.length, 0);
    await eventually(async () => (events().length >= calls ? true : undefined), 60_000);
    await tempo.waitFor((data) =>
      data.spans.some((span) => span.name === 'tools/call search_detainee_by_name'),
    );
    await sentry.waitFor((data) => data.spans.length > 0, 60_000);
  });

  afterAll(async () => {
    connections?.stop();
    await telemetry?.shutdown();
    upstream?.close();
    await collector?.stop();
    await Promise.all([tempo?.close(), sentry?.close()]);
  });

  it('delivers every captured exception to Sentry, with its type and a stack trace', () => {
    const exceptions = events().flatMap((event) => event.exception?.values ?? []);
    expect(exceptions.length).toBeGreaterThanOrEqual(records.length);
    for (const exception of exceptions) {
      expect(exception.type).toBe('Error');
      expect(exception.value).toMatch(/^no record for /);
      expect(exception.stacktrace?.frames?.length).toBeGreaterThan(0);
    }
  });

  it('puts each exception on the trace of the tool call it happened in, as Tempo has it', () => {
    const toolCallTraces = new Set(
      tempo.spans
        .filter((span) => span.name === 'tools/call search_detainee_by_name')
        .map((span) => span.traceId),
    );
    const errorTraces = events().map((event) => event.contexts?.trace?.trace_id);
    expect(errorTraces.length).toBeGreaterThan(0);
    for (const traceId of errorTraces) expect(toolCallTraces).toContain(traceId);
  });

  it('tags events with the same service, environment and version as the spans', () => {
    for (const event of events()) {
      expect(event.environment).toBe('staging');
      expect(event.release).toBe('sentry-bridge@1.4.2');
    }
    const span = tempo.spans.find((s) => s.name === 'tools/call search_detainee_by_name');
    expect(span?.resource).toMatchObject({
      'service.name': 'sentry-bridge',
      'service.version': '1.4.2',
      'deployment.environment.name': 'staging',
    });
  });

  it('sends no user, no request data and no stack-frame variables', () => {
    for (const event of events()) {
      expect(event.user).toBeUndefined();
      expect(Object.keys(event.request ?? {})).toEqual(
        Object.keys(event.request ?? {}).filter((k) => k === 'method'),
      );
      for (const frame of event.exception?.values?.flatMap((v) => v.stacktrace?.frames ?? []) ?? []) {
        expect(frame.vars).toBeUndefined();
      }
    }
  });

  it('sends no transactions from the SDK: traces reach Sentry through the collector, error spans only', () => {
    expect(
      sentry.envelopeItems.filter((item) => item.type === 'transaction' || item.type === 'span'),
    ).toEqual([]);
    expect(sentry.spans.length).toBeGreaterThan(0);
    expect(sentry.spans.every((span) => span.status.code === 2)).toBe(true);
  });

  it('finds not one canary in anything the fake Sentry received', () => {
    const scanner = new NeedleScanner(
      corpus.needles.filter((needle) => records.some((r) => r.id === needle.record)),
    );
    const leaks: Leak[] = [];
    for (const file of readdirSync(sentry.captureDir)) {
      leaks.push(...scanner.scan(readFileSync(path.join(sentry.captureDir, file)), file));
    }
    expect(sentry.requests.length).toBeGreaterThan(0);
    expect(
      leaks.map((leak) => `${leak.needle.entity} "${leak.needle.value}" in ${leak.where}: ${leak.context}`),
    ).toEqual([]);
  });

  it('connects to nothing but loopback', () => {
    expect(connections.attempts.length).toBeGreaterThan(0);
    expect(connections.nonLoopback()).toEqual([]);
  });
});
