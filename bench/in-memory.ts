// Section 1a: per-call cost over the in-memory transport. Every contender runs `rounds` interleaved
// rounds (roundOrder: A B C C B A), each run a separate process (tool-call-worker.ts) pinned to one core,
// so each contender is paired with the baseline twice per round. Reports latency ratios with bootstrap
// intervals, added CPU per call, RSS and start-up deltas versus no instrumentation.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { type ContenderName, contenderNames } from './contenders.ts';
import { pinned } from './cpu.ts';
import type { BenchSink } from './sink.ts';
import {
  bootstrapPairedDifference,
  bootstrapRatio,
  type Interval,
  median,
  quantileSorted,
  roundOrder,
} from './stats.ts';

export interface InMemoryRun {
  contender: ContenderName;
  calls: number;
  startupMs: number;
  rssBytes: number;
  wallUsPerCall: number;
  cpuUsPerCall: number;
  latenciesUs: number[];
}

export interface InMemoryResult {
  transport: 'in-memory';
  tool: string;
  rounds: number;
  callsPerRun: number;
  contenders: Record<
    string,
    {
      runs: number;
      cpuUsPerCall: number;
      addedCpuUsPerCall: Interval;
      p50Us: number;
      p99Us: number;
      p50Ratio: Interval;
      p99Ratio: Interval;
      rssDeltaMiB: number;
      startupDeltaMs: number;
      toolCallSpansPerCall: number;
    }
  >;
}

function runWorker(
  contender: ContenderName,
  calls: number,
  sink: BenchSink,
  core: number,
): Promise<InMemoryRun> {
  const [command, args] = pinned(core, process.execPath, [
    path.join(import.meta.dirname, 'tool-call-worker.ts'),
    contender,
    String(calls),
    sink.url,
  ]);
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${contender} worker failed: ${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as InMemoryRun);
    });
  });
}

export async function benchInMemory(options: {
  rounds: number;
  calls: number;
  seed: string;
  sink: BenchSink;
  core: number;
  log: (line: string) => void;
}): Promise<InMemoryResult> {
  const runs = new Map<ContenderName, InMemoryRun[]>(contenderNames.map((name) => [name, []]));
  const spans = new Map<ContenderName, number>(contenderNames.map((name) => [name, 0]));
  const order = roundOrder(contenderNames, options.rounds, `${options.seed}:in-memory`);
  for (const [round, contenders] of order.entries()) {
    for (const contender of contenders) {
      const before = options.sink.counts.toolCallSpans;
      const run = await runWorker(contender, options.calls, options.sink, options.core);
      spans.set(contender, (spans.get(contender) ?? 0) + options.sink.counts.toolCallSpans - before);
      runs.get(contender)?.push(run);
    }
    options.log(`in-memory round ${round + 1}/${order.length} done`);
  }

  const plain = runs.get('plain') ?? [];
  const plainLatencies = plain.flatMap((run) => run.latenciesUs);
  const plainRss = median(plain.map((run) => run.rssBytes));
  const plainStartup = median(plain.map((run) => run.startupMs));
  const p = (q: number) => (sorted: Float64Array) => quantileSorted(sorted, q);
  const contenders: InMemoryResult['contenders'] = {};
  for (const name of contenderNames) {
    const own = runs.get(name) ?? [];
    const latencies = own.flatMap((run) => run.latenciesUs);
    const warmupCalls = Number(process.env.BENCH_WARMUP ?? 500);
    contenders[name] = {
      runs: own.length,
      cpuUsPerCall: median(own.map((run) => run.cpuUsPerCall)),
      // Paired by position: the n-th run of a contender and the n-th plain run share a round half.
      addedCpuUsPerCall: bootstrapPairedDifference(
        own.map((run) => run.cpuUsPerCall),
        plain.map((run) => run.cpuUsPerCall),
        { seed: `${options.seed}:cpu:${name}` },
      ),
      p50Us: quantile(latencies, 0.5),
      p99Us: quantile(latencies, 0.99),
      p50Ratio: bootstrapRatio(latencies, plainLatencies, p(0.5), { seed: `${options.seed}:p50:${name}` }),
      p99Ratio: bootstrapRatio(latencies, plainLatencies, p(0.99), { seed: `${options.seed}:p99:${name}` }),
      rssDeltaMiB: (median(own.map((run) => run.rssBytes)) - plainRss) / 2 ** 20,
      startupDeltaMs: median(own.map((run) => run.startupMs)) - plainStartup,
      toolCallSpansPerCall: (spans.get(name) ?? 0) / (own.length * (options.calls + warmupCalls)),
    };
  }
  return {
    transport: 'in-memory',
    tool: 'echo',
    rounds: options.rounds,
    callsPerRun: options.calls,
    contenders,
  };
}

function quantile(values: number[], q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}
