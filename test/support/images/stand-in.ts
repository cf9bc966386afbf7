// The program behind the compose tests' stand-ins (stand-in.Dockerfile), run inside the stack's own
// containers with the repository mounted at /kit:
//   tempo   records the OTLP/HTTP the collector sends to tempo:4318 under /recorded/tempo/
//   loki    records the OTLP/HTTP the collector sends to loki:3100/otlp under /recorded/loki/
//   receiver records every notification Alertmanager sends it (the test's Watchdog and Slack webhooks)
//           under /recorded/receiver/ and, with a key and certificate in /tls, PagerDuty's Events API
//           over HTTPS on :443 (the stack's alias events.pagerduty.com) under /recorded/pagerduty/
//   upstream the reference server's simulated upstream locator (examples/detainee-locator/upstream.ts)
//           as a service of its own on :8081, whose faults (an outage) the test sets at run time
//   grafana checks the provisioning files compose mounts (every datasource and dashboard parses, every
//           datasource UID a dashboard or datasource refers to is provisioned) and that every GF_*__FILE
//           variable names a readable, non-empty file (its admin password), prints each problem on one
//           line and exits 1 if there is one; otherwise answers /api/health on :3000 like Grafana.
// `-health` as the only argument (the official images' healthcheck commands) asks the running one for
// /ready and exits 0 or 1.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { parse } from 'yaml';
import { startOtlpSink } from '../sinks/otlp-sink.ts';
import { startRecordingServer } from '../sinks/recording-server.ts';

const ports = { tempo: 4318, loki: 3100, grafana: 3000, receiver: 9095, upstream: 8081 } as const;
const healthPaths: Record<Role, string> = {
  tempo: '/ready',
  loki: '/ready',
  grafana: '/api/health',
  receiver: '/ready',
  upstream: '/health',
};
type Role = keyof typeof ports;

const [role, ...args] = process.argv.slice(2) as [Role, ...string[]];
if (!(role in ports)) {
  console.error(`stand-in: unknown role ${role}; expected one of ${Object.keys(ports).join(', ')}`);
  process.exit(2);
}

async function healthy(): Promise<boolean> {
  const url = `http://127.0.0.1:${ports[role]}${healthPaths[role]}`;
  return fetch(url, { signal: AbortSignal.timeout(4000) })
    .then((response) => response.ok)
    .catch(() => false);
}

/** Every datasource UID the provisioning files define, and every one something refers to. */
function provisioningProblems(root = '/etc/grafana/provisioning'): string[] {
  const problems: string[] = [];
  const defined = new Set<string>();
  const referenced: { uid: string; where: string }[] = [];
  const filesIn = (dir: string, extension: RegExp) =>
    readdirSync(dir)
      .filter((name) => extension.test(name))
      .map((name) => path.join(dir, name));
  const collectReferences = (value: unknown, where: string) => {
    if (Array.isArray(value)) for (const item of value) collectReferences(item, where);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'datasource' && inner && typeof inner === 'object' && 'uid' in inner)
          referenced.push({ uid: String((inner as { uid: unknown }).uid), where });
        if (key === 'datasourceUid' && typeof inner === 'string') referenced.push({ uid: inner, where });
        collectReferences(inner, where);
      }
    }
  };
  const read = (file: string, parser: (text: string) => unknown): unknown => {
    try {
      return parser(readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push(`${file}: does not parse (${(error as Error).message.split('\n')[0]})`);
      return undefined;
    }
  };

  for (const file of filesIn(path.join(root, 'datasources'), /\.ya?ml$/)) {
    const config = read(file, parse) as { datasources?: { uid?: string; name?: string }[] } | undefined;
    for (const datasource of config?.datasources ?? []) {
      if (!datasource.uid) problems.push(`${file}: datasource ${datasource.name} has no uid`);
      else defined.add(datasource.uid);
    }
    collectReferences(config, file);
  }
  for (const file of filesIn(path.join(root, 'dashboards'), /\.ya?ml$/)) {
    const config = read(file, parse) as { providers?: { options?: { path?: string } }[] } | undefined;
    for (const provider of config?.providers ?? []) {
      const folder = provider.options?.path;
      if (!folder) {
        problems.push(`${file}: a dashboard provider has no options.path`);
        continue;
      }
      const dashboards = filesIn(folder, /\.json$/);
      if (dashboards.length === 0) problems.push(`${file}: no dashboard in ${folder}`);
      for (const dashboard of dashboards) collectReferences(read(dashboard, JSON.parse), dashboard);
    }
  }
  // Template variables (${...}) and Grafana's built-in pseudo datasources resolve at query time.
  const builtIn = /^(\$|-- |grafana$)/;
  for (const { uid, where } of referenced)
    if (!builtIn.test(uid) && !defined.has(uid))
      problems.push(`${where}: refers to datasource uid ${uid}, which no provisioning file defines`);
  return problems;
}

