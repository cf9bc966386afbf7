// The mcpcat / agentcat bridge with both real packages and the real collector: canary records go
// through a careless MCP server tracked by the vendor SDK. Telemetry-only (no project id), the SDK's
// events reach the Tempo sink through the collector and the vendor receives nothing at all; with a
// project id (agentcat), the fake vendor receives events without arguments, results, headers or
// identities, the caller only as the kit's pseudonym. Not one canary anywhere; nothing leaves loopback.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpcatBridge, startMcpcatBridge, startTelemetry } from '../../src/index.ts';
import { privacyGuard } from '../../src/privacy/guard.ts';
import type { TelemetryHandle } from '../../src/types.ts';
import { type Leak, loadCanaries, NeedleScanner } from '../support/canaries.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { type ConnectionRecorder, recordConnections } from '../support/connections.ts';
import { eventually } from '../support/eventually.ts';
import {
  carelessServer,
  pushRecordThroughMcp,
  startEmptyUpstream,
} from '../support/fixtures/careless-server.ts';
import { type KitCollector, startKitCollector } from '../support/kit-collector.ts';
import { connect } from '../support/mcp.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';
import { type RecordingServer, startRecordingServer } from '../support/sinks/recording-server.ts';

const corpus = loadCanaries();
const records = corpus.records.slice(0, 5);

describe('mcpcat and agentcat, routed through the kit', () => {
  let tempo: OtlpSink;
  let vendor: RecordingServer;
  let collector: KitCollector;
  let telemetry: TelemetryHandle;
  let upstream: Awaited<ReturnType<typeof startEmptyUpstream>>;
  let upstreamUrl: string;
  let connections: ConnectionRecorder;
  let principal = '';
  const bridges: Record<string, McpcatBridge> = {};
  let vendorRequestsWhileTelemetryOnly = -1;
  const vendorScopeSpans = (scope: string) => tempo.spans.filter((span) => span.scope.name === scope);

  async function push(bridge: McpcatBridge, slice: typeof records) {
    for (const record of slice) {
      principal = record.searcher.oauth_subject;
      await pushRecordThroughMcp(record, upstreamUrl, { track: (server) => bridge.track(server) });
    }
  }

  beforeAll(async () => {
    const captureRoot = newCaptureRoot('bridge-mcpcat');
    tempo = await startOtlpSink({ name: 'tempo', captureRoot });
    vendor = await startRecordingServer({
      name: 'mcpcat-vendor',
      captureRoot,
      handler: () => ({ status: 200, contentType: 'application/json', body: '{}' }),
    });
    collector = await startKitCollector({
      backends: { tempo: tempo.url, loki: `${tempo.url}/otlp`, prometheus: `${tempo.url}/api/v1/otlp` },
    });
    connections = recordConnections();
    Object.assign(process.env, collector.sdkEnv);
    // The vendor's analytics API and diagnostics intake, should the SDK call them.
    process.env.AGENTCAT_API_URL = vendor.url;
    process.env.MCPCAT_API_URL = vendor.url;
    process.env.DIAGNOSTICS_ENDPOINT = vendor.url;
    telemetry = startTelemetry({
      serviceName: 'mcpcat-bridge',
      pseudonymKey: 'mcpcat-bridge-key-0123456789abcdef',
    });
    upstream = await startEmptyUpstream();
    upstreamUrl = upstream.url;

    const identify = () => principal;
    bridges.agentcat = await startMcpcatBridge({ package: 'agentcat', identify });
    bridges.mcpcat = await startMcpcatBridge({ package: 'mcpcat', identify });
    await push(bridges.agentcat, records.slice(0, 2));
    await push(bridges.mcpcat, records.slice(2, 4));
    await tempo.waitFor(
      (data) => ['agentcat', 'mcpcat'].every((scope) => data.spans.some((s) => s.scope.name === scope)),
      60_000,
    );
    vendorRequestsWhileTelemetryOnly = vendor.requests.length;

    bridges.vendor = await startMcpcatBridge({ package: 'agentcat', projectId: 'proj_kit_test', identify });
    await push(bridges.vendor, records.slice(4, 5));
    await eventually(async () => (vendor.requests.length > 0 ? true : undefined), 60_000);
    await telemetry.forceFlush();
  });

  afterAll(async () => {
    connections?.stop();
    await telemetry?.shutdown();
    upstream?.close();
    await collector?.stop();
    await Promise.all([tempo?.close(), vendor?.close()]);
  });

  it('loads the package asked for, and sends to the vendor only with a project id (agentcat)', () => {
    expect(bridges.agentcat).toMatchObject({ package: 'agentcat', vendorAnalytics: false });
    expect(bridges.mcpcat).toMatchObject({ package: 'mcpcat', vendorAnalytics: false });
    expect(bridges.vendor).toMatchObject({ package: 'agentcat', vendorAnalytics: true });
  });

  it('delivers both SDKs’ events to Tempo through the collector', () => {
    for (const scope of ['agentcat', 'mcpcat']) {
      const spans = vendorScopeSpans(scope);
      expect(spans.length, scope).toBeGreaterThan(0);
      expect(spans.map((span) => span.name)).toContain('mcp:tools/call');
    }
  });

  it('sends the vendor nothing, not even diagnostics, without a project id', () => {
    expect(vendorRequestsWhileTelemetryOnly).toBe(0);
  });

  it('with a project id, sends the vendor no arguments, results or headers, and the caller only as a pseudonym', () => {
    const events = vendor.requests.map(
      (request) => JSON.parse(request.body.toString('utf8')) as Record<string, unknown>,
    );
    const withActor = events.filter((event) => event.identifyActorGivenId !== undefined);
    expect(withActor.length).toBeGreaterThan(0);
    const subject = records[4]?.searcher.oauth_subject ?? '';
    for (const event of withActor) {
      expect(event.identifyActorGivenId).toBe(privacyGuard().pseudonymizer.pseudonym('principal', subject));
    }
    for (const event of events) {
      for (const field of [
        'parameters',
        'response',
        'userIntent',
        'ipAddress',
        'identifyActorName',
        'identifyData',
      ]) {
        expect(event[field], field).toBeUndefined();
      }
    }
  });

  it('adds no tool and injects no `context` parameter into the server’s tools', async () => {
    for (const bridge of [bridges.agentcat, bridges.mcpcat]) {
      const tracked = () => carelessServer(upstreamUrl, { track: (server) => bridge?.track(server) });
      const connection = await connect('1.x', 'in-memory', tracked);
      const { tools } = (await connection.client.listTools()) as {
        tools: { name: string; inputSchema?: { properties?: Record<string, unknown> } }[];
      };
      await connection.close();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        'search_detainee_by_name',
        'smart_detainee_search',
      ]);
      for (const tool of tools)
        expect(Object.keys(tool.inputSchema?.properties ?? {})).not.toContain('context');
    }
  });

  it('finds not one canary in what Tempo or the vendor received', () => {
    const scanner = new NeedleScanner(
      corpus.needles.filter((needle) => records.some((r) => r.id === needle.record)),
    );
    const leaks: Leak[] = [];
    for (const dir of [tempo.captureDir, vendor.captureDir]) {
      for (const file of readdirSync(dir))
        leaks.push(...scanner.scan(readFileSync(path.join(dir, file)), file));
    }
    expect(
      leaks.map((leak) => `${leak.needle.entity} "${leak.needle.value}" in ${leak.where}: ${leak.context}`),
    ).toEqual([]);
  });

  it('connects to nothing but loopback', () => {
    expect(connections.nonLoopback()).toEqual([]);
  });
});
