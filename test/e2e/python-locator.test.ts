// The reference server in Python (examples/detainee-locator-py, issue #22: FastMCP with the kit's Python
// package), driven by the same traffic generator as the TypeScript server, into the kit's real collector.
// Every journey completes; the same seed gives the same calls and the same tool errors from either
// server (same tools, same inputs, same answers); the backends get every tool's outcomes, the callers'
// pseudonyms and the server's own locator.* metrics, and none of the people searched for; and a client
// that starts the server over stdio gets its answer and the same semantic-convention span.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPool } from '../../examples/detainee-locator/agent-pool.ts';
import { syntheticDetainees } from '../../examples/detainee-locator/dataset.ts';
import { startHttpServer } from '../../examples/detainee-locator/server.ts';
import { startUpstream, type Upstream } from '../../examples/detainee-locator/upstream.ts';
import { UpstreamClient } from '../../examples/detainee-locator/upstream-client.ts';
import { runTraffic, type TrafficOptions, type TrafficSummary } from '../../examples/traffic/generator.ts';
import { configurePrivacyGuard, PrivacyGuard } from '../../src/privacy/guard.ts';
import { startBinary } from '../support/binary.ts';
import { datasetNeedles, NeedleScanner } from '../support/canaries.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { type KitCollector, startKitCollector, testCollectorSecrets } from '../support/kit-collector.ts';
import { freePort } from '../support/ports.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';
import { requireTools } from '../support/tools.ts';

const repoRoot = path.join(import.meta.dirname, '../..');
const serverScript = path.join(repoRoot, 'examples/detainee-locator-py/server.py');
const TOOLS = [
  'search_detainee_by_name',
  'search_detainee_by_alien_number',
  'smart_detainee_search',
  'bulk_search_detainees',
  'generate_search_report',
];
const AGENTS_SECRET = 'agents-secret-0123456789';
const PROBER_TOKEN = 'prober-token-0123456789';
const tools = requireTools();

