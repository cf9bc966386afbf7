// docker-compose.yml, run for real on the tests' own Docker engine (issue #18): the images its services
// pin, built locally from the provisioned programs (test/support/images/), the README's `.env` recipe, and
// `docker compose` with test/support/compose/stand-ins.yml as the only override.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { TEST_PAGERDUTY_ROUTING_KEY } from './alerting-stack.ts';
import { loadCompose } from './compose.ts';
import { type CommandResult, type DockerEngine, run } from './docker-engine.ts';
import { requireTools } from './tools.ts';

export const composeFile = path.join(repoRoot, 'docker-compose.yml');
export const standInsFile = path.join(repoRoot, 'test/support/compose/stand-ins.yml');
const imagesDir = path.join(repoRoot, 'test/support/images');
/** Where Alertmanager's PagerDuty receiver sends events (its default `pagerduty_url`). */
export const pagerDutyHost = 'events.pagerduty.com';

/** The image each service of docker-compose.yml pins, by service name. */
export function pinnedImages(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(loadCompose().services)
      .filter(([, service]) => service.image)
      .map(([name, service]) => [name, service.image as string]),
  );
}

/** The `node` binary's version, which names the Node.js image (node:<version>-slim). */
function nodeVersion(): string {
  return process.version.slice(1);
}

/** The machine's npm package folder (the one `npm` runs from). */
function machineNpm(): string {
  const prefix = execFileSync('npm', ['prefix', '--global'], { encoding: 'utf8' }).trim();
  return path.join(prefix, 'lib/node_modules/npm');
}

/** What goes into a build context: a file copied from this machine, or text written as it is. */
type ContextFile = { from: string } | { text: string };

