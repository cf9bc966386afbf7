// `npm run stack`: the README's quickstart, waited for. Runs `docker compose up --detach --build --wait`
// (with `.env` when there is one: every setting is optional, the stack makes its own secrets) and prints
// one screen of status: each service's state, health, restarts and published address, and a one-shot
// service's last log line when it failed (a refused override in .env says there which one).
// `docker compose down` stops it; `docker compose down -v` also deletes the data and the secrets.
//
//   npm run stack [-- --env PATH]   (not --env-file: Node.js takes that flag for itself wherever it stands)
//
// Docker's own variables apply (DOCKER_HOST, COMPOSE_FILE, COMPOSE_PROJECT_NAME); the compose tests run
// this script against their own engine with COMPOSE_FILE naming their override too.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './provision/cache.ts';

interface PsEntry {
  ID: string;
  Service: string;
  State: string;
  Health: string;
  ExitCode: number;
  Publishers?: { URL: string; TargetPort: number; PublishedPort: number }[];
}

const { values } = parseArgs({ options: { env: { type: 'string', default: '.env' } } });
const envFile = path.resolve(repoRoot, values.env as string);

function fail(message: string): never {
  console.error(`npm run stack: ${message}`);
  process.exit(1);
}

/** `docker compose` (the plugin the README names), else a standalone Compose v2 `docker-compose`. */
function composeCommand(): string[] {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const [file, ...args] = command as [string, ...string[]];
    const probe = spawnSync(file, [...args, 'version', '--short'], { encoding: 'utf8' });
    if (probe.status === 0 && /^v?[2-9]/.test(probe.stdout.trim())) return command;
  }
  return fail('needs Docker with the Compose v2 plugin (`docker compose version` failed).');
}

const [composeFile, ...composeArgs] = [
  ...composeCommand(),
  ...(existsSync(envFile) ? ['--env-file', envFile] : []),
] as unknown as [string, ...string[]];
const compose = (args: string[], capture = false) =>
  spawnSync(composeFile, [...composeArgs, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });

const started = Date.now();
const up = compose(['up', '--detach', '--build', '--wait', '--wait-timeout', '300']);
const seconds = ((Date.now() - started) / 1000).toFixed(0);

const listed = compose(['ps', '--all', '--format', 'json'], true);
if (listed.status !== 0) fail(`docker compose ps failed: ${listed.stderr.trim().split('\n')[0]}`);
// Compose prints one JSON object per line (older releases: one array).
const entries = listed.stdout
  .trim()
  .split('\n')
  .filter(Boolean)
  .flatMap((line) => JSON.parse(line) as PsEntry | PsEntry[]);
const restarts = new Map<string, string>();
if (entries.length > 0) {
  const inspected = spawnSync(
    'docker',
    ['inspect', '--format', '{{.Id}} {{.RestartCount}}', ...entries.map((entry) => entry.ID)],
    { encoding: 'utf8' },
  );
  for (const line of inspected.stdout.split('\n')) {
    const [id, count] = line.split(' ');
    if (id && count) restarts.set(id.slice(0, 12), count);
  }
}

const rows = entries
  .map((entry) => [
    entry.Service,
    entry.State === 'exited' ? `exited (${entry.ExitCode})` : entry.State,
    entry.Health || '-',
    restarts.get(entry.ID.slice(0, 12)) ?? '?',
    [
      ...new Set(
        (entry.Publishers ?? [])
          .filter((publisher) => publisher.PublishedPort > 0)
          .map((publisher) => `${publisher.URL}:${publisher.PublishedPort}`),
      ),
    ].join(' '),
  ])
  .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
const header = ['service', 'state', 'health', 'restarts', 'published on'];
const widths = header.map((title, column) =>
  Math.max(title.length, ...rows.map((row) => String(row[column]).length)),
);
const line = (cells: string[]) =>
  cells
    .map((cell, column) => cell.padEnd(widths[column] as number))
    .join('  ')
    .trimEnd();
console.log(`\n${line(header)}\n${rows.map((row) => line(row as string[])).join('\n')}`);
for (const entry of entries.filter((entry) => entry.State === 'exited' && entry.ExitCode !== 0)) {
  const logs = compose(['logs', '--no-color', '--no-log-prefix', '--tail', '1', entry.Service], true);
  console.log(`${entry.Service} said: ${logs.stdout.trim() || logs.stderr.trim()}`);
}
if (up.status !== 0) fail(`docker compose up did not reach healthy in ${seconds} s; see the status above.`);
console.log(
  `\nhealthy in ${seconds} s. Grafana: http://localhost:3000 · Prometheus: http://localhost:9090 · ` +
    'Alertmanager: http://localhost:9093 · the MCP server: http://localhost:8080/mcp\n' +
    "Grafana's user is admin (GRAFANA_ADMIN_USER); its password: " +
    'docker compose exec grafana cat /run/secrets/mcp-kit/grafana_admin_password',
);
