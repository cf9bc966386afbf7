// Runs the real Prometheus and Alertmanager (provisioned by `npm run tools`) for a test, on free
// loopback ports with throwaway storage.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { type RunningBinary, startBinary } from './binary.ts';
import { freePort } from './ports.ts';
import { requireTools } from './tools.ts';

export interface RunningPrometheus extends RunningBinary {
  url: string;
  /** Instant query; returns the result vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
}

export interface RunningAlertmanager extends RunningBinary {
  url: string;
  /** Alerts Alertmanager currently holds (API v2). */
  alerts(): Promise<
    { labels: Record<string, string>; annotations: Record<string, string>; status: { state: string } }[]
  >;
}

function configFile(config: string | Record<string, unknown>, dir: string, name: string): string {
  if (typeof config === 'string') return path.resolve(config);
  const file = path.join(dir, name);
  writeFileSync(file, stringify(config));
  return file;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function startPrometheus(options: {
  /** prometheus.yml as a path or an object; rule_files inside are resolved relative to it. */
  config: string | Record<string, unknown>;
  extraArgs?: string[];
  /** A port chosen beforehand, when another program must know the address first. */
  port?: number;
}): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-prometheus-'));
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const prometheus = await startBinary({
    name: 'prometheus',
    command: requireTools().prometheus,
    args: [
      `--config.file=${configFile(options.config, dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(options.extraArgs ?? []),
    ],
    healthUrl: `${url}/-/ready`,
  });
  return Object.assign(prometheus, {
    url,
    async query(promql: string) {
      const body = await getJson<{
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      }>(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      return body.data.result;
    },
  });
}

export async function startAlertmanager(options: {
  config: string | Record<string, unknown>;
  /** Its --storage.path (silences, notification log); pass the same one to restart with its state. */
  storageDir?: string;
  /** A fixed port, so a restarted Alertmanager is where its senders expect it. */
  port?: number;
  /** Working folder: Alertmanager 0.31 reads relative `*_file` secret paths against it, not the config's folder. */
  cwd?: string;
}): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-alertmanager-'));
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const alertmanager = await startBinary({
    name: 'alertmanager',
    command: requireTools().alertmanager,
    args: [
      `--config.file=${configFile(options.config, dir, 'alertmanager.yml')}`,
      `--storage.path=${options.storageDir ?? path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty address turns off clustering, which would otherwise listen on all interfaces and gossip.
      '--cluster.listen-address=',
    ],
    healthUrl: `${url}/-/ready`,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return Object.assign(alertmanager, {
    url,
    alerts: () => getJson<Awaited<ReturnType<RunningAlertmanager['alerts']>>>(`${url}/api/v2/alerts`),
  });
}