/** Builds every image the stack needs in `engine`, tagged as docker-compose.yml pins them; seconds each. */
export async function buildStackImages(engine: DockerEngine): Promise<Record<string, number>> {
  const tools = requireTools();
  const pins = pinnedImages();
  const scratch = mkdtempSync(path.join(tmpdir(), 'mcpkit-images-'));
  const seconds: Record<string, number> = {};
  const timed = async (tag: string, command: string[]) => {
    const started = Date.now();
    const result = await engine.docker(command);
    if (result.code !== 0)
      throw new Error(`building ${tag} failed:\n${result.stderr.trim().split('\n').slice(-8).join('\n')}`);
    seconds[tag] = (Date.now() - started) / 1000;
  };
  const build = async (
    name: string,
    tag: string,
    files: Record<string, ContextFile>,
    buildArgs: Record<string, string> = {},
  ) => {
    const context = path.join(scratch, name);
    mkdirSync(context, { recursive: true });
    copyFileSync(path.join(imagesDir, `${name}.Dockerfile`), path.join(context, 'Dockerfile'));
    for (const [target, file] of Object.entries(files)) {
      if ('from' in file) cpSync(file.from, path.join(context, target), { recursive: true });
      else writeFileSync(path.join(context, target), file.text);
    }
    const args = Object.entries(buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
    await timed(tag, ['build', '--quiet', '--tag', tag, ...args, context]);
  };
  const nodeImage = `node:${nodeVersion()}-slim`;
  const certificates = '/etc/ssl/certs/ca-certificates.crt';

  try {
    await timed('mcp-telemetry-kit/debian:bookworm-minbase', [
      'import',
      tools.debianRootfs,
      'mcp-telemetry-kit/debian:bookworm-minbase',
    ]);
    await build('busybox', pins['otelcol-queue-owner'] as string, {
      busybox: { from: tools.busybox },
      passwd: { text: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' },
      group: { text: 'root:x:0:\nnobody:x:65534:\n' },
    });
    await build('prometheus', pins.prometheus as string, {
      prometheus: { from: tools.prometheus },
      promtool: { from: tools.promtool },
      'prometheus.yml': { from: path.join(repoRoot, 'prometheus/prometheus.yml') },
    });
    await build('alertmanager', pins.alertmanager as string, {
      alertmanager: { from: tools.alertmanager },
      amtool: { from: tools.amtool },
      'alertmanager.yml': { from: path.join(repoRoot, 'alertmanager/alertmanager.yml') },
    });
    await build('collector', pins['otel-collector'] as string, {
      'otelcol-contrib': { from: tools.otelcol },
      'ca-certificates.crt': existsSync(certificates) ? { from: certificates } : { text: '' },
      'config.yaml': { from: path.join(repoRoot, 'collector/config.yaml') },
    });
    await build('node', nodeImage, {
      node: { from: process.execPath },
      npm: { from: machineNpm() },
      'npm-cache': { from: tools.examplesNpmCache },
    });
    await build(
      'stand-in',
      'mcp-telemetry-kit/stand-in:test',
      { busybox: { from: tools.busybox } },
      { NODE_IMAGE: nodeImage },
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return seconds;
}

export interface ComposeStack {
  project: string;
  /** The stack's .env, used when a test writes one (the stack needs none). */
  envFile: string;
  /** Where the Tempo and Loki stand-ins record what they receive (<dir>/tempo, <dir>/loki). */
  recorded: string;
  /** `npm run stack`, as a user runs it, against the test engine with the stand-ins' override. */
  start(): Promise<CommandResult>;
  compose(args: string[]): Promise<CommandResult>;
  /** Removes the stack's .env and recordings (the containers are `compose down`'s job). */
  dispose(): void;
}

/**
 * A compose project on `engine` with the stand-ins' override; `environment` is the shell environment
 * compose reads beside .env (it wins over .env, as in a user's shell); `name` tells its project apart.
 */
export function composeStack(
  engine: DockerEngine,
  environment: Record<string, string> = {},
  name = 'stack',
): ComposeStack {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpkit-stack-'));
  const recorded = path.join(dir, 'recorded');
  mkdirSync(recorded);
  // The stand-ins run as their official images' users (10001), not as the test's.
  chmodSync(recorded, 0o777);
  // Alertmanager's receiver secrets (alertmanager/secrets/README.md), pointing at the recording receiver.
  const secrets = path.join(dir, 'alertmanager-secrets');
  mkdirSync(secrets, { mode: 0o755 });
  for (const [file, value] of Object.entries({
    watchdog_webhook_url: 'http://alert-receiver:9095/watchdog',
    slack_webhook_url: 'http://alert-receiver:9095/slack',
    pagerduty_routing_key: TEST_PAGERDUTY_ROUTING_KEY,
  }))
    writeFileSync(path.join(secrets, file), value, { mode: 0o644 });
  // PagerDuty stays at its real URL (https://events.pagerduty.com): inside the stack that name is the
  // recording receiver, whose certificate Alertmanager alone is told to trust (stand-ins.yml).
  const tls = path.join(dir, 'tls');
  mkdirSync(tls, { mode: 0o755 });
  execFileSync(
    requireTools().openssl,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${pagerDutyHost}`,
      '-addext',
      `subjectAltName=DNS:${pagerDutyHost}`,
      '-keyout',
      path.join(tls, 'key.pem'),
      '-out',
      path.join(tls, 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
  // The receiver runs as its image's user, not as the test's.
  for (const file of ['key.pem', 'cert.pem']) chmodSync(path.join(tls, file), 0o644);
  const envFile = path.join(dir, '.env');
  // Its own project per stack: two stacks of one test never see each other's containers or volumes.
  const project = `mcpkit-test-${process.pid}-${name}`;
  const env = {
    ...process.env,
    ...engine.env,
    COMPOSE_FILE: [composeFile, standInsFile].join(path.delimiter),
    COMPOSE_PROJECT_NAME: project,
    MCP_KIT_REPO: repoRoot,
    MCP_KIT_RECORDED: recorded,
    MCP_KIT_ALERTMANAGER_SECRETS: secrets,
    MCP_KIT_TLS: tls,
    ...environment,
  };
  return {
    project,
    envFile,
    recorded,
    start: () =>
      run(process.execPath, [path.join(repoRoot, 'scripts/stack.ts'), '--env', envFile], {
        cwd: repoRoot,
        env,
      }),
    compose: (args) =>
      engine.compose([...(existsSync(envFile) ? ['--env-file', envFile] : []), ...args], {
        cwd: repoRoot,
        env,
      }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
