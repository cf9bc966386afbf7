// The whole alerting path with the real programs, for end-to-end alert tests: reference servers (the real
// program, one process per service) → the kit's collector → the real Prometheus loaded with the shared
// prometheus.yml and rule files → the real Alertmanager loaded with the shared alertmanager.yml and
// templates → fake Slack, PagerDuty and Watchdog webhooks that record every notification.
//
// What differs from compose, and only that (configFor* below; the e2e test checks the differences):
// addresses (Alertmanager, the collector's metrics endpoint, PagerDuty's API), the secrets folder (the
// shared file's absolute /etc/alertmanager/secrets/, where compose mounts them, becomes a temporary one), and
// Alertmanager's group_interval, 5 m in the shared file, which would hold every resolution notification
// for five minutes. Rule and template files are the shared ones, linked, never copied.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { type RunningBinary, startBinary } from './binary.ts';
import { type KitCollector, startKitCollector } from './kit-collector.ts';
import { freePort } from './ports.ts';
import {
  type RunningAlertmanager,
  type RunningPrometheus,
  startAlertmanager,
  startPrometheus,
} from './prometheus.ts';
import { type OtlpSink, startOtlpSink } from './sinks/otlp-sink.ts';
import { type RecordingServer, startRecordingServer } from './sinks/recording-server.ts';

export const sharedPrometheusConfig = path.join(repoRoot, 'prometheus/prometheus.yml');
export const sharedAlertmanagerConfig = path.join(repoRoot, 'alertmanager/alertmanager.yml');

/** Where the shared alertmanager.yml reads its secrets (compose mounts alertmanager/ at /etc/alertmanager). */
export const SHARED_SECRETS_DIR = '/etc/alertmanager/secrets/';

/** Alertmanager's group_interval in the tests: how soon a changed group (a resolution) is notified. */
export const TEST_GROUP_INTERVAL = '10s';

type Yaml = Record<string, unknown> & {
  route?: Record<string, unknown>;
  global?: Record<string, unknown>;
};

/** One notification as a receiver got it. */
export interface Notification {
  receiver: 'slack' | 'pagerduty' | 'watchdog';
  /** When the fake received it (ms since epoch). */
  receivedAt: number;
  /** firing or resolved. */
  status: string;
  /** The text a person reads: Slack title and text, PagerDuty summary and details, webhook labels. */
  text: string;
  body: unknown;
}

/** The shared prometheus.yml with only the addresses that differ here; rules/ is linked beside it. */
export function prometheusConfigFor(
  dir: string,
  addresses: { alertmanager: string; collectorMetrics: string },
): string {
  const config = parse(readFileSync(sharedPrometheusConfig, 'utf8')) as Yaml & {
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  for (const alertmanager of config.alerting.alertmanagers)
    for (const target of alertmanager.static_configs) target.targets = [addresses.alertmanager];
  for (const job of config.scrape_configs.filter((scrape) => scrape.job_name === 'otelcol'))
    for (const target of job.static_configs) target.targets = [addresses.collectorMetrics];
  symlinkSync(path.join(repoRoot, 'prometheus/rules'), path.join(dir, 'rules'));
  const file = path.join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(config));
  return file;
}

/** A copy of `value` with every string under `from` moved under `to` (the secrets files' paths). */
function movePaths(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value.startsWith(from) ? to + value.slice(from.length) : value;
  if (Array.isArray(value)) return value.map((item) => movePaths(item, from, to));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, movePaths(v, from, to)]));
  return value;
}

/** The routing key the test Alertmanager pages PagerDuty with (a fake's, never a real one). */
export const TEST_PAGERDUTY_ROUTING_KEY = 'test-routing-key-0123456789abcdef';

/**
 * The shared alertmanager.yml with PagerDuty's API on a fake, a test group_interval, and its secrets
 * files in a temporary folder; templates/ is linked beside it.
 */
export function alertmanagerConfigFor(
  dir: string,
  secrets: { slackWebhookUrl: string; pagerdutyUrl: string; watchdogWebhookUrl: string },
): string {
  const config = movePaths(
    parse(readFileSync(sharedAlertmanagerConfig, 'utf8')),
    SHARED_SECRETS_DIR,
    path.join(dir, 'secrets/'),
  ) as Yaml;
  config.global = { ...config.global, pagerduty_url: secrets.pagerdutyUrl };
  if (config.route) config.route.group_interval = TEST_GROUP_INTERVAL;
  mkdirSync(path.join(dir, 'secrets'));
  const secretFiles = {
    slack_webhook_url: secrets.slackWebhookUrl,
    pagerduty_routing_key: TEST_PAGERDUTY_ROUTING_KEY,
    watchdog_webhook_url: secrets.watchdogWebhookUrl,
    smtp_password: 'test-smtp-password',
  };
  for (const [name, value] of Object.entries(secretFiles))
    writeFileSync(path.join(dir, 'secrets', name), value);
  symlinkSync(path.join(repoRoot, 'alertmanager/templates'), path.join(dir, 'templates'));
  const file = path.join(dir, 'alertmanager.yml');
  writeFileSync(file, stringify(config));
  return file;
}

