// The metrics path operators query: the library's metrics through the kit's collector into the real
// Prometheus (its OTLP receiver, loaded with prometheus/prometheus.yml, the file compose uses), under the
// series names and labels the rules and dashboards will use.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { startTelemetry } from '../../src/index.ts';
import type { TelemetryHandle } from '../../src/types.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { eventually } from '../support/eventually.ts';
import { type KitCollector, startKitCollector } from '../support/kit-collector.ts';
import { connect } from '../support/mcp.ts';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus.ts';
import { scenarioServer } from '../support/scenario-server.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';
import { requireTools } from '../support/tools.ts';

const prometheusConfig = path.join(repoRoot, 'prometheus/prometheus.yml');

describe('MCP metrics in the real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let sink: OtlpSink;
  let collector: KitCollector;
  let telemetry: TelemetryHandle;

  beforeAll(async () => {
    prometheus = await startPrometheus({
      config: prometheusConfig,
      extraArgs: ['--web.enable-otlp-receiver'],
    });
    sink = await startOtlpSink({ name: 'tempo-loki', captureRoot: newCaptureRoot('prometheus-otlp') });
    collector = await startKitCollector({
      backends: { tempo: sink.url, loki: `${sink.url}/otlp`, prometheus: `${prometheus.url}/api/v1/otlp` },
    });
    Object.assign(process.env, collector.sdkEnv);
    telemetry = startTelemetry({
      serviceName: 'prometheus-e2e',
      pseudonymKey: 'prometheus-e2e-key-0123456789abcdef',
    });
    const connection = await connect('1.x', 'http', () => scenarioServer('1.x'));
    await connection.client.callTool({ name: 'search', arguments: { query: 'q', language: 'es' } });
    await connection.client.callTool({ name: 'lookup', arguments: { id: 'x' } });
    await connection.close();
    await telemetry.forceFlush();
  });

  afterAll(async () => {
    await telemetry?.shutdown();
    await collector?.stop();
    await prometheus?.stop();
    await sink?.close();
  });

  it('accepts the shared prometheus.yml (promtool check config)', async () => {
    const { stdout } = await promisify(execFile)(requireTools().promtool, [
      'check',
      'config',
      prometheusConfig,
    ]);
    expect(stdout).toContain('SUCCESS');
  });

  it('stores the operation duration histogram in seconds, by tool, under the service as job', async () => {
    const series = await eventually(async () => {
      const result = await prometheus.query(
        'mcp_server_operation_duration_seconds_count{gen_ai_tool_name="search"}',
      );
      return result.length > 0 ? result : undefined;
    });
    expect(series[0]?.metric).toMatchObject({
      job: 'prometheus-e2e',
      mcp_method_name: 'tools/call',
      network_transport: 'tcp',
    });
    const buckets = await prometheus.query(
      'mcp_server_operation_duration_seconds_bucket{gen_ai_tool_name="search"}',
    );
    expect(buckets.map((b) => b.metric.le)).toEqual(expect.arrayContaining(['0.01', '0.5', '300', '+Inf']));
  });

  it('counts tool calls by outcome and policy attributes', async () => {
    const calls = await eventually(async () => {
      const result = await prometheus.query('mcpkit_tool_calls_total');
      return result.length >= 2 ? result : undefined;
    });
    const labels = calls.map((c) => c.metric);
    expect(labels).toContainEqual(
      expect.objectContaining({
        gen_ai_tool_name: 'search',
        mcpkit_tool_outcome: 'ok',
        mcpkit_arg_language: 'es',
      }),
    );
    expect(labels).toContainEqual(
      expect.objectContaining({ gen_ai_tool_name: 'lookup', mcpkit_tool_outcome: 'no_match' }),
    );
  });

  it('has no series labelled by a session, a caller or a request', async () => {
    for (const label of ['mcp_session_id', 'mcpkit_principal', 'jsonrpc_request_id']) {
      expect(await prometheus.query(`count({${label}!=""})`), label).toEqual([]);
    }
  });
});
