// Any MCP server, any instrumentation (issue #29), the TypeScript peers: a server traced by a vendor's own
// MCP instrumentation, with no kit code, through the kit's real collector. dd-trace's MCP plugin names
// its tools/call span `server_tool_call` and sets no MCP attribute; the collector maps it to the
// conventions (rules.json `conventions`), so the derived mcp.server.operation.duration counts every call
// and failure, and none of the canary arguments the real MCP client sent reaches a backend.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { startBinary } from '../support/binary.ts';
import { type Leak, loadCanaries } from '../support/canaries.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { latestCounts, leaksAt, searchEveryone } from '../support/foreign-servers.ts';
import { type KitCollector, startKitCollector, testCollectorSecrets } from '../support/kit-collector.ts';
import { freePort } from '../support/ports.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';

const DERIVED = 'mcp.server.operation.duration';
const corpus = loadCanaries();
const CALLS = 9;

/** The servers, each with no kit code, and how their vendor's instrumentation is loaded and pointed. */
const peers = {
  'dd-trace': {
    service: 'dd-locator',
    args: ['--import', 'dd-trace/initialize.mjs', 'test/support/fixtures/dd-trace-mcp-server.ts'],
    env: (collector: KitCollector): Record<string, string> => ({
      DD_SERVICE: 'dd-locator',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.otlpHttpUrl}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${testCollectorSecrets.MCP_KIT_COLLECTOR_TOKEN}`,
      // Nothing answers there: dd-trace must not need an agent.
      DD_TRACE_AGENT_URL: 'http://127.0.0.1:1',
      DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
      DD_REMOTE_CONFIGURATION_ENABLED: 'false',
      DD_TRACE_STARTUP_LOGS: 'false',
    }),
  },
} as const;
type Peer = keyof typeof peers;

describe.each(Object.keys(peers) as Peer[])(
  'an MCP server traced by %s alone, through the kit’s collector',
  (peer) => {
    const { service, args, env } = peers[peer];
    const records = corpus.records.slice(0, CALLS);
    let sinks: { tempo: OtlpSink; prometheus: OtlpSink };
    let collector: KitCollector;
    const outcome = { made: 0, failed: 0 };
    const leaks: Leak[] = [];

    beforeAll(async () => {
      const captureRoot = newCaptureRoot(`${peer}-alone`);
      sinks = {
        tempo: await startOtlpSink({ name: 'tempo', captureRoot }),
        prometheus: await startOtlpSink({ name: 'prometheus', captureRoot }),
      };
      collector = await startKitCollector({
        backends: {
          tempo: sinks.tempo.url,
          loki: `${sinks.tempo.url}/otlp`,
          prometheus: `${sinks.prometheus.url}/api/v1/otlp`,
        },
        env: { MCP_KIT_KNOWN_TOOLS: 'search_detainee_by_name' },
      });
      const port = await freePort();
      const url = new URL(`http://127.0.0.1:${port}/mcp`);
      const server = await startBinary({
        name: service,
        command: process.execPath,
        args: [...args, `${port}`],
        cwd: repoRoot,
        env: env(collector),
        // The MCP endpoint answers a bare GET with an error status: any answer means it listens.
        healthUrl: url.href,
        readyOnAnyAnswer: true,
        startTimeoutMs: 30_000,
      });
      try {
        Object.assign(outcome, await searchEveryone(url, records));
        await sinks.prometheus
          .waitFor(
            (data) =>
              Object.values(latestCounts(data.dataPoints, DERIVED, service)).reduce(
                (sum, count) => sum + count,
                0,
              ) >= outcome.made,
            30_000,
          )
          .catch(() => undefined);
      } finally {
        await server.stop();
      }
      // The sinks settle: nothing of a late export escapes the scan.
      await sleep(1_000);
      leaks.push(...leaksAt(Object.values(sinks), corpus, records));
      console.log(
        `${peer} alone: ${JSON.stringify(outcome)} calls made, ${sinks.tempo.spans.length} spans at Tempo, ` +
          `derived ${JSON.stringify(latestCounts(sinks.prometheus.dataPoints, DERIVED, service))}, ${leaks.length} leaks`,
      );
    }, 120_000);

    afterAll(async () => {
      await collector?.stop();
      await Promise.all(Object.values(sinks ?? {}).map((sink) => sink.close()));
    });

    it('delivers none of the canaries the server was sent', () => {
      expect(leaks.map((leak) => `${leak.needle.entity} ${leak.where}`).slice(0, 10)).toEqual([]);
    });

    it('counts every tools/call on the derived metric, and every failure', () => {
      expect(outcome.failed).toBeGreaterThan(0);
      expect(latestCounts(sinks.prometheus.dataPoints, DERIVED, service)).toEqual({
        [JSON.stringify({ 'mcp.method.name': 'tools/call' })]: outcome.made - outcome.failed,
        [JSON.stringify({ 'error.type': 'Error', 'mcp.method.name': 'tools/call' })]: outcome.failed,
      });
    });

    it('names its tools/call spans as the conventions do', () => {
      const calls = sinks.tempo.spans.filter((span) => span.attributes['mcp.method.name'] === 'tools/call');
      expect(calls).toHaveLength(outcome.made);
      expect(new Set(calls.map((span) => span.name))).toEqual(new Set(['tools/call']));
    });
  },
);
