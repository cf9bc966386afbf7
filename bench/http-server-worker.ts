// The server side of the Streamable HTTP benchmark, in its own process pinned to its own core: a
// contender's `echo` server behind the SDK's Streamable HTTP transport at /mcp (stateful, one server per
// session, as the reference server does). Talks to the orchestrator over the IPC channel:
//   → { type: 'ready', url, startupMs }      once listening (startupMs: since process start)
//   ← { type: 'sample' } → { type: 'sample', cpuUs, rssBytes }
//   ← { type: 'stop' }   → { type: 'stopped' } after flushing the contender's telemetry
//
//   node bench/http-server-worker.ts <contender> <sink-url>   (spawned with an IPC channel)
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { type ContenderName, setupContender } from './contenders.ts';

const [name = 'plain', sinkUrl = 'http://127.0.0.1:4318'] = process.argv.slice(2);
const contender = await setupContender(name as ContenderName, sinkUrl);
// Loaded after the contender started, as in an application that starts its telemetry first: HTTP
// instrumentation (the kit's default setup includes it) patches node:http when it is first loaded.
const { createServer } = await import('node:http');
const { StreamableHTTPServerTransport: Transport } = await import(
  '@modelcontextprotocol/sdk/server/streamableHttp.js'
);
const sessions = new Map<string, StreamableHTTPServerTransport>();

async function handle(request: IncomingMessage, response: ServerResponse) {
  const sessionId = request.headers['mcp-session-id'];
  let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
  if (!transport) {
    const created = new Transport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, created),
    });
    transport = created;
    await contender.createServer().connect(created);
  }
  await transport.handleRequest(request, response);
}

const server = createServer((request, response) => void handle(request, response));
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const send = (message: object) => process.send?.(message);

process.on('message', async (message: { type: string }) => {
  if (message.type === 'sample') {
    const cpu = process.cpuUsage();
    send({ type: 'sample', cpuUs: cpu.user + cpu.system, rssBytes: process.memoryUsage().rss });
  } else if (message.type === 'stop') {
    await Promise.all([...sessions.values()].map((transport) => transport.close()));
    server.closeAllConnections();
    await contender.flush();
    await contender.shutdown();
    send({ type: 'stopped' });
    process.disconnect();
    setTimeout(() => process.exit(0), 100).unref();
  }
});
send({
  type: 'ready',
  url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
  startupMs: performance.now(),
});
