// `docker compose up`, executed (issue #18): docker-compose.yml runs on the tests' own Docker engine, in a
// loopback-only namespace, with images built here from the provisioned programs and the README's `.env`
// recipe. Tempo, Loki and Grafana are the stand-ins of test/support/compose/stand-ins.yml (printed below).
// The reference server and the traffic generator are built by compose from examples/Dockerfile, unchanged,
// on the test's Node.js image (whose npm cache answers the build's `npm ci`: no registry is in reach).
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/provision/cache.ts';
import {
  decodeNotification,
  type Notification,
  TEST_PAGERDUTY_ROUTING_KEY,
} from '../support/alerting-stack.ts';
import { type Leak, loadCanaries, NeedleScanner } from '../support/canaries.ts';
import { buildStackImages, type ComposeStack, composeStack, standInsFile } from '../support/compose-stack.ts';
import { type DockerEngine, startDockerEngine } from '../support/docker-engine.ts';
import { eventually } from '../support/eventually.ts';

interface ContainerState {
  service: string;
  state: string;
  health: string;
  startedAt: number;
  healthyAt: number;
  restarts: number;
}

/** The server's pool of agent principals in this stack (TRAFFIC_AGENTS). */
const agents = '20';
let engine: DockerEngine;
let stack: ComposeStack;
const timings: Record<string, number> = {};
/** When `npm run stack` began: the origin of the reported start-up and first-data times. */
let stackStartedAt = 0;
const sinceStart = (at: number) => Math.round((at - stackStartedAt) / 100) / 10;

async function containers(): Promise<ContainerState[]> {
  const listed = await stack.compose(['ps', '--all', '-q']);
  const ids = listed.stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const inspected = await engine.docker(['inspect', ...ids]);
  return (
    JSON.parse(inspected.stdout) as {
      Config: { Labels: Record<string, string> };
      State: {
        Status: string;
        Health?: { Status: string; Log?: { End: string; ExitCode: number }[] };
        StartedAt: string;
      };
      RestartCount: number;
    }[]
  ).map((container) => ({
    service: container.Config.Labels['com.docker.compose.service'] as string,
    state: container.State.Status,
    health: container.State.Health?.Status ?? 'none',
    startedAt: Date.parse(container.State.StartedAt),
    // Docker keeps the last five probes: the first passing one among them, while the stack is young.
    healthyAt: Date.parse(container.State.Health?.Log?.find((probe) => probe.ExitCode === 0)?.End ?? ''),
    restarts: container.RestartCount,
  }));
}

/** OTLP/JSON of one span, one gauge point and one log record, as an instrumented server would send. */
function otlpBodies(now: number) {
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'compose-probe' } }] };
  const nanos = `${now}000000`;
  return {
    traces: {
      resourceSpans: [
        {
          resource,
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  name: 'tools/call',
                  kind: 2,
                  startTimeUnixNano: nanos,
                  endTimeUnixNano: nanos,
                },
              ],
            },
          ],
        },
      ],
    },
    metrics: {
      resourceMetrics: [
        {
          resource,
          scopeMetrics: [
            {
              metrics: [
                { name: 'locator.probe', gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: nanos }] } },
              ],
            },
          ],
        },
      ],
    },
    logs: {
      resourceLogs: [
        {
          resource,
          scopeLogs: [{ logRecords: [{ timeUnixNano: nanos, severityText: 'INFO', eventName: 'probe' }] }],
        },
      ],
    },
  };
}

/** One request a stand-in recorded: its method and URL, the body (decompressed) and when it came. */
interface RecordedRequest {
  method: string;
  url: string;
  body: Buffer;
  /** The body's file. */
  file: string;
  receivedAt: number;
}

/** Stand-ins that record what they receive, each in its own folder of stack.recorded. */
type Stand = 'tempo' | 'loki' | 'receiver' | 'pagerduty';

/** Every request a stand-in recorded, in arrival order (its healthchecks' GET /ready included). */
function recordedRequests(stand: Stand): RecordedRequest[] {
  const dir = path.join(stack.recorded, stand);
  let names: string[];
  try {
    // The body is written before its .request.json: a listed request has its body.
    names = readdirSync(dir)
      .filter((name) => name.endsWith('.request.json'))
      .sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    const request = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { method: string; url: string };
    const file = path.join(dir, name.replace('.request.json', '.body'));
    return {
      method: request.method,
      url: request.url,
      body: readFileSync(file),
      file,
      receivedAt: statSync(file).mtimeMs,
    };
  });
}

