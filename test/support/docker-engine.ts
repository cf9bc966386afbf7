// A Docker Engine of the tests' own, for running docker-compose.yml for real (issue #18).
//
// dockerd runs in a network namespace nested inside the tests' loopback-only one (`unshare --net`, only
// `lo` up): its bridges, veths and published 127.0.0.1 ports live there, so no container can route
// anywhere beyond this machine, and the other test files running beside it still see a namespace with
// loopback alone (test/e2e/loopback-isolation.test.ts). Requests to published ports enter that namespace
// with nsenter (`http` below). The data root and exec root are fresh per engine, outside the repo, and
// removed when it stops; the engine is stopped by its pid.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isolation } from './network.ts';
import { requireTools } from './tools.ts';

const execFileAsync = promisify(execFile);

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface DockerEngine {
  /** DOCKER_HOST for clients: a unix socket, reachable from any namespace. */
  host: string;
  /** What a client needs in its environment: DOCKER_HOST, and DOCKER_CONFIG, whose cli-plugins hold the
   * provisioned Compose CLI, so `docker compose` works as on a user's machine. */
  env: { DOCKER_HOST: string; DOCKER_CONFIG: string };
  pid: number;
  docker(args: string[]): Promise<CommandResult>;
  /** The Compose v2 CLI against this engine; `env` replaces the variables compose interpolates. */
  compose(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CommandResult>;
  /** An HTTP request from inside the engine's namespace, where published ports listen. */
  http(
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<HttpAnswer>;
  stop(): Promise<void>;
}

/** Runs a program to its end; its exit code and output, never a throw. */
export async function run(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      cwd: options.cwd,
      env: options.env,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? String(error),
    };
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

// An HTTP client run by the test's own Node.js inside the engine's namespace: no curl dependency.
const httpScript = `
const [url, init] = [process.argv[1], JSON.parse(process.argv[2])];
fetch(url, { ...init, signal: AbortSignal.timeout(15000) })
  .then(async (response) => process.stdout.write(JSON.stringify({ status: response.status, body: await response.text() })))
  .catch((error) => process.stdout.write(JSON.stringify({ status: 0, body: String(error.cause?.code ?? error.message) })));
`;

export async function startDockerEngine(): Promise<DockerEngine> {
  if (isolation() !== 'loopback')
    throw new Error(
      'The compose tests start a Docker engine and need the loopback-only namespace (scripts/isolated.ts).',
    );
  const tools = requireTools();
  const root = mkdtempSync(path.join(tmpdir(), 'mcpkit-engine-'));
  const socket = path.join(root, 'docker.sock');
  const log = path.join(root, 'dockerd.log');
  const out = openSync(log, 'a');
  const dockerd = spawn(
    'unshare',
    [
      '--net',
      'sh',
      '-c',
      'ip link set lo up && exec "$@"',
      'sh',
      tools.dockerd,
      `--data-root=${path.join(root, 'data')}`,
      `--exec-root=${path.join(root, 'exec')}`,
      `--pidfile=${path.join(root, 'docker.pid')}`,
      `--host=unix://${socket}`,
      '--storage-driver=overlay2',
    ],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const host = `unix://${socket}`;
  const env = { DOCKER_HOST: host, DOCKER_CONFIG: path.join(root, 'client') };
  mkdirSync(path.join(env.DOCKER_CONFIG, 'cli-plugins'), { recursive: true });
  symlinkSync(tools.dockerCompose, path.join(env.DOCKER_CONFIG, 'cli-plugins', 'docker-compose'));
  const clientEnv = { ...process.env, ...env };
  const docker = (args: string[]) => run(tools.docker, args, { env: clientEnv });

  const stop = async () => {
    if (dockerd.exitCode === null && dockerd.signalCode === null) {
      dockerd.kill('SIGTERM');
      await Promise.race([exited(dockerd), sleep(30_000)]);
      if (dockerd.exitCode === null && dockerd.signalCode === null) dockerd.kill('SIGKILL');
      await exited(dockerd);
    }
    // overlay2 leaves no mounts after a clean shutdown; after a killed one, unmount what is left.
    await run('sh', [
      '-c',
      'grep -o " $1[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l',
      'sh',
      root,
    ]);
    rmSync(root, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (dockerd.exitCode !== null || Date.now() > deadline) {
      const tail = readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n');
      await stop();
      throw new Error(
        `The test Docker engine did not start (dockerd ${dockerd.exitCode ?? 'hung'}):\n${tail}`,
      );
    }
    if ((await docker(['version', '--format', '{{.Server.Version}}'])).code === 0) break;
    await sleep(250);
  }

  const pid = dockerd.pid as number;
  return {
    host,
    env,
    pid,
    docker,
    compose: (args, options) =>
      run(tools.dockerCompose, args, { cwd: options.cwd, env: { ...(options.env ?? process.env), ...env } }),
    async http(url, init = {}) {
      const answer = await run('nsenter', [
        `--net=/proc/${pid}/ns/net`,
        process.execPath,
        '-e',
        httpScript,
        url,
        JSON.stringify(init),
      ]);
      if (answer.code !== 0) throw new Error(`http ${url}: ${answer.stderr.trim()}`);
      return JSON.parse(answer.stdout) as HttpAnswer;
    },
    stop,
  };
}
