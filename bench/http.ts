// Section 1b: per-call cost over Streamable HTTP. The server (http-server-worker.ts) runs pinned to one
// core, the load and the sink on the other. Each run: start-up, warm-up, an open-loop phase at a fixed
// rate (latency from intended send time, server CPU per call, steady RSS), a closed-loop saturation
// phase, then a flush, after which the sink's span count shows drops. Contenders interleave in rounds
// (A B C C B A) like the in-memory section.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { type ContenderName, contenderNames } from './contenders.ts';
import { pinned } from './cpu.ts';
import { closedLoop, openLoop, openSession } from './http-load.ts';
import type { BenchSink } from './sink.ts';
import { bootstrapRatio, type Interval, median, quantileSorted, roundOrder } from './stats.ts';

export interface HttpRun {
  contender: ContenderName;
  startupMs: number;
  rssBytes: number;
  serverCpuUsPerCall: number;
  latenciesUs: number[];
  failed: number;
  saturationCallsPerSecond: number;
  callsAnswered: number;
  toolCallSpans: number;
  httpServerSpans: number;
}

export interface HttpResult {
  transport: 'streamable-http';
  tool: string;
  rounds: number;
  ratePerSecond: number;
  rateDurationMs: number;
  saturationConcurrency: number;
  contenders: Record<
    string,
    {
      runs: number;
      serverCpuUsPerCall: number;
      serverCpuRatio: number;
      addedServerCpuUsPerCall: number;
      p50Us: number;
      p99Us: number;
      p50Ratio: Interval;
      p99Ratio: Interval;
      saturationCallsPerSecond: number;
      saturationRatio: number;
      rssDeltaMiB: number;
      startupDeltaMs: number;
      failedCalls: number;
      /** tools/call spans the sink received per call answered, over the whole run after a flush. */
      toolCallSpansPerCall: number;
      /** HTTP SERVER spans (OTLP) per call answered: 0 where HTTP requests are not traced. */
      httpServerSpansPerCall: number;
    }
  >;
}

interface Worker {
  child: ChildProcess;
  url: string;
  startupMs: number;
  request<T>(type: string): Promise<T>;
}

