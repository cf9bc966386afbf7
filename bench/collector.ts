// Section 3: the collector's throughput on one core. The real collector (the ocb build) runs with
// GOMAXPROCS=1, pinned to the measured core, once with the kit's full pipeline (collector/config.yaml +
// collector/privacy.yaml) and once with a passthrough pipeline of the same binary
// (bench/collector-passthrough.yaml). The load replays OTLP/protobuf requests captured from the reference
// server (capture-spans.ts) as the kit's batch processor sent them. Measured: saturation spans/s (closed
// loop), then CPU, RSS and drops at a fixed rate of spans/s (open loop). Counts come from the
// collector's own metrics (receiver accepted/refused, exporter sent/failed).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { type RunningCollector, startCollector } from '../test/support/collector.ts';
import { scrapeCollector } from '../test/support/collector-metrics.ts';
import {
  collectorConfigFiles,
  startKitCollector,
  testCollectorSecrets,
} from '../test/support/kit-collector.ts';
import { freePort } from '../test/support/ports.ts';
import { pin, processCpuUs, processRssBytes } from './cpu.ts';
import { type BenchSink, type KeptTraces, startBenchSink } from './sink.ts';
import { median, roundOrder } from './stats.ts';

export interface PipelineResult {
  /**
   * Saturation throughput per second of the collector's own CPU time (spans exported / CPU seconds):
   * what one dedicated core sustains, whatever share of the core other processes took meanwhile.
   */
  spansPerCpuSecond: number;
  /** Wall-clock saturation throughput (lower when other processes share the core). */
  saturationSpansPerSecond: number;
  saturationCpuFraction: number;
  acceptedSpansPerSecond: number;
  exportedSpansPerSecond: number;
  atRate: {
    targetSpansPerSecond: number;
    sentSpansPerSecond: number;
    cpuFractionOfOneCore: number;
    rssMiB: number;
    spansSent: number;
    spansExported: number;
    spansDropped: number;
  };
}

export interface CollectorResult {
  rounds: number;
  capturedRequests: number;
  capturedSpans: number;
  spansPerRequest: number;
  full: PipelineResult;
  passthrough: PipelineResult;
  fullToPassthroughRatio: number;
}

/** Captures the reference server's OTLP trace requests (the kit's own export), in its own process. */
export async function captureSpans(sessions: number): Promise<KeptTraces[]> {
  const sink = await startBenchSink({ keepTraces: true });
  try {
    await promisify(execFile)(process.execPath, [
      path.join(import.meta.dirname, 'capture-spans.ts'),
      sink.url,
      String(sessions),
    ]);
    return [...sink.traces];
  } finally {
    await sink.close();
  }
}

interface Counters {
  accepted: number;
  refused: number;
  sent: number;
  failed: number;
}

