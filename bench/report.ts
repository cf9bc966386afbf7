// The benchmark report: markdown tables (printed and written to bench/results/), the targets of issue
// 10 against the measured figures, and the one-line JSON summary of the headline ratios.
import type { CallgrindResult } from './callgrind.ts';
import type { CollectorResult } from './collector.ts';
import { contenderLabels, contenderNames, pendingContenders } from './contenders.ts';
import type { HttpResult } from './http.ts';
import type { InMemoryResult } from './in-memory.ts';
import { type PythonResult, pythonContenders } from './python.ts';
import type { Interval } from './stats.ts';

export interface BenchResults {
  meta: {
    date: string;
    mode: 'quick' | 'full';
    node: string;
    cores: number;
    loadAverageStart: number;
    loadAverageEnd: number;
    loadedMachine: boolean;
    note: string;
    seed: string;
  };
  inMemory?: InMemoryResult;
  http?: HttpResult;
  callgrind?: CallgrindResult;
  collector?: CollectorResult;
  python?: PythonResult;
}

const f = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ci = (interval: Interval, digits = 2) =>
  `${f(interval.estimate, digits)} [${f(interval.low, digits)}, ${f(interval.high, digits)}]`;

export function summary(results: BenchResults) {
  const kitMemory = results.inMemory?.contenders.kit;
  const kitHttp = results.http?.contenders.kit;
  const round = (value: number | undefined, digits = 3) =>
    value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));
  return {
    benchmark: 'mcp-telemetry-kit overhead and collector throughput',
    mode: results.meta.mode,
    loadedMachine: results.meta.loadedMachine,
    inMemoryAddedCpuUsPerCall: round(kitMemory?.addedCpuUsPerCall.estimate, 1),
    inMemoryP50Ratio: round(kitMemory?.p50Ratio.estimate),
    httpServerCpuRatio: round(kitHttp?.serverCpuRatio),
    httpP50Ratio: round(kitHttp?.p50Ratio.estimate),
    httpP99Ratio: round(kitHttp?.p99Ratio.estimate),
    httpSaturationRatio: round(kitHttp?.saturationRatio),
    httpRssDeltaMiB: round(kitHttp?.rssDeltaMiB, 1),
    httpStartupDeltaMs: round(kitHttp?.startupDeltaMs, 0),
    httpToolCallSpansPerCall: round(kitHttp?.toolCallSpansPerCall, 4),
    callgrindInstructionRatio: round(results.callgrind?.ratio),
    pythonKitP50Ratio: round(results.python?.contenders['fastmcp-kit']?.p50Ratio),
    pythonKitAddedCpuUsPerCall: round(results.python?.contenders['fastmcp-kit']?.addedCpuUsPerCall, 1),
    pythonOpenLLMetryP50Ratio: round(results.python?.contenders['sdk1-openllmetry']?.p50Ratio),
    collectorFullToPassthrough: round(results.collector?.fullToPassthroughRatio),
    collectorFullSpansPerCpuSecond: round(results.collector?.full.spansPerCpuSecond, 0),
    collectorCpuAtRate: round(results.collector?.full.atRate.cpuFractionOfOneCore),
    collectorRssMiBAtRate: round(results.collector?.full.atRate.rssMiB, 0),
    collectorDroppedAtRate: results.collector?.full.atRate.spansDropped ?? null,
  };
}

