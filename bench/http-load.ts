// Load for the Streamable HTTP benchmark: raw MCP JSON-RPC over keep-alive HTTP, cheaper per call than
// the SDK client so the load generator is not what saturates. Open loop at a fixed rate (each call has
// an intended send time; latency counts from it, so a slow server cannot hide queueing by slowing the
// load: no coordinated omission), and closed loop with N calls in flight for saturation throughput.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const protocolVersion = '2025-06-18';

interface Reply {
  status: number;
  sessionId?: string | undefined;
  body: string;
}

function post(url: string, body: string, sessionId?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': protocolVersion,
          ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            sessionId: response.headers['mcp-session-id'] as string | undefined,
            body: text,
          }),
        );
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** initialize + notifications/initialized; returns the session id. */
export async function openSession(url: string): Promise<string> {
  const init = await post(
    url,
    JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 'bench-load', version: '1.0.0' } },
    }),
  );
  if (init.status !== 200 || !init.sessionId)
    throw new Error(`initialize failed: ${init.status} ${init.body}`);
  await post(url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), init.sessionId);
  return init.sessionId;
}

let nextId = 1;
/** One tools/call of `echo`; true when the server answered with a result. */
export async function callEcho(url: string, sessionId: string): Promise<boolean> {
  const id = nextId++;
  const reply = await post(
    url,
    JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'hello' } },
    }),
    sessionId,
  );
  return reply.status === 200 && reply.body.includes('"result"');
}

/** Calls at `rate` per second for `durationMs`; latencies in microseconds from each intended send time. */
export async function openLoop(options: {
  url: string;
  sessionId: string;
  rate: number;
  durationMs: number;
}): Promise<{ latenciesUs: Float64Array; sent: number; failed: number }> {
  const total = Math.floor((options.rate * options.durationMs) / 1000);
  const intervalMs = 1000 / options.rate;
  const latenciesUs = new Float64Array(total);
  let failed = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const intended = start + i * intervalMs;
    const wait = intended - performance.now();
    if (wait >= 1) await sleep(wait);
    pending.push(
      callEcho(options.url, options.sessionId).then(
        (ok) => {
          if (!ok) failed++;
          latenciesUs[i] = (performance.now() - intended) * 1000;
        },
        () => {
          failed++;
          latenciesUs[i] = (performance.now() - intended) * 1000;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { latenciesUs, sent: total, failed };
}

/** `concurrency` calls always in flight for `durationMs`; completed calls per second. */
export async function closedLoop(options: {
  url: string;
  sessionId: string;
  concurrency: number;
  durationMs: number;
}): Promise<{ callsPerSecond: number; completed: number; failed: number }> {
  const end = performance.now() + options.durationMs;
  let completed = 0;
  let failed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < end) {
        if (await callEcho(options.url, options.sessionId).catch(() => false)) completed++;
        else failed++;
      }
    }),
  );
  return { callsPerSecond: completed / ((performance.now() - start) / 1000), completed, failed };
}