/** What a fake receiver got, decoded from its JSON body (Slack, PagerDuty Events v2, webhook). */
export function decodeNotification(
  receiver: Notification['receiver'],
  body: Buffer,
  receivedAt: number,
): Notification {
  const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  if (receiver === 'slack') {
    const attachments = (json.attachments ?? []) as { title?: string; text?: string }[];
    const text = attachments.map((a) => `${a.title ?? ''}\n${a.text ?? ''}`).join('\n');
    return {
      receiver,
      receivedAt,
      status: /^\[RESOLVED\]/.test(text) ? 'resolved' : 'firing',
      text,
      body: json,
    };
  }
  if (receiver === 'pagerduty') {
    const payload = (json.payload ?? {}) as { summary?: string; custom_details?: Record<string, unknown> };
    const text = `${payload.summary ?? ''}\n${JSON.stringify(payload.custom_details ?? {})}`;
    return {
      receiver,
      receivedAt,
      status: json.event_action === 'resolve' ? 'resolved' : 'firing',
      text,
      body: json,
    };
  }
  const alerts = (json.alerts ?? []) as { labels: Record<string, string> }[];
  return {
    receiver,
    receivedAt,
    status: String(json.status),
    text: alerts.map((alert) => JSON.stringify(alert.labels)).join('\n'),
    body: json,
  };
}

export interface AlertingStack {
  prometheus: RunningPrometheus;
  alertmanager: RunningAlertmanager;
  collector: KitCollector;
  /** The files the programs were started with. */
  files: { prometheus: string; alertmanager: string };
  /** Every notification received so far, in order. */
  notifications(): Notification[];
  stop(): Promise<void>;
}

export async function startAlertingStack(options: { captureRoot: string }): Promise<AlertingStack> {
  const received: Notification[] = [];
  // Each fake answers as the real service does (Slack's webhooks: text/plain "ok"); Alertmanager retries
  // a notification whose answer it cannot read, and would hold back the next one meanwhile.
  const receiver = (name: Notification['receiver'], status: number, contentType: string, reply: string) =>
    startRecordingServer({
      name,
      captureRoot: options.captureRoot,
      handler: (request) => {
        received.push(decodeNotification(name, request.body, Date.now()));
        return { status, contentType, body: reply };
      },
    });
  const webhooks: RecordingServer[] = [
    await receiver('slack', 200, 'text/plain', 'ok'),
    await receiver('pagerduty', 202, 'application/json', '{"status":"success","message":"Event processed"}'),
    await receiver('watchdog', 200, 'application/json', '{}'),
  ];
  const [slack, pagerduty, watchdog] = webhooks as [RecordingServer, RecordingServer, RecordingServer];
  const tempo: OtlpSink = await startOtlpSink({ name: 'tempo-loki', captureRoot: options.captureRoot });

  const alertmanagerDir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-alerting-am-'));
  const alertmanagerFile = alertmanagerConfigFor(alertmanagerDir, {
    slackWebhookUrl: `${slack.url}/services/T000/B000/XXXX`,
    pagerdutyUrl: `${pagerduty.url}/v2/enqueue`,
    watchdogWebhookUrl: `${watchdog.url}/watchdog`,
  });
  const alertmanager = await startAlertmanager({ config: alertmanagerFile });

  // The collector exports to Prometheus, and Prometheus scrapes the collector: Prometheus's port is
  // chosen first; the collector's exporter retries until Prometheus answers.
  const prometheusPort = await freePort();
  const collector = await startKitCollector({
    backends: {
      tempo: tempo.url,
      loki: `${tempo.url}/otlp`,
      prometheus: `http://127.0.0.1:${prometheusPort}/api/v1/otlp`,
    },
  });
  const prometheusDir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-alerting-prom-'));
  const prometheusFile = prometheusConfigFor(prometheusDir, {
    alertmanager: new URL(alertmanager.url).host,
    collectorMetrics: `127.0.0.1:${collector.telemetryPort}`,
  });
  const prometheus = await startPrometheus({
    config: prometheusFile,
    port: prometheusPort,
    extraArgs: ['--web.enable-otlp-receiver'],
  });

  return {
    prometheus,
    alertmanager,
    collector,
    files: { prometheus: prometheusFile, alertmanager: alertmanagerFile },
    notifications: () => [...received],
    async stop() {
      await prometheus.stop();
      await alertmanager.stop();
      await collector.stop();
      await Promise.all([...webhooks.map((webhook) => webhook.close()), tempo.close()]);
    },
  };
}

/** A reference server (examples/detainee-locator/server.ts, the real program) as its own process. */
export interface LocatorProcess extends RunningBinary {
  /** The MCP endpoint, e.g. http://127.0.0.1:41234/mcp */
  url: string;
}

export async function startLocatorProcess(options: {
  serviceName: string;
  collector: KitCollector;
  upstreamUrl: string;
  /** Bearer tokens by the principal they identify. */
  tokens: Record<string, string>;
  pseudonymKey: string;
  /** OTEL_METRIC_EXPORT_INTERVAL of the process, in ms (the SDK's default is 60 s). */
  metricExportIntervalMs: number;
}): Promise<LocatorProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/mcp`;
  const server = await startBinary({
    name: options.serviceName,
    command: process.execPath,
    args: [path.join(repoRoot, 'examples/detainee-locator/server.ts'), '--port', String(port)],
    env: {
      OTEL_SERVICE_NAME: options.serviceName,
      ...options.collector.sdkEnv,
      OTEL_METRIC_EXPORT_INTERVAL: String(options.metricExportIntervalMs),
      MCP_KIT_PSEUDONYM_KEY: options.pseudonymKey,
      UPSTREAM_URL: options.upstreamUrl,
      LOCATOR_TOKENS: Object.entries(options.tokens)
        .map(([principal, token]) => `${principal}:${token}`)
        .join(','),
    },
    // Every path answers, with 401 or 404 before a token is shown: any answer means it listens.
    healthUrl: url,
    readyOnAnyAnswer: true,
  });
  return Object.assign(server, { url });
}
