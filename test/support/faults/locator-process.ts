// The reference server (examples/detainee-locator) as its own process over Streamable HTTP, with
// startTelemetry() exporting to a collector through the standard OTEL_* variables, as it runs in
// production. Fault tests watch the process from outside: alive or not, its RSS, what it logged.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../../scripts/provision/cache.ts';
import { rssBytes } from '../binary.ts';
import { eventually } from '../eventually.ts';
import { isolation } from '../network.ts';
import { freePort } from '../ports.ts';

export interface LocatorProcess {
  url: string;
  token: string;
  pid: number;
  alive(): boolean;
  /** What the process wrote to stdout and stderr so far. */
  logs(): string;
  /** Resident set size now, in bytes (/proc). */
  rssBytes(): number;
  /** SIGTERM: the server flushes its telemetry, then exits; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: gone at once, with whatever its SDK had not exported; resolves once it has exited. */
  kill(): Promise<void>;
}

export async function startLocatorProcess(options: {
  collectorUrl: string;
  collectorHeaders: Record<string, string>;
  env?: Record<string, string>;
}): Promise<LocatorProcess> {
  isolation();
  const port = await freePort();
  const token = 'fault-suite-token-0123456789';
  const headers = Object.entries(options.collectorHeaders)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const output: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'examples/detainee-locator/server.ts'),
      '--transport',
      'http',
      '--port',
      String(port),
    ],
    {
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: options.collectorUrl,
        OTEL_EXPORTER_OTLP_HEADERS: headers,
        OTEL_SERVICE_NAME: 'detainee-locator',
        MCP_KIT_PSEUDONYM_KEY: 'fault-suite-pseudonym-key-0123456789abcdef',
        LOCATOR_TOKENS: `alice:${token},bob:${token}-bob`,
        // The fault suite loads the server through one principal: its limits would refuse the load.
        LOCATOR_RATE_PER_PRINCIPAL: '10000',
        LOCATOR_MAX_SESSIONS_PER_PRINCIPAL: '1000',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(async () => {
    if (!alive()) throw new Error(`the locator exited: ${output.join('')}`);
    return output.join('').includes('listening on') ? true : undefined;
  }, 60_000);
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    token,
    pid: child.pid ?? -1,
    alive,
    logs: () => output.join(''),
    rssBytes: () => rssBytes(child.pid ?? -1),
    async stop() {
      if (!alive()) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (!alive()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
