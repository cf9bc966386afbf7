// The dd-trace bridge with the real dd-trace and the real collector: dd-trace is the process's tracer,
// the kit's MCP spans and the careless application's spans (OpenTelemetry API and dd-trace's own API)
// are dd-trace spans, exported as OTLP to the collector instead of to a Datadog agent. They reach the
// Tempo sink on one trace, with the semconv attributes and the same service, environment and version,
// and without one canary; a fake Datadog agent receives no trace, and nothing leaves loopback.
// (The fake Datadog intake behind the collector needs its Datadog exporter, which this build lacks:
// README "Pinned versions".)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry } from '../../src/index.ts';
import type { TelemetryHandle } from '../../src/types.ts';
import { type Leak, loadCanaries, NeedleScanner } from '../support/canaries.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { type ConnectionRecorder, recordConnections } from '../support/connections.ts';
import { carelessDatadog } from '../support/fixtures/careless-datadog.ts';
import { pushRecordThroughMcp, startEmptyUpstream } from '../support/fixtures/careless-server.ts';
import { type KitCollector, startKitCollector } from '../support/kit-collector.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';
import { type RecordingServer, startRecordingServer } from '../support/sinks/recording-server.ts';

const corpus = loadCanaries();
const records = corpus.records.slice(0, 3);

describe('dd-trace as the tracer, through the collector', () => {
  let tempo: OtlpSink;
  let agent: RecordingServer;
  let collector: KitCollector;
  let telemetry: TelemetryHandle;
  let upstream: Awaited<ReturnType<typeof startEmptyUpstream>>;
  let connections: ConnectionRecorder;
  const toolSpans = () => tempo.spans.filter((span) => span.name === 'tools/call search_detainee_by_name');

  beforeAll(async () => {
    const captureRoot = newCaptureRoot('bridge-datadog');
    tempo = await startOtlpSink({ name: 'tempo', captureRoot });
    agent = await startRecordingServer({
      name: 'datadog-agent',
      captureRoot,
      handler: () => ({ status: 200 }),
    });
    collector = await startKitCollector({
      backends: { tempo: tempo.url, loki: `${tempo.url}/otlp`, prometheus: `${tempo.url}/api/v1/otlp` },
    });
    connections = recordConnections();
    Object.assign(process.env, collector.sdkEnv);
    // Were dd-trace to talk to an agent, this one would hear it.
    process.env.DD_TRACE_AGENT_URL = agent.url;
    telemetry = startTelemetry({
      tracer: 'dd-trace',
      serviceName: 'dd-bridge',
      serviceVersion: '2.0.1',
      environment: 'staging',
      pseudonymKey: 'dd-bridge-pseudonym-key-0123456789abcdef',
    });
    const tracer = createRequire(import.meta.url)('dd-trace') as typeof import('dd-trace');

    upstream = await startEmptyUpstream();
    for (const record of records) {
      await pushRecordThroughMcp(record, upstream.url, carelessDatadog(tracer, record));
    }
    // The application's own DogStatsD metrics, tagged with a searcher: no agent may receive them.
    tracer.dogstatsd.increment('careless.searches', 1, { searcher: records[0]?.searcher.email ?? '' });
    tracer.dogstatsd.flush();
    await telemetry.forceFlush();
    await tempo.waitFor(
      (data) =>
        data.spans.filter((span) => span.name === 'tools/call search_detainee_by_name').length >=
        records.reduce((total, record) => total + record.queries.length, 0),
      60_000,
    );
  });

  afterAll(async () => {
    connections?.stop();
    await telemetry?.shutdown();
    upstream?.close();
    await collector?.stop();
    await Promise.all([tempo?.close(), agent?.close()]);
  });

  it('delivers the kit’s MCP spans, recorded by dd-trace, with their semconv attributes', () => {
    const span = toolSpans()[0];
    expect(span?.resource['telemetry.sdk.name']).toBe('datadog');
    expect(span?.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'search_detainee_by_name',
      'mcp.session.id': expect.stringMatching(/^ps_/),
    });
  });

  it('tags every span with the same service, environment and version (unified service tagging)', () => {
    for (const span of tempo.spans) {
      expect(span.resource).toMatchObject({
        'service.name': 'dd-bridge',
        'deployment.environment.name': 'staging',
        'service.version': '2.0.1',
      });
    }
  });

  it('keeps the application’s spans on the trace of the tool call they ran in', () => {
    const traces = new Set(toolSpans().map((span) => span.traceId));
    const children = tempo.spans.filter(
      (span) => span.name !== 'tools/call search_detainee_by_name' && span.parentSpanId,
    );
    expect(children.length).toBeGreaterThan(0);
    expect(children.some((span) => traces.has(span.traceId))).toBe(true);
  });

  it('finds not one canary in what Tempo received', () => {
    const scanner = new NeedleScanner(
      corpus.needles.filter((needle) => records.some((r) => r.id === needle.record)),
    );
    const leaks: Leak[] = [];
    for (const file of readdirSync(tempo.captureDir)) {
      leaks.push(...scanner.scan(readFileSync(path.join(tempo.captureDir, file)), file));
    }
    expect(
      leaks.map((leak) => `${leak.needle.entity} "${leak.needle.value}" in ${leak.where}: ${leak.context}`),
    ).toEqual([]);
  });

  it('sends nothing to a Datadog agent (no traces, no DogStatsD metrics), and connects to nothing but loopback', () => {
    expect(agent.requests.map((request) => `${request.method} ${request.path}`)).toEqual([]);
    expect(connections.nonLoopback()).toEqual([]);
  });
});