function targets(results: BenchResults): string[] {
  const rows: [string, string, boolean | undefined][] = [];
  const kitMemory = results.inMemory?.contenders.kit;
  const kitHttp = results.http?.contenders.kit;
  const peers = contenderNames.filter((name) => name !== 'plain' && !name.startsWith('kit'));
  if (kitMemory && results.inMemory) {
    rows.push([
      'in-memory: added CPU ≤ 20 µs/call',
      f(kitMemory.addedCpuUsPerCall.estimate),
      kitMemory.addedCpuUsPerCall.estimate <= 20,
    ]);
    const memory = results.inMemory.contenders;
    rows.push([
      'in-memory: below every peer on CPU per call and p50',
      peers.map((peer) => `${peer} ${f(memory[peer]?.cpuUsPerCall ?? Number.NaN)} µs`).join(', '),
      peers.every(
        (peer) =>
          kitMemory.cpuUsPerCall < (memory[peer]?.cpuUsPerCall ?? 0) &&
          kitMemory.p50Us < (memory[peer]?.p50Us ?? 0),
      ),
    ]);
  }
  if (kitHttp && results.http) {
    const http = results.http.contenders;
    rows.push([
      'HTTP: server CPU ≤ 1.15x',
      `${f(kitHttp.serverCpuRatio, 2)}x`,
      kitHttp.serverCpuRatio <= 1.15,
    ]);
    rows.push([
      'HTTP: p50 latency ≤ 1.05x',
      `${f(kitHttp.p50Ratio.estimate, 2)}x`,
      kitHttp.p50Ratio.estimate <= 1.05,
    ]);
    rows.push([
      'HTTP: saturation throughput ≥ 0.87x',
      `${f(kitHttp.saturationRatio, 2)}x`,
      kitHttp.saturationRatio >= 0.87,
    ]);
    rows.push(['HTTP: RSS ≤ +30 MiB', `${f(kitHttp.rssDeltaMiB)} MiB`, kitHttp.rssDeltaMiB <= 30]);
    rows.push([
      'HTTP: start-up ≤ +150 ms',
      `${f(kitHttp.startupDeltaMs, 0)} ms`,
      kitHttp.startupDeltaMs <= 150,
    ]);
    rows.push([
      `HTTP: zero spans dropped at ${results.http.ratePerSecond} calls/s`,
      `${f(kitHttp.toolCallSpansPerCall, 4)} tools/call spans per call answered`,
      kitHttp.toolCallSpansPerCall >= 1,
    ]);
    rows.push([
      'HTTP: below every peer on server CPU per call and p50',
      peers.map((peer) => `${peer} ${f(http[peer]?.serverCpuUsPerCall ?? Number.NaN, 0)} µs`).join(', '),
      peers.every(
        (peer) =>
          kitHttp.serverCpuUsPerCall < (http[peer]?.serverCpuUsPerCall ?? 0) &&
          kitHttp.p50Us < (http[peer]?.p50Us ?? 0),
      ),
    ]);
  }
  const collector = results.collector;
  if (collector) {
    rows.push([
      'collector: full ≥ 0.6x passthrough',
      `${f(collector.fullToPassthroughRatio, 2)}x`,
      collector.fullToPassthroughRatio >= 0.6,
    ]);
    rows.push([
      'collector: full ≥ 20,000 spans/s on one core',
      `${f(collector.full.spansPerCpuSecond, 0)} per CPU-second (${f(collector.full.saturationSpansPerSecond, 0)} wall clock)`,
      collector.full.spansPerCpuSecond >= 20_000,
    ]);
    const atRate = collector.full.atRate;
    rows.push([
      `collector: < 25% of one core at ${atRate.targetSpansPerSecond} spans/s`,
      `${f(atRate.cpuFractionOfOneCore * 100)}%`,
      atRate.cpuFractionOfOneCore < 0.25,
    ]);
    rows.push([
      `collector: < 150 MiB RSS at ${atRate.targetSpansPerSecond} spans/s`,
      `${f(atRate.rssMiB, 0)} MiB`,
      atRate.rssMiB < 150,
    ]);
    rows.push([
      `collector: zero drops at ${atRate.targetSpansPerSecond} spans/s`,
      String(atRate.spansDropped),
      atRate.spansDropped === 0,
    ]);
  }
  return [
    '| target | measured | met |',
    '|---|---|---|',
    ...rows.map(([target, measured, met]) => `| ${target} | ${measured} | ${met ? 'yes' : 'no'} |`),
  ];
}