// As PID 1 of its container, Node.js would ignore `docker stop`'s SIGTERM and be killed 10 s later.
process.once('SIGTERM', () => process.exit(0));

if (args.length === 1 && args[0] === '-health') {
  process.exit((await healthy()) ? 0 : 1);
}

if (role === 'grafana') {
  const problems = provisioningProblems();
  // Grafana reads a `<setting>__FILE` variable's file at start and refuses to start when it cannot.
  for (const [variable, file] of Object.entries(process.env))
    if (variable.startsWith('GF_') && variable.endsWith('__FILE') && file)
      try {
        if (readFileSync(file, 'utf8').trim() === '') problems.push(`${variable}: ${file} is empty`);
      } catch (error) {
        problems.push(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
      }
  for (const problem of problems) console.error(`grafana stand-in: ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log('grafana stand-in: provisioning files check out');
  createServer((request, response) => {
    const ok = request.url === '/api/health';
    response.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    response.end(ok ? JSON.stringify({ database: 'ok', version: 'stand-in' }) : '{}');
  }).listen(ports.grafana, '0.0.0.0');
} else if (role === 'receiver') {
  await startRecordingServer({
    name: role,
    captureRoot: '/recorded',
    host: '0.0.0.0',
    port: ports.receiver,
    // Each answers as the real service does: Slack's webhooks say text/plain "ok", and Alertmanager
    // gives up a Slack notification answered otherwise ("received an error response from Slack").
    handler: (request) =>
      request.path === '/slack' ? { status: 200, contentType: 'text/plain', body: 'ok' } : { status: 200 },
  });
  console.log(`receiver stand-in: recording notifications on :${ports.receiver} under /recorded/receiver`);
  if (existsSync('/tls/key.pem')) {
    await startRecordingServer({
      name: 'pagerduty',
      captureRoot: '/recorded',
      host: '0.0.0.0',
      port: 443,
      tls: { key: readFileSync('/tls/key.pem'), cert: readFileSync('/tls/cert.pem') },
      // PagerDuty Events API v2's answer to an accepted event.
      handler: () => ({
        status: 202,
        contentType: 'application/json',
        body: '{"status":"success","message":"Event processed","dedup_key":"stand-in"}',
      }),
    });
    console.log('receiver stand-in: recording PagerDuty events on :443 under /recorded/pagerduty');
  }
} else if (role === 'upstream') {
  const { startUpstream } = await import('../../../examples/detainee-locator/upstream.ts');
  await startUpstream({ host: '0.0.0.0', port: ports.upstream });
  console.log(`upstream stand-in: the simulated locator on :${ports.upstream}`);
} else {
  await startOtlpSink({
    name: role,
    captureRoot: '/recorded',
    host: '0.0.0.0',
    port: ports[role],
    other: (request) => (request.path === '/ready' ? { status: 200, body: 'ready' } : undefined),
  });
  console.log(`${role} stand-in: recording OTLP on :${ports[role]} under /recorded/${role}`);
}
