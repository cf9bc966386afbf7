// The pipeline the dashboards read, for real: the reference server (its own Node process, instrumented by
// the kit) over the simulated upstream, through the kit's collector, into the real Prometheus loaded with
// prometheus/prometheus.yml and its rules, with the collector's own metrics scraped as compose does.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { startUpstream, type Upstream } from '../../examples/detainee-locator/upstream.ts';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { type RunningBinary, startBinary } from './binary.ts';
import { newCaptureRoot } from './capture.ts';
import { eventually } from './eventually.ts';
import { type KitCollector, startKitCollector } from './kit-collector.ts';
import { freePort } from './ports.ts';
import { type RunningPrometheus, startPrometheus } from './prometheus.ts';
import { type OtlpSink, startOtlpSink } from './sinks/otlp-sink.ts';

export const serviceName = 'detainee-locator';
/** Bearer tokens of the reference server: the agents' and the enumerating prober's. */
export const tokens = { agents: 'agents-token-0123456789', prober: 'prober-token-0123456789' };
export const allowedOrigin = 'https://assistant.example';

export interface DashboardStack {
  prometheus: RunningPrometheus;
  collector: KitCollector;
  /** Stands in for Tempo and Loki (they cannot run here). */
  sink: OtlpSink;
  upstream: Upstream;
  server: RunningBinary;
  /** The server's MCP endpoint. */
  mcpUrl: string;
  /** While true, the stand-ins for Tempo and Loki answer 401, as a backend refusing data would. */
  backendsRefuse(refuse: boolean): void;
  stop(): Promise<void>;
}

/**
 * prometheus/prometheus.yml with only what must differ here: the rule files by absolute path (the file
 * is written elsewhere), and the addresses of the collector's self-metrics and of Alertmanager.
 */
export function prometheusConfig(otelcolTarget: string, alertmanagerTarget: string): string {
  const config = parse(readFileSync(path.join(repoRoot, 'prometheus/prometheus.yml'), 'utf8')) as {
    rule_files: string[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  config.rule_files = config.rule_files.map((glob) => path.join(repoRoot, 'prometheus', glob));
  for (const manager of config.alerting.alertmanagers)
    for (const target of manager.static_configs) target.targets = [alertmanagerTarget];
  const otelcol = config.scrape_configs.find((scrape) => scrape.job_name === 'otelcol');
  if (!otelcol) throw new Error('prometheus.yml has no otelcol scrape job');
  for (const target of otelcol.static_configs) target.targets = [otelcolTarget];
  return stringify(config);
}

export async function startDashboardStack(): Promise<DashboardStack> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-dashboards-'));
  const configFile = path.join(dir, 'prometheus.yml');
  // Nothing listens there: alerts are evaluated (ALERTS) but not delivered, which no panel needs.
  const alertmanagerTarget = `127.0.0.1:${await freePort()}`;
  // The collector's self-metrics port is only known once it runs, and it needs Prometheus first:
  // start Prometheus with a placeholder, then point the scrape job at the collector and reload.
  writeFileSync(configFile, prometheusConfig('127.0.0.1:1', alertmanagerTarget));
  const prometheus = await startPrometheus({ config: configFile, extraArgs: ['--web.enable-otlp-receiver'] });
  let refusing = false;
  const sink = await startOtlpSink({
    name: 'tempo-loki',
    captureRoot: newCaptureRoot('dashboards'),
    authorize: () => !refusing,
  });
  const collector = await startKitCollector({
    backends: { tempo: sink.url, loki: `${sink.url}/otlp`, prometheus: `${prometheus.url}/api/v1/otlp` },
  });
  writeFileSync(configFile, prometheusConfig(`127.0.0.1:${collector.telemetryPort}`, alertmanagerTarget));
  process.kill(prometheus.pid, 'SIGHUP');
  await eventually(async () => {
    const response = await fetch(`${prometheus.url}/api/v1/targets`);
    const body = (await response.json()) as {
      data: { activeTargets: { labels: { job: string }; scrapeUrl: string }[] };
    };
    return body.data.activeTargets.some((target) => target.scrapeUrl.includes(`:${collector.telemetryPort}/`))
      ? true
      : undefined;
  });

  const upstream = await startUpstream();
  const port = await freePort();
  const server = await startBinary({
    name: serviceName,
    command: process.execPath,
    args: [path.join(repoRoot, 'examples/detainee-locator/server.ts'), '--port', String(port)],
    env: {
      OTEL_SERVICE_NAME: serviceName,
      ...collector.sdkEnv,
      // Metrics every second, so the test does not wait a minute for them.
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '500',
      MCP_KIT_PSEUDONYM_KEY: 'dashboards-e2e-pseudonym-key-0123456789',
      UPSTREAM_URL: upstream.url,
      LOCATOR_TOKENS: `agents:${tokens.agents},prober:${tokens.prober}`,
      // One principal stands for every agent here: the per-principal limits would throttle the load.
      LOCATOR_RATE_PER_PRINCIPAL: '10000',
      LOCATOR_MAX_SESSIONS_PER_PRINCIPAL: '1000',
      LOCATOR_ALLOWED_ORIGINS: allowedOrigin,
    },
    // The server has no health route; any answer from /mcp (401 without a token) means it listens.
    healthUrl: `${upstream.url}/health`,
  });
  const mcpUrl = `http://127.0.0.1:${port}/mcp`;
  await eventually(
    async () => ((await fetch(mcpUrl).catch(() => undefined))?.status ? true : undefined),
    60_000,
  );

  return {
    prometheus,
    collector,
    sink,
    upstream,
    server,
    mcpUrl,
    backendsRefuse(refuse) {
      refusing = refuse;
    },
    async stop() {
      await server.stop();
      await collector.stop();
      await prometheus.stop();
      await upstream.close();
      await sink.close();
    },
  };
}

/** Sets the simulated upstream's faults through its admin endpoint, as an operator's drill would. */
export async function setUpstreamFaults(upstream: Upstream, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${upstream.url}/admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`faults: ${response.status}`);
}