export function markdown(results: BenchResults): string {
  const { meta } = results;
  const lines = [
    `# Benchmark results (${meta.mode})`,
    '',
    `${meta.date}, Node ${meta.node}, ${meta.cores} cores, load average ${f(meta.loadAverageStart, 2)} at start and ` +
      `${f(meta.loadAverageEnd, 2)} at end, seed \`${meta.seed}\`.`,
    meta.loadedMachine
      ? '**Measured on a loaded machine** (other work ran beside the benchmark): absolute times are inflated ' +
        'and noisy; the interleaved ratios and the instruction counts are the figures to read.'
      : 'Measured on a quiet machine.',
    ...(meta.note ? ['', meta.note] : []),
    '',
  ];
  const memory = results.inMemory;
  if (memory) {
    lines.push(
      `## Per call, in-memory transport (tool \`${memory.tool}\`, ${memory.rounds} rounds, ${memory.callsPerRun} calls per run)`,
      '',
      '| contender | runs | CPU µs/call | added CPU µs/call [95% CI] | p50 µs | p50 ratio [95% CI] | p99 ratio [95% CI] | RSS Δ MiB | start-up Δ ms | tools/call spans per call |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...contenderNames.map((name) => {
        const c = memory.contenders[name];
        if (!c) return `| ${contenderLabels[name]} | – |`;
        return `| ${contenderLabels[name]} | ${c.runs} | ${f(c.cpuUsPerCall)} | ${ci(c.addedCpuUsPerCall, 1)} | ${f(c.p50Us)} | ${ci(c.p50Ratio)} | ${ci(c.p99Ratio)} | ${f(c.rssDeltaMiB)} | ${f(c.startupDeltaMs, 0)} | ${f(c.toolCallSpansPerCall, 3)} |`;
      }),
      '',
    );
  }
  const python = results.python;
  if (python) {
    lines.push(
      `## Python, per call, in-memory transport (tool \`echo\`, ${python.rounds} rounds, ${python.callsPerRun} calls per run)`,
      '',
      'Ratios to the plain server of the same stack (FastMCP 4.2, or the MCP SDK 1.30 that OpenLLMetry needs), medians of the rounds.',
      '',
      '| contender | runs | CPU µs/call | added CPU µs/call | CPU ratio | p50 µs | p50 ratio | p99 µs |',
      '|---|---|---|---|---|---|---|---|',
      ...pythonContenders.map((name) => {
        const c = python.contenders[name];
        if (!c) return `| ${name} | – |`;
        return `| ${name} | ${c.runs} | ${f(c.cpuUsPerCall)} | ${f(c.addedCpuUsPerCall)} | ${f(c.cpuRatio, 2)} | ${f(c.p50Us)} | ${f(c.p50Ratio, 2)} | ${f(c.p99Us)} |`;
      }),
      '',
    );
  }
  const http = results.http;
  if (http) {
    lines.push(
      `## Per call, Streamable HTTP (tool \`${http.tool}\`, ${http.rounds} rounds, open loop at ${http.ratePerSecond} calls/s ` +
        `for ${http.rateDurationMs / 1000} s per run, saturation with ${http.saturationConcurrency} in flight; server and load on separate cores)`,
      '',
      '| contender | runs | server CPU µs/call | CPU ratio | p50 ms | p50 ratio [95% CI] | p99 ratio [95% CI] | saturation calls/s | saturation ratio | RSS Δ MiB | start-up Δ ms | tools/call spans per call | HTTP server spans per call | failed calls |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...contenderNames.map((name) => {
        const c = http.contenders[name];
        if (!c) return `| ${contenderLabels[name]} | – |`;
        return `| ${contenderLabels[name]} | ${c.runs} | ${f(c.serverCpuUsPerCall, 0)} | ${f(c.serverCpuRatio, 2)} | ${f(c.p50Us / 1000, 2)} | ${ci(c.p50Ratio)} | ${ci(c.p99Ratio)} | ${f(c.saturationCallsPerSecond, 0)} | ${f(c.saturationRatio, 2)} | ${f(c.rssDeltaMiB)} | ${f(c.startupDeltaMs, 0)} | ${f(c.toolCallSpansPerCall, 3)} | ${f(c.httpServerSpansPerCall, 3)} | ${c.failedCalls} |`;
      }),
      '',
    );
  }
  for (const [name, reason] of Object.entries(pendingContenders))
    lines.push(`Pending contender \`${name}\`: ${reason}.`, '');
  const callgrind = results.callgrind;
  if (callgrind) {
    lines.push(
      `## Instructions per in-memory call (callgrind, deterministic; n = ${callgrind.calls.join(' and ')})`,
      '',
      '| plain | kit | added | ratio kit/plain |',
      '|---|---|---|---|',
      `| ${f(callgrind.instructionsPerCall.plain, 0)} | ${f(callgrind.instructionsPerCall.kit, 0)} | ${f(callgrind.addedInstructionsPerCall, 0)} | ${f(callgrind.ratio, 3)} |`,
      '',
    );
  }
  const collector = results.collector;
  if (collector) {
    const row = (label: string, p: CollectorResult['full']) =>
      `| ${label} | ${f(p.spansPerCpuSecond, 0)} | ${f(p.saturationSpansPerSecond, 0)} (${f(p.saturationCpuFraction * 100, 0)}% of the core) | ${f(p.atRate.sentSpansPerSecond, 0)} | ${f(p.atRate.cpuFractionOfOneCore * 100)}% | ${f(p.atRate.rssMiB, 0)} | ${p.atRate.spansSent} | ${p.atRate.spansDropped} |`;
    lines.push(
      `## Collector on one core (GOMAXPROCS=1, pinned; ${collector.rounds} interleaved rounds, medians; ${collector.capturedSpans} captured reference-server spans in ${collector.capturedRequests} requests, replayed)`,
      '',
      '| pipeline | saturation spans per CPU-second (one core) | saturation spans/s, wall clock (CPU share it got) | at rate: sent spans/s | at rate: CPU (one core) | RSS MiB | spans sent | dropped |',
      '|---|---|---|---|---|---|---|---|',
      row('full privacy pipeline (config.yaml + privacy.yaml)', collector.full),
      row('passthrough (bench/collector-passthrough.yaml)', collector.passthrough),
      '',
      `Full pipeline / passthrough throughput (per CPU-second): ${f(collector.fullToPassthroughRatio, 2)}x. ` +
        'Per CPU-second is what a dedicated core sustains; the wall-clock figure is lower when other ' +
        'processes share the core.',
      '',
    );
  }
  lines.push('## Targets (issue 10)', '', ...targets(results), '');
  return lines.join('\n');
}
