// Starts a real program for a test, waits until it is healthy, keeps its output for the test report,
// and stops it. Every started program is tracked so the shared test setup can print the logs of the
// programs behind a failing test and stop whatever a test file left running.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isolation } from './network.ts';

export interface BinaryOptions {
  /** Short name used in logs, e.g. `otelcol`. */
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** An HTTP URL that answers 2xx once the program is ready. */
  healthUrl: string;
  /** Ready as soon as `healthUrl` answers at all, whatever the status (a server with auth on every path). */
  readyOnAnyAnswer?: boolean;
  startTimeoutMs?: number;
}

export interface RunningBinary {
  name: string;
  pid: number;
  /** Everything the program wrote to stdout and stderr so far. */
  logs(): string;
  /** True while the process has not exited. */
  alive(): boolean;
  /** SIGTERM, then SIGKILL after a grace period; resolves with the exit code or signal. */
  stop(graceMs?: number): Promise<string>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<string>;
}

const running = new Set<RunningBinary>();

export function runningBinaries(): RunningBinary[] {
  return [...running];
}

export async function stopAllBinaries(): Promise<void> {
  await Promise.all([...running].map((binary) => binary.stop()));
}

function exited(child: ChildProcess): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(String(child.exitCode ?? child.signalCode));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(String(code ?? signal))));
}

async function isHealthy(url: string, anyAnswer = false): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return anyAnswer || response.ok;
  } catch {
    return false;
  }
}

export async function startBinary(options: BinaryOptions): Promise<RunningBinary> {
  isolation(); // refuses to start anything outside the loopback namespace unless the runner said so
  const output: string[] = [];
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exit = exited(child);

  const binary: RunningBinary = {
    name: options.name,
    pid: child.pid ?? -1,
    logs: () => output.join(''),
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop(graceMs = 5000) {
      if (binary.alive()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      }
      running.delete(binary);
      return exit;
    },
    async kill() {
      if (binary.alive()) child.kill('SIGKILL');
      running.delete(binary);
      return exit;
    },
  };
  running.add(binary);

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  while (!(await isHealthy(options.healthUrl, options.readyOnAnyAnswer))) {
    if (spawnError || !binary.alive() || Date.now() > deadline) {
      await binary.stop();
      const why =
        spawnError?.message ?? (binary.alive() ? 'not healthy in time' : `exited with ${await exit}`);
      throw new Error(
        `${options.name} did not start (${why}) at ${options.healthUrl}\n--- ${options.name} output ---\n${binary.logs()}`,
      );
    }
    await sleep(100);
  }
  return binary;
}

/** A process's resident set size now, in bytes (/proc), or 0 once it is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}