/** Sums of the collector's span counters, from its Prometheus endpoint; exporters named by `exporter`. */
async function counters(collector: RunningCollector, exporter: RegExp): Promise<Counters> {
  const metrics = await scrapeCollector(collector);
  return {
    accepted: metrics.value('otelcol_receiver_accepted_spans'),
    refused: metrics.value('otelcol_receiver_refused_spans'),
    sent: metrics.value('otelcol_exporter_sent_spans', { exporter }),
    failed: metrics.value('otelcol_exporter_send_failed_spans', { exporter }),
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function postTraces(url: string, traces: KeptTraces, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/v1/traces`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': traces.contentType, authorization: `Bearer ${token}` },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(traces.body);
  });
}

async function measurePipeline(
  collector: RunningCollector & { otlpHttpUrl: string },
  exporter: RegExp,
  captured: KeptTraces[],
  options: { saturationMs: number; rateMs: number; spansPerSecond: number; concurrency: number },
  /** Runs beside the saturation phase (a CPU profile), awaited before the fixed-rate phase. */
  duringSaturation?: (saturationMs: number) => Promise<void>,
): Promise<PipelineResult> {
  const token = testCollectorSecrets.MCP_KIT_COLLECTOR_TOKEN;
  // Warm-up: a few requests so the first-use paths (regex compilation, connections) are behind us.
  for (const traces of captured.slice(0, 4)) await postTraces(collector.otlpHttpUrl, traces, token);

  // Saturation: `concurrency` requests always in flight.
  let next = 0;
  const before = await counters(collector, exporter);
  const saturationCpuBefore = processCpuUs(collector.pid);
  const start = performance.now();
  const end = start + options.saturationMs;
  const beside = duringSaturation?.(options.saturationMs);
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < end) {
        await postTraces(collector.otlpHttpUrl, captured[next++ % captured.length] as KeptTraces, token);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const saturationCpuSeconds = (processCpuUs(collector.pid) - saturationCpuBefore) / 1_000_000;
  const after = await counters(collector, exporter);
  await beside;
  const acceptedSpansPerSecond = (after.accepted - before.accepted) / seconds;
  const exportedSpansPerSecond = (after.sent - before.sent) / seconds;
  await drain(collector, exporter);

  // A fixed rate: requests spaced so the spans add up to `spansPerSecond`, from intended send times.
  const spansPerRequest = captured.reduce((sum, traces) => sum + traces.spans, 0) / captured.length;
  const requestsPerSecond = options.spansPerSecond / spansPerRequest;
  const total = Math.floor((requestsPerSecond * options.rateMs) / 1000);
  const atRateBefore = await counters(collector, exporter);
  const cpuBefore = processCpuUs(collector.pid);
  const rateStart = performance.now();
  let spansSent = 0;
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = rateStart + (i * 1000) / requestsPerSecond - performance.now();
    if (wait >= 1) await sleep(wait);
    const traces = captured[i % captured.length] as KeptTraces;
    spansSent += traces.spans;
    pending.push(postTraces(collector.otlpHttpUrl, traces, token));
  }
  const sendSeconds = (performance.now() - rateStart) / 1000 + 1 / requestsPerSecond;
  await Promise.all(pending);
  const rateSeconds = (performance.now() - rateStart) / 1000;
  const cpuUs = processCpuUs(collector.pid) - cpuBefore;
  const rssBytes = processRssBytes(collector.pid);
  const atRateAfter = await drain(collector, exporter);
  const spansExported = atRateAfter.sent - atRateBefore.sent;
  return {
    spansPerCpuSecond:
      Math.min(after.accepted - before.accepted, after.sent - before.sent) / saturationCpuSeconds,
    saturationSpansPerSecond: Math.min(acceptedSpansPerSecond, exportedSpansPerSecond),
    saturationCpuFraction: saturationCpuSeconds / seconds,
    acceptedSpansPerSecond,
    exportedSpansPerSecond,
    atRate: {
      targetSpansPerSecond: options.spansPerSecond,
      sentSpansPerSecond: spansSent / sendSeconds,
      // Over the sending window plus the last responses: all the work those spans caused.
      cpuFractionOfOneCore: cpuUs / 1_000_000 / rateSeconds,
      rssMiB: rssBytes / 2 ** 20,
      spansSent,
      spansExported,
      spansDropped: Math.max(0, spansSent - spansExported),
    },
  };
}

/** Waits until the exporters have sent everything accepted (or stop making progress); the counters then. */
async function drain(collector: RunningCollector, exporter: RegExp): Promise<Counters> {
  let last = await counters(collector, exporter);
  for (let idle = 0; idle < 6; ) {
    await sleep(500);
    const now = await counters(collector, exporter);
    if (now.sent >= now.accepted) return now;
    idle = now.sent === last.sent ? idle + 1 : 0;
    last = now;
  }
  return last;
}

type Pipeline = 'full' | 'passthrough';

let profiles = 0;

/** The collector's pprof extension on a loopback port, added to the extensions config.yaml starts. */
function pprofOverlay(port: number): Record<string, unknown> {
  const base = parse(readFileSync(collectorConfigFiles[0] as string, 'utf8')) as {
    service: { extensions: string[] };
  };
  return {
    extensions: { pprof: { endpoint: `127.0.0.1:${port}` } },
    service: { extensions: [...base.service.extensions, 'pprof'] },
  };
}

/** A CPU profile over most of the saturation phase, written to `directory/name.pprof`. */
async function cpuProfile(
  port: number,
  saturationMs: number,
  directory: string,
  name: string,
): Promise<void> {
  const seconds = Math.max(1, Math.floor(saturationMs / 1000) - 1);
  const response = await fetch(`http://127.0.0.1:${port}/debug/pprof/profile?seconds=${seconds}`);
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, `${name}.pprof`), Buffer.from(await response.arrayBuffer()));
}