/** A secret file the stack's `secrets` service handed a service (`volume`: collector, server, traffic, grafana). */
async function secret(volume: string, file: string): Promise<string> {
  const read = await engine.docker([
    'run',
    '--rm',
    '--network',
    'none',
    '--volume',
    `${stack.project}_secrets-${volume}:/secrets:ro`,
    'busybox:1.37.0',
    'cat',
    `/secrets/${file}`,
  ]);
  if (read.code !== 0) throw new Error(`reading ${volume}/${file} failed: ${read.stderr.trim()}`);
  return read.stdout;
}

/** The collector's bearer token, as the stack made it. */
let token = '';
const collectorToken = () => token;

/** How many MCP operations Prometheus has counted for the reference server so far. */
async function serverCalls(): Promise<number> {
  const query = encodeURIComponent(
    'sum(mcp_server_operation_duration_seconds_count{job="detainee-locator"})',
  );
  const answer = await engine.http(`http://127.0.0.1:9090/api/v1/query?query=${query}`);
  const value = (JSON.parse(answer.body) as { data?: { result?: { value: [number, string] }[] } }).data
    ?.result?.[0]?.value[1];
  return Number(value ?? 0);
}

/** The OTLP exports (traces and logs) a stand-in recorded, of one service when `service` is given. */
function otlpExports(stand: 'tempo' | 'loki', service?: string): RecordedRequest[] {
  return recordedRequests(stand).filter(
    (request) =>
      request.method === 'POST' &&
      /\/v1\/(traces|logs)$/.test(request.url) &&
      (!service || request.body.includes(service)),
  );
}

/** The notifications the receiver stand-in got on one path (/watchdog, /slack) or as PagerDuty. */
function notifications(receiver: 'watchdog' | 'slack' | 'pagerduty'): Notification[] {
  const requests =
    receiver === 'pagerduty'
      ? recordedRequests('pagerduty').filter((request) => request.url === '/v2/enqueue')
      : recordedRequests('receiver').filter((request) => request.url === `/${receiver}`);
  return requests.map((request) => decodeNotification(receiver, request.body, request.receivedAt));
}

const otlpPosts = (stand: 'tempo' | 'loki', service?: string) => otlpExports(stand, service).length;

/** Runs `wait`; if it fails, fails with the last lines each service logged. */
async function withLogsOnFailure<T>(services: string[], wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (error) {
    const logs = await stack.compose(['logs', '--no-color', '--tail', '25', ...services]);
    throw new Error(`${(error as Error).message}; the services logged:\n${logs.stdout}${logs.stderr}`);
  }
}

/** Runs `wait`; if it fails, fails with what Prometheus answers to `queries` now. */
async function withPrometheusOnFailure<T>(queries: string[], wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (error) {
    const answers = await Promise.all(
      queries.map(async (query) => {
        const answer = await engine.http(
          `http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(query)}`,
        );
        const result = (JSON.parse(answer.body) as { data?: { result?: unknown[] } }).data?.result ?? [];
        return `${query} => ${JSON.stringify(result)}`;
      }),
    );
    throw new Error(`${(error as Error).message}\nPrometheus answered:\n${answers.join('\n')}`);
  }
}

beforeAll(async () => {
  let started = Date.now();
  engine = await startDockerEngine();
  timings.engineSeconds = (Date.now() - started) / 1000;
  started = Date.now();
  await buildStackImages(engine);
  timings.imagesSeconds = (Date.now() - started) / 1000;
  // A small pool of agents and a brisk rate (from the shell, as a user would), so calls come within seconds.
  stack = composeStack(engine, { TRAFFIC_AGENTS: agents, TRAFFIC_RATE: '4' });
  console.log(
    `compose override used by this test (the only difference from what users run):\n${readFileSync(standInsFile, 'utf8')}`,
  );
  started = Date.now();
  stackStartedAt = started;
  const up = await stack.start();
  timings.stackSeconds = (Date.now() - started) / 1000;
  console.log(`npm run stack printed:\n${up.stdout}`);
  if (up.code !== 0) {
    const logs = await stack.compose(['logs', '--no-color', '--tail', '20']);
    throw new Error(`npm run stack failed:\n${up.stdout}\n${up.stderr.trim()}\n${logs.stdout}`);
  }
  token = await secret('collector', 'collector_token');
}, 900_000);

