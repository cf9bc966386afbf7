// One run of the in-memory per-call benchmark, in its own process: a contender's server (contenders.ts)
// and an MCP client linked by the SDK's in-memory transport, a warm-up, then `calls` sequential
// tools/call of `echo`, then the contender's flush. Prints one JSON line: per-call latencies, CPU per
// call (the calls and the flush of their telemetry), RSS, start-up time.
//
//   node bench/tool-call-worker.ts <contender> <calls> <sink-url>
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { type ContenderName, setupContender } from './contenders.ts';

const [name = 'plain', callsArg = '2000', sinkUrl = 'http://127.0.0.1:4318'] = process.argv.slice(2);
const calls = Number(callsArg);
const warmup = Number(process.env.BENCH_WARMUP ?? 500);

const contender = await setupContender(name as ContenderName, sinkUrl);
const server = contender.createServer();
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'bench-client', version: '1.0.0' });
await client.connect(clientSide);
// From process start to a connected, instrumented server: what the contender adds to start-up.
const startupMs = performance.now();

const call = () => client.callTool({ name: 'echo', arguments: { text: 'hello' } });
for (let i = 0; i < warmup; i++) await call(); // JIT, caches
await contender.warmUpFlush(); // the first export's one-time costs

const latenciesUs = new Float64Array(calls);
const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < calls; i++) {
  const sent = performance.now();
  await call();
  latenciesUs[i] = (performance.now() - sent) * 1000;
}
const elapsedMs = performance.now() - started;
const rssBytes = process.memoryUsage().rss;
// CPU counted through the contender's flush: telemetry it deferred (batches, queues) is part of the cost.
const cpuBeforeFlush = process.cpuUsage();
await contender.flush();
const flushCpu = process.cpuUsage(cpuBeforeFlush);
const cpu = process.cpuUsage(cpuBefore);
await client.close();
await contender.shutdown();
console.log(
  JSON.stringify({
    contender: name,
    calls,
    startupMs,
    rssBytes,
    wallUsPerCall: (elapsedMs * 1000) / calls,
    cpuUsPerCall: (cpu.user + cpu.system) / calls,
    flushCpuUs: flushCpu.user + flushCpu.system,
    latenciesUs: Array.from(latenciesUs, (value) => Math.round(value * 10) / 10),
  }),
);
process.exit(0);