function startWorker(contender: ContenderName, sink: BenchSink, core: number): Promise<Worker> {
  const [command, args] = pinned(core, process.execPath, [
    path.join(import.meta.dirname, 'http-server-worker.ts'),
    contender,
    sink.url,
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const request = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const listener = (message: { type: string }) => {
        if (message.type !== type && !(type === 'stop' && message.type === 'stopped')) return;
        child.off('message', listener);
        resolve(message as T);
      };
      child.on('message', listener);
      child.send({ type });
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${contender} server exited early (${code})`)));
    child.once('message', (message: { type: string; url: string; startupMs: number }) =>
      resolve({ child, url: message.url, startupMs: message.startupMs, request }),
    );
  });
}

/** How one contender's server is driven: open loop at `rate`, then saturation with `concurrency` in flight. */
interface RunOptions {
  sink: BenchSink;
  core: number;
  rate: number;
  warmupMs: number;
  rateMs: number;
  saturationMs: number;
  concurrency: number;
}

async function runOnce(contender: ContenderName, options: RunOptions): Promise<HttpRun> {
  options.sink.reset();
  const worker = await startWorker(contender, options.sink, options.core);
  const sessionId = await openSession(worker.url);
  const warmup = await openLoop({
    url: worker.url,
    sessionId,
    rate: options.rate,
    durationMs: options.warmupMs,
  });
  const before = await worker.request<{ cpuUs: number }>('sample');
  const measured = await openLoop({
    url: worker.url,
    sessionId,
    rate: options.rate,
    durationMs: options.rateMs,
  });
  const after = await worker.request<{ cpuUs: number; rssBytes: number }>('sample');
  const saturation = await closedLoop({
    url: worker.url,
    sessionId,
    concurrency: options.concurrency,
    durationMs: options.saturationMs,
  });
  const exited = new Promise((resolve) => worker.child.once('exit', resolve));
  await worker.request('stop');
  await exited;
  return {
    contender,
    startupMs: worker.startupMs,
    rssBytes: after.rssBytes,
    serverCpuUsPerCall: (after.cpuUs - before.cpuUs) / measured.sent,
    latenciesUs: Array.from(measured.latenciesUs, (value) => Math.round(value)),
    failed: measured.failed + warmup.failed,
    saturationCallsPerSecond: saturation.callsPerSecond,
    callsAnswered: warmup.sent - warmup.failed + measured.sent - measured.failed + saturation.completed,
    toolCallSpans: options.sink.counts.toolCallSpans,
    httpServerSpans: options.sink.counts.httpServerSpans,
  };
}

export async function benchHttp(
  options: RunOptions & { rounds: number; seed: string; log: (line: string) => void },
): Promise<HttpResult> {
  const runs = new Map<ContenderName, HttpRun[]>(contenderNames.map((name) => [name, []]));
  const order = roundOrder(contenderNames, options.rounds, `${options.seed}:http`);
  for (const [round, contenders] of order.entries()) {
    for (const contender of contenders) runs.get(contender)?.push(await runOnce(contender, options));
    options.log(`streamable HTTP round ${round + 1}/${order.length} done`);
  }

  const plain = runs.get('plain') ?? [];
  const plainLatencies = plain.flatMap((run) => run.latenciesUs);
  const plainCpu = median(plain.map((run) => run.serverCpuUsPerCall));
  const plainSaturation = median(plain.map((run) => run.saturationCallsPerSecond));
  const p = (q: number) => (sorted: Float64Array) => quantileSorted(sorted, q);
  const contenders: HttpResult['contenders'] = {};
  for (const name of contenderNames) {
    const own = runs.get(name) ?? [];
    const latencies = own.flatMap((run) => run.latenciesUs);
    const sorted = Float64Array.from(latencies).sort();
    const cpu = median(own.map((run) => run.serverCpuUsPerCall));
    const saturation = median(own.map((run) => run.saturationCallsPerSecond));
    const answered = Math.max(
      1,
      own.reduce((sum, run) => sum + run.callsAnswered, 0),
    );
    contenders[name] = {
      runs: own.length,
      serverCpuUsPerCall: cpu,
      serverCpuRatio: cpu / plainCpu,
      addedServerCpuUsPerCall: cpu - plainCpu,
      p50Us: quantileSorted(sorted, 0.5),
      p99Us: quantileSorted(sorted, 0.99),
      p50Ratio: bootstrapRatio(latencies, plainLatencies, p(0.5), {
        seed: `${options.seed}:http-p50:${name}`,
      }),
      p99Ratio: bootstrapRatio(latencies, plainLatencies, p(0.99), {
        seed: `${options.seed}:http-p99:${name}`,
      }),
      saturationCallsPerSecond: saturation,
      saturationRatio: saturation / plainSaturation,
      rssDeltaMiB:
        (median(own.map((run) => run.rssBytes)) - median(plain.map((run) => run.rssBytes))) / 2 ** 20,
      startupDeltaMs: median(own.map((run) => run.startupMs)) - median(plain.map((run) => run.startupMs)),
      failedCalls: own.reduce((sum, run) => sum + run.failed, 0),
      toolCallSpansPerCall: own.reduce((sum, run) => sum + run.toolCallSpans, 0) / answered,
      httpServerSpansPerCall: own.reduce((sum, run) => sum + run.httpServerSpans, 0) / answered,
    };
  }
  return {
    transport: 'streamable-http',
    tool: 'echo',
    rounds: options.rounds,
    ratePerSecond: options.rate,
    rateDurationMs: options.rateMs,
    saturationConcurrency: options.concurrency,
    contenders,
  };
}