afterAll(async () => {
  console.log(`compose stack timings (s): ${JSON.stringify(timings)}`);
  await stack?.compose(['down', '--volumes', '--remove-orphans']);
  stack?.dispose();
  await engine?.stop();
}, 180_000);

describe('docker compose up, run on a real Docker engine', () => {
  it('brings every service to running and healthy, each after what it depends on', async () => {
    const states = await containers();
    const byService = new Map(states.map((state) => [state.service, state]));
    console.log(
      `seconds after npm run stack began, per service (started / healthy):\n${states
        .map(
          (state) =>
            `  ${state.service.padEnd(20)} ${sinceStart(state.startedAt)} / ${Number.isNaN(state.healthyAt) ? '-' : sinceStart(state.healthyAt)}`,
        )
        .sort()
        .join('\n')}`,
    );
    for (const service of ['detainee-locator', 'prometheus', 'alertmanager', 'tempo', 'loki', 'grafana'])
      expect(byService.get(service), service).toMatchObject({
        state: 'running',
        health: 'healthy',
        restarts: 0,
      });
    // The collector image has no shell or HTTP client, so compose gives it no healthcheck.
    expect(byService.get('otel-collector')).toMatchObject({ state: 'running', restarts: 0 });
    expect(byService.get('traffic')).toMatchObject({ state: 'running', restarts: 0 });
    expect(byService.get('otelcol-queue-owner')?.state).toBe('exited');
    const startedAt = (service: string) => byService.get(service)?.startedAt ?? Number.NaN;
    expect(startedAt('prometheus')).toBeGreaterThan(startedAt('alertmanager'));
    for (const dependency of ['prometheus', 'tempo', 'loki', 'otelcol-queue-owner'])
      expect(startedAt('otel-collector'), dependency).toBeGreaterThan(startedAt(dependency));
    expect(startedAt('detainee-locator')).toBeGreaterThan(startedAt('otel-collector'));
    expect(startedAt('traffic')).toBeGreaterThan(startedAt('detainee-locator'));
  });

  it('starts with no .env: the secrets service made every secret, and no container’s environment holds one', async () => {
    expect(existsSync(stack.envFile)).toBe(false);
    const made = {
      collector: ['collector_token', 'collector_hmac_key'],
      server: ['pseudonym_key', 'locator_tokens', 'otlp_headers'],
      traffic: ['agents_token', 'prober_token'],
      grafana: ['grafana_admin_password'],
    };
    const values: string[] = [];
    for (const [volume, files] of Object.entries(made))
      for (const file of files) values.push(await secret(volume, file));
    for (const value of values) expect(value.length).toBeGreaterThanOrEqual(32);
    const listed = await stack.compose(['ps', '--all', '-q']);
    const inspected = JSON.parse(
      (await engine.docker(['inspect', ...listed.stdout.split('\n').filter(Boolean)])).stdout,
    ) as { Name: string; Config: { Env: string[]; Cmd: string[] | null } }[];
    // The pieces of the composed files too: each token alone, as the headers and token lists carry them.
    const secrets = values.flatMap((value) => [value, ...(value.match(/[0-9a-f]{64}/g) ?? [])]);
    for (const container of inspected)
      for (const value of secrets)
        expect(JSON.stringify(container.Config), container.Name).not.toContain(value);
    // The README's command for Grafana's admin password prints the one Grafana was given.
    const password = await stack.compose([
      'exec',
      '-T',
      'grafana',
      'cat',
      '/run/secrets/mcp-kit/grafana_admin_password',
    ]);
    expect(password.stdout).toBe(await secret('grafana', 'grafana_admin_password'));
  });

  it('carries the traffic generator’s calls to the reference server, its metrics into Prometheus and its traces into Tempo', async () => {
    const calls = await withLogsOnFailure(['traffic', 'detainee-locator', 'otel-collector'], () =>
      eventually(async () => {
        const calls = await serverCalls();
        return calls > 0 ? calls : undefined;
      }, 120_000),
    );
    expect(calls).toBeGreaterThan(0);
    timings.firstServerSeriesAfterStart = sinceStart(Date.now());
    await eventually(async () => (otlpPosts('tempo', 'detainee-locator') > 0 ? true : undefined), 120_000);
    timings.firstServerTraceAfterStart = sinceStart(
      (otlpExports('tempo', 'detainee-locator')[0] as RecordedRequest).receivedAt,
    );
    expect(otlpPosts('tempo', 'detainee-locator')).toBeGreaterThan(0);
    // Its log records (the start record; an outage's below) reach Loki.
    await eventually(async () => (otlpPosts('loki', 'detainee-locator') > 0 ? true : undefined), 60_000);
    const firstLog = otlpExports('loki', 'detainee-locator')[0] as RecordedRequest;
    timings.firstServerLogAfterStart = sinceStart(firstLog.receivedAt);
    expect(firstLog.body.includes('detainee-locator serving MCP over HTTP')).toBe(true);
  }, 300_000);

  it('carries OTLP sent to the published collector port into Prometheus, the Tempo stand-in and the Loki stand-in', async () => {
    const token = collectorToken();
    const bodies = otlpBodies(Date.now());
    for (const [signal, body] of Object.entries(bodies)) {
      const answer = await engine.http(`http://127.0.0.1:4318/v1/${signal}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      expect(answer.status, signal).toBe(200);
    }
    const series = await eventually(async () => {
      const answer = await engine.http('http://127.0.0.1:9090/api/v1/query?query=locator_probe');
      const result = (JSON.parse(answer.body) as { data?: { result?: unknown[] } }).data?.result ?? [];
      return result.length > 0 ? result : undefined;
    }, 60_000);
    expect(series).toHaveLength(1);
    // The stand-ins also record their healthchecks' GET /ready; only POSTs of OTLP count here.
    await eventually(
      async () => (otlpPosts('tempo') > 0 && otlpPosts('loki') > 0 ? true : undefined),
      60_000,
    );
    expect(otlpPosts('tempo')).toBeGreaterThan(0);
    expect(otlpPosts('loki')).toBeGreaterThan(0);
  });

  it('refuses OTLP without the collector token', async () => {
    const answer = await engine.http('http://127.0.0.1:4318/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(otlpBodies(Date.now()).traces),
    });
    expect(answer.status).toBe(401);
  });

  it('hands the persistent queue volume to the collector’s user', async () => {
    const listing = await engine.docker([
      'run',
      '--rm',
      '--volume',
      `${stack.project}_otelcol-queues:/queues`,
      'busybox:1.37.0',
      'stat',
      '-c',
      '%u:%g',
      '/queues',
    ]);
    expect(listing.stdout.trim()).toBe('10001:10001');
  });

  it('lets no backend receive any of the canary corpus sent through the reference server inside the stack', async () => {
    const corpus = loadCanaries();
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpkit-corpus-'));
    chmodSync(dir, 0o755);
    writeFileSync(path.join(dir, 'records.json'), JSON.stringify(corpus.records), { mode: 0o644 });
    const callsBefore = await serverCalls();
    const driver = await engine.docker([
      'run',
      '--rm',
      '--network',
      `${stack.project}_mcp`,
      '--volume',
      `${repoRoot}:/kit:ro`,
      '--volume',
      `${dir}:/corpus:ro`,
      `node:${process.version.slice(1)}-slim`,
      'node',
      '/kit/test/support/images/canary-driver.ts',
      'http://detainee-locator:8080/mcp',
      await secret('traffic', 'agents_token'),
      agents,
      '/corpus/records.json',
    ]);
    rmSync(dir, { recursive: true, force: true });
    expect(driver.stderr).toBe('');
    const sent = JSON.parse(driver.stdout) as { records: number; answered: number };
    expect(sent.records).toBe(corpus.records.length);
    // Everything the calls produced has reached the backends once Prometheus counts them (the kit's
    // metrics leave last, on their export interval).
    await eventually(
      async () => ((await serverCalls()) - callsBefore >= sent.answered ? true : undefined),
      180_000,
    );
    const scanner = new NeedleScanner(corpus.needles);
    const leaks: Leak[] = [];
    const received: Record<string, number> = {};
    for (const stand of ['tempo', 'loki', 'receiver', 'pagerduty']) {
      const files = (() => {
        try {
          return readdirSync(path.join(stack.recorded, stand));
        } catch {
          return [];
        }
      })();
      received[stand] = files.filter((name) => name.endsWith('.body')).length;
      for (const file of files)
        leaks.push(...scanner.scan(readFileSync(path.join(stack.recorded, stand, file)), `${stand}/${file}`));
    }
    // What Prometheus stores, asked through its API: names, labels and every label's values, metadata.
    const labels = JSON.parse((await engine.http('http://127.0.0.1:9090/api/v1/labels')).body)
      .data as string[];
    const apis = [
      '/api/v1/labels',
      '/api/v1/metadata',
      ...labels.map((label) => `/api/v1/label/${label}/values`),
    ];
    for (const api of apis)
      leaks.push(
        ...scanner.scan(
          Buffer.from((await engine.http(`http://127.0.0.1:9090${api}`)).body),
          `prometheus${api}`,
        ),
      );
    console.log(
      `canary through the compose stack: ${corpus.records.length} records, ${corpus.needles.length} needles, ` +
        `${sent.answered} calls answered, bodies received ${JSON.stringify(received)}, ` +
        `${apis.length} Prometheus API answers, ${leaks.length} leaks`,
    );
    expect(
      leaks.map((leak) => `${leak.needle.entity} ${leak.needle.value} in ${leak.where}: ${leak.context}`),
    ).toEqual([]);
    expect(received.tempo).toBeGreaterThan(0);
  }, 420_000);

  it('lets a container on the servers’ network reach the collector and nothing behind it', async () => {
    // Node.js, not busybox: Debian's static busybox cannot resolve names (static glibc has no NSS).
    const urls = [
      'http://otel-collector:13133/',
      'http://prometheus:9090/-/ready',
      'http://alertmanager:9093/-/ready',
      'http://tempo:4318/ready',
      'http://loki:3100/ready',
      'http://grafana:3000/api/health',
    ];
    const probe = `Promise.all(${JSON.stringify(urls)}.map((url) => fetch(url, { signal: AbortSignal.timeout(5000) })
      .then((response) => [url, response.ok ? 'reached' : String(response.status)], () => [url, 'unreachable'])))
      .then((outcomes) => console.log(JSON.stringify(Object.fromEntries(outcomes))))`;
    const run = await engine.docker([
      'run',
      '--rm',
      '--network',
      `${stack.project}_mcp`,
      `node:${process.version.slice(1)}-slim`,
      'node',
      '-e',
      probe,
    ]);
    expect(JSON.parse(run.stdout)).toEqual({
      'http://otel-collector:13133/': 'reached',
      'http://prometheus:9090/-/ready': 'unreachable',
      'http://alertmanager:9093/-/ready': 'unreachable',
      'http://tempo:4318/ready': 'unreachable',
      'http://loki:3100/ready': 'unreachable',
      'http://grafana:3000/api/health': 'unreachable',
    });
  });

  it('keeps what the collector queued for a stopped Tempo through `docker compose restart otel-collector`', async () => {
    const traceId = randomBytes(16).toString('hex');
    expect((await stack.compose(['stop', 'tempo'])).code).toBe(0);
    const body = otlpBodies(Date.now()).traces;
    const span = body.resourceSpans[0]?.scopeSpans[0]?.spans[0] as { traceId: string };
    span.traceId = traceId;
    const posted = await engine.http('http://127.0.0.1:4318/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${collectorToken()}` },
      body: JSON.stringify(body),
    });
    expect(posted.status).toBe(200);
    // Longer than the queue's flush timeout (2 s), so the span is on disk, not in a batch being cut.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect((await stack.compose(['restart', 'otel-collector'])).code).toBe(0);
    expect((await stack.compose(['start', 'tempo'])).code).toBe(0);
    const delivered = () =>
      recordedRequests('tempo').some((request) => request.body.includes(Buffer.from(traceId, 'hex')));
    await withLogsOnFailure(['otel-collector', 'tempo'], () =>
      eventually(async () => (delivered() ? true : undefined), 120_000),
    );
    expect(delivered()).toBe(true);
  }, 240_000);

  it('delivers the always-firing Watchdog through Alertmanager to its webhook', async () => {
    // Watchdog fires 1 m after Prometheus starts (its `for:`), and its route waits 0 s.
    const [first] = await withLogsOnFailure(['alertmanager', 'prometheus', 'alert-receiver'], () =>
      eventually(async () => {
        const received = notifications('watchdog');
        return received.length > 0 ? received : undefined;
      }, 180_000),
    );
    timings.firstWatchdogAfterStart = sinceStart((first as Notification).receivedAt);
    const payload = (first as Notification).body as {
      status: string;
      alerts: { labels: Record<string, string> }[];
    };
    expect(payload.status).toBe('firing');
    expect(payload.alerts.map((alert) => alert.labels.alertname)).toEqual(['Watchdog']);
  }, 240_000);

  it('pages PagerDuty and tells Slack when the reference server’s upstream fails, and logs the open circuit to Loki', async () => {
    // Every upstream request answered 503 (upstream.ts's faults). Stopping the container instead paged
    // nothing in 7 minutes when tried: each attempt then fails only by its timeout, and the breaker,
    // which counts calls that finish within its 10 s window, did not open (a finding for issue #20).
    const faults = (outage: boolean) =>
      stack.compose([
        'exec',
        '-T',
        'locator-upstream',
        'node',
        '-e',
        `fetch('http://127.0.0.1:8081/admin/faults', { method: 'POST', body: '{"outage":${outage}}' }).then((r) => process.exit(r.ok ? 0 : 1))`,
      ]);
    const outageAt = Date.now();
    expect((await faults(true)).code).toBe(0);
    const circuitOpen = (notification: Notification) =>
      notification.status === 'firing' &&
      notification.text.includes('MCPUpstreamCircuitOpen') &&
      notification.text.includes('service: detainee-locator');
    // The breaker opens within seconds; the alert's `for:` is 2 m, its route waits 30 s.
    const page = await withPrometheusOnFailure(
      [
        'max by (job) (locator_upstream_circuit_state)',
        'sum by (http_response_status_code, error_type) (increase(locator_upstream_requests_total[2m]))',
        'sum by (mcpkit_tool_outcome) (increase(mcpkit_tool_calls_total[2m]))',
        'ALERTS{alertname="MCPUpstreamCircuitOpen"}',
      ],
      () =>
        withLogsOnFailure(
          ['detainee-locator', 'traffic', 'prometheus', 'alertmanager', 'alert-receiver'],
          () => eventually(async () => notifications('pagerduty').find(circuitOpen), 420_000),
        ),
    );
    timings.upstreamOutageToPageSeconds = Math.round((page.receivedAt - outageAt) / 100) / 10;
    // Through Alertmanager's real PagerDuty integration: Events API v2, the routing key from its secret file.
    expect(page.body).toMatchObject({ routing_key: TEST_PAGERDUTY_ROUTING_KEY, event_action: 'trigger' });
    await eventually(async () => (notifications('slack').some(circuitOpen) ? true : undefined), 60_000);
    const opened = otlpExports('loki', 'detainee-locator').filter((request) =>
      request.body.includes('upstream circuit opened'),
    );
    expect(opened.length).toBeGreaterThan(0);
    expect((await faults(false)).code).toBe(0);
  }, 600_000);

  it('leaves nothing behind after `docker compose down --volumes`: no container, network, volume or listener', async () => {
    const down = await stack.compose(['down', '--volumes', '--remove-orphans']);
    expect(down.code).toBe(0);
    const label = `label=com.docker.compose.project=${stack.project}`;
    for (const kind of [
      ['ps', '--all'],
      ['network', 'ls'],
      ['volume', 'ls'],
    ]) {
      const listed = await engine.docker([...kind, '--quiet', '--filter', label]);
      expect(listed.stdout.trim(), kind.join(' ')).toBe('');
    }
    for (const port of [3000, 4317, 4318, 8080, 9090, 9093])
      expect((await engine.http(`http://127.0.0.1:${port}/`)).body, String(port)).toBe('ECONNREFUSED');
  });
});

describe('docker compose with a bad .env', () => {
  it('refuses to start the collector while a secret override is too short, naming it in one line', async () => {
    const bad = composeStack(engine, {}, 'bad-env');
    writeFileSync(bad.envFile, 'MCP_KIT_COLLECTOR_TOKEN=short-token\n', { mode: 0o600 });
    const result = await bad.compose(['up', '--detach', 'otel-collector']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('secrets');
    const said = await bad.compose(['logs', '--no-color', '--no-log-prefix', 'secrets']);
    expect(said.stdout.trim()).toBe(
      'secrets: MCP_KIT_COLLECTOR_TOKEN in .env has 11 characters; at least 32 are required',
    );
    // The backends, which need no secret, may have started; nothing that reads one has.
    const running = (await bad.compose(['ps', '--services', '--status', 'running'])).stdout;
    expect(running.split('\n').filter(Boolean)).not.toContain('otel-collector');
    await bad.compose(['down', '--volumes']);
    bad.dispose();
  });
});