async function runPipeline(
  pipeline: Pipeline,
  sink: BenchSink,
  options: Parameters<typeof benchCollector>[0],
): Promise<PipelineResult> {
  const oneCore = { GOMAXPROCS: '1', OTELCOL_LOG_LEVEL: 'warn', OTELCOL_SPAN_METRICS_FLUSH_INTERVAL: '15s' };
  if (pipeline === 'full') {
    const pprofPort = options.profileDirectory ? await freePort() : 0;
    const full = await startKitCollector({
      backends: { tempo: sink.url, loki: `${sink.url}/otlp`, prometheus: `${sink.url}/api/v1/otlp` },
      env: oneCore,
      overlays: options.profileDirectory ? [pprofOverlay(pprofPort)] : [],
    });
    pin(full.pid, options.core);
    const profile = options.profileDirectory
      ? (saturationMs: number) =>
          cpuProfile(
            pprofPort,
            saturationMs,
            options.profileDirectory as string,
            `collector-full-${++profiles}`,
          )
      : undefined;
    return measurePipeline(full, /^otlp_http\/tempo$/, options.captured, options, profile).finally(() =>
      full.stop(),
    );
  }
  const [healthPort, httpPort] = [await freePort(), await freePort()];
  const passthrough = await startCollector({
    healthPort,
    configs: [path.join(import.meta.dirname, 'collector-passthrough.yaml')],
    env: {
      ...testCollectorSecrets,
      ...oneCore,
      OTELCOL_HEALTH_ENDPOINT: `127.0.0.1:${healthPort}`,
      OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
      TEMPO_OTLP_ENDPOINT: sink.url,
    },
  });
  pin(passthrough.pid, options.core);
  return measurePipeline(
    Object.assign(passthrough, { otlpHttpUrl: `http://127.0.0.1:${httpPort}` }),
    /^otlp_http\/sink$/,
    options.captured,
    options,
  ).finally(() => passthrough.stop());
}

/** Medians over a pipeline's runs; counts of spans summed. */
function combine(runs: PipelineResult[]): PipelineResult {
  const mid = (pick: (run: PipelineResult) => number) => median(runs.map(pick));
  const sum = (pick: (run: PipelineResult) => number) => runs.reduce((total, run) => total + pick(run), 0);
  return {
    spansPerCpuSecond: mid((run) => run.spansPerCpuSecond),
    saturationSpansPerSecond: mid((run) => run.saturationSpansPerSecond),
    saturationCpuFraction: mid((run) => run.saturationCpuFraction),
    acceptedSpansPerSecond: mid((run) => run.acceptedSpansPerSecond),
    exportedSpansPerSecond: mid((run) => run.exportedSpansPerSecond),
    atRate: {
      targetSpansPerSecond: runs[0]?.atRate.targetSpansPerSecond ?? 0,
      sentSpansPerSecond: mid((run) => run.atRate.sentSpansPerSecond),
      cpuFractionOfOneCore: mid((run) => run.atRate.cpuFractionOfOneCore),
      rssMiB: mid((run) => run.atRate.rssMiB),
      spansSent: sum((run) => run.atRate.spansSent),
      spansExported: sum((run) => run.atRate.spansExported),
      spansDropped: sum((run) => run.atRate.spansDropped),
    },
  };
}

/** The two pipelines in interleaved rounds (ABBA), each run a fresh collector; medians reported. */
export async function benchCollector(options: {
  captured: KeptTraces[];
  core: number;
  rounds: number;
  seed: string;
  saturationMs: number;
  rateMs: number;
  spansPerSecond: number;
  concurrency: number;
  log: (line: string) => void;
  /** Where to write CPU profiles of the full pipeline under saturation; none when undefined. */
  profileDirectory?: string | undefined;
}): Promise<CollectorResult> {
  const sink: BenchSink = await startBenchSink({ countSpans: false });
  try {
    const runs: Record<Pipeline, PipelineResult[]> = { full: [], passthrough: [] };
    const order = roundOrder<Pipeline>(['full', 'passthrough'], options.rounds, `${options.seed}:collector`);
    for (const [round, pipelines] of order.entries()) {
      for (const pipeline of pipelines) runs[pipeline].push(await runPipeline(pipeline, sink, options));
      options.log(`collector round ${round + 1}/${order.length} done`);
    }
    const [full, passthrough] = [combine(runs.full), combine(runs.passthrough)];
    const capturedSpans = options.captured.reduce((sum, traces) => sum + traces.spans, 0);
    return {
      rounds: options.rounds,
      capturedRequests: options.captured.length,
      capturedSpans,
      spansPerRequest: capturedSpans / options.captured.length,
      full,
      passthrough,
      fullToPassthroughRatio: full.spansPerCpuSecond / passthrough.spansPerCpuSecond,
    };
  } finally {
    await sink.close();
  }
}