/** The Python server's environment: the kit's package from the repository, telemetry to the collector. */
function pythonEnvironment(
  collector: KitCollector,
  upstream: Upstream,
  service: string,
): Record<string, string> {
  return {
    PYTHONPATH: path.join(repoRoot, 'python/src'),
    PYTHONDONTWRITEBYTECODE: '1',
    UPSTREAM_URL: upstream.url,
    LOCATOR_TOKENS: `agents*8:${AGENTS_SECRET},prober:${PROBER_TOKEN}`,
    MCP_KIT_PSEUDONYM_KEY: 'python-locator-test-pseudonym-key-0123456789',
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl,
    // Header values are percent-encoded in OTEL_EXPORTER_OTLP_HEADERS.
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${testCollectorSecrets.MCP_KIT_COLLECTOR_TOKEN}`,
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_BLRP_SCHEDULE_DELAY: '200',
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
  };
}

const traffic = (url: string): TrafficOptions => ({
  url,
  token: AGENTS_SECRET,
  agents: 8,
  enumerationToken: PROBER_TOKEN,
  sessions: 20,
  rate: 20,
  seed: 'python-locator',
  mix: { family: 1, lawyer: 1, typo: 1, bulk: 1, enumeration: 1 },
});

describe('the Python reference server, driven by the traffic generator, through the kit’s collector', () => {
  const captureRoot = newCaptureRoot('python-locator');
  let sinks: { tempo: OtlpSink; loki: OtlpSink; prometheus: OtlpSink };
  let collector: KitCollector;
  let upstream: Upstream;
  let python: { stop(): Promise<string>; logs(): string };
  let typescript: Awaited<ReturnType<typeof startHttpServer>>;
  const summaries: { python?: TrafficSummary; typescript?: TrafficSummary } = {};
  let stdioAnswer = '';

  beforeAll(async () => {
    sinks = {
      tempo: await startOtlpSink({ name: 'tempo', captureRoot }),
      loki: await startOtlpSink({ name: 'loki', captureRoot }),
      prometheus: await startOtlpSink({ name: 'prometheus', captureRoot }),
    };
    collector = await startKitCollector({
      backends: {
        tempo: sinks.tempo.url,
        loki: `${sinks.loki.url}/otlp`,
        prometheus: `${sinks.prometheus.url}/api/v1/otlp`,
      },
      env: { MCP_KIT_KNOWN_TOOLS: TOOLS.join('|'), MCP_KIT_METRIC_PREFIXES: 'locator[.]' },
    });
    upstream = await startUpstream();
    const port = await freePort();
    python = await startBinary({
      name: 'py-locator',
      command: tools.python,
      args: [serverScript, '--port', `${port}`],
      env: pythonEnvironment(collector, upstream, 'py-locator'),
      // The MCP endpoint answers a bare GET with an error status: any answer means it listens.
      healthUrl: `http://127.0.0.1:${port}/mcp`,
      readyOnAnyAnswer: true,
      startTimeoutMs: 60_000,
    });
    summaries.python = await runTraffic(traffic(`http://127.0.0.1:${port}/mcp`));
    // The TypeScript server, on the same upstream, with the same principals, for the same seed (its
    // telemetry goes nowhere here: this process starts no SDK).
    configurePrivacyGuard(new PrivacyGuard({ ephemeral: true }));
    typescript = await startHttpServer({
      upstream: new UpstreamClient(upstream.url),
      tokens: { ...agentPool('agents', 8, AGENTS_SECRET), prober: PROBER_TOKEN },
      allowedOrigins: [],
      limits: { requestsPerSecond: 10_000, maxSessionsPerPrincipal: 1_000 },
    });
    summaries.typescript = await runTraffic(traffic(typescript.url));

    // Over stdio: the client starts the server, as a desktop assistant does.
    const someone = syntheticDetainees()[7];
    const client = new Client({ name: 'Claude Desktop', version: '1.2.3' });
    await client.connect(
      new StdioClientTransport({
        command: tools.python,
        args: [serverScript, '--transport', 'stdio'],
        env: pythonEnvironment(collector, upstream, 'py-locator-stdio'),
        stderr: 'ignore',
      }),
    );
    const result = (await client.callTool({
      name: 'search_detainee_by_alien_number',
      arguments: { alien_number: someone?.alien_number },
    })) as { content: { text: string }[] };
    stdioAnswer = result.content[0]?.text ?? '';
    await client.close();

    await sinks.tempo.waitFor(
      (data) =>
        data.spans.filter(
          (span) => span.resource['service.name'] === 'py-locator' && span.name.startsWith('tools/call '),
        ).length >= (summaries.python?.calls ?? 0) &&
        data.spans.some((span) => span.resource['service.name'] === 'py-locator-stdio'),
      60_000,
    );
    await sinks.prometheus.waitFor(
      (data) =>
        TOOLS.every((tool) =>
          data.dataPoints.some(
            (point) =>
              point.metric === 'mcpkit.tool.calls' &&
              point.resource['service.name'] === 'py-locator' &&
              point.attributes['gen_ai.tool.name'] === tool,
          ),
        ),
      60_000,
    );
  }, 600_000);

  afterAll(async () => {
    await python?.stop();
    await typescript?.close();
    await upstream?.close();
    await collector?.stop();
    await Promise.all(Object.values(sinks ?? {}).map((sink) => sink.close()));
  });

  const pythonCalls = () =>
    sinks.tempo.spans.filter(
      (span) => span.resource['service.name'] === 'py-locator' && span.name.startsWith('tools/call '),
    );

  it('completes every session of every journey', () => {
    expect(summaries.python?.completed).toBe(20);
    expect(summaries.python?.failed).toBe(0);
    for (const journey of ['family', 'lawyer', 'typo', 'bulk', 'enumeration'] as const)
      expect(summaries.python?.journeys[journey], journey).toBeGreaterThan(0);
  });

  it('answers as the TypeScript server does: the same seed gives the same calls and the same tool errors', () => {
    const drawn = (summary?: TrafficSummary) => ({
      completed: summary?.completed,
      calls: summary?.calls,
      toolErrors: summary?.toolErrors,
      journeys: summary?.journeys,
      clients: summary?.clients,
    });
    expect(summaries.python?.toolErrors).toBeGreaterThan(0);
    expect(drawn(summaries.python)).toEqual(drawn(summaries.typescript));
  });

  it('traces every call with its tool, outcome, assistant and caller pseudonym', () => {
    const calls = pythonCalls();
    expect(calls).toHaveLength(summaries.python?.calls ?? -1);
    expect(new Set(calls.map((span) => span.attributes['gen_ai.tool.name']))).toEqual(new Set(TOOLS));
    expect(new Set(calls.map((span) => span.attributes['mcpkit.tool.outcome']))).toEqual(
      expect.objectContaining(new Set(['ok', 'no_match', 'rejected'])),
    );
    expect(calls.some((span) => span.attributes['mcpkit.client.name'] === 'Claude Desktop')).toBe(true);
    expect(calls.every((span) => /^ps_/.test(String(span.attributes['mcpkit.principal'])))).toBe(true);
    // The upstream's lookups are in the calls' traces, with the cache's verdict.
    const lookups = sinks.tempo.spans.filter(
      (span) => span.resource['service.name'] === 'py-locator' && span.name === 'upstream lookup',
    );
    expect(new Set(lookups.map((span) => span.attributes['mcpkit.cache.result']))).toContain('miss');
    const callTraces = new Set(calls.map((span) => span.traceId));
    expect(lookups.every((span) => callTraces.has(span.traceId))).toBe(true);
  });

  it('shows the enumeration as many lookups by one pseudonymous principal', () => {
    const byPrincipal = new Map<unknown, number>();
    for (const span of pythonCalls().filter(
      (span) => span.attributes['gen_ai.tool.name'] === 'search_detainee_by_alien_number',
    ))
      byPrincipal.set(
        span.attributes['mcpkit.principal'],
        (byPrincipal.get(span.attributes['mcpkit.principal']) ?? 0) + 1,
      );
    const [top] = [...byPrincipal.values()].sort((a, b) => b - a);
    expect(top).toBeGreaterThanOrEqual(25 * (summaries.python?.journeys.enumeration ?? 1));
  });

  it('exports the server’s own upstream metrics under their locator.* names', () => {
    const metrics = new Set(
      sinks.prometheus.dataPoints
        .filter((point) => point.resource['service.name'] === 'py-locator')
        .map((point) => point.metric),
    );
    for (const name of ['locator.upstream.requests', 'locator.cache.lookups', 'locator.upstream.in_flight'])
      expect(metrics, name).toContain(name);
  });

  it('answers a client that starts it over stdio, and traces the call as a pipe transport', () => {
    const someone = syntheticDetainees()[7];
    expect(stdioAnswer).toContain(someone?.last_name);
    const [call] = sinks.tempo.spans.filter(
      (span) =>
        span.resource['service.name'] === 'py-locator-stdio' &&
        span.name === 'tools/call search_detainee_by_alien_number',
    );
    expect(call?.attributes['network.transport']).toBe('pipe');
    expect(call?.attributes['mcpkit.tool.outcome']).toBe('ok');
  });

  it('delivers none of the people in the dataset to any backend: no name, A-number or date of birth', () => {
    const needles = datasetNeedles(syntheticDetainees());
    const scanner = new NeedleScanner(needles);
    const leaks = Object.values(sinks).flatMap((sink) =>
      readdirSync(sink.captureDir).flatMap((file) =>
        scanner.scan(readFileSync(path.join(sink.captureDir, file)), `${sink.name}/${file}`),
      ),
    );
    console.log(
      `python locator: ${summaries.python?.calls} calls, ${pythonCalls().length} tool spans at Tempo, ` +
        `${leaks.length} leaks in ${Object.values(sinks).reduce((n, sink) => n + readdirSync(sink.captureDir).length, 0)} captured requests`,
    );
    expect(leaks.slice(0, 5).map((leak) => `${leak.needle.entity} ${leak.where}: …${leak.context}…`)).toEqual(
      [],
    );
  });
});
