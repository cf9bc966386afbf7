// `npm run bench [-- --quick] [--only in-memory,http,callgrind,collector,python] [--note TEXT] [--profile DIR]`:
// the kit's overhead side by side with its peers, the Python package's beside its peers, and the
// collector's throughput (issue 10). Runs inside
// scripts/isolated.ts (loopback-only network namespace). Prints markdown tables, writes them and the
// JSON to bench/results/ (bench-<mode>.md/.json; a run of some sections only writes
// bench-<mode>-<sections>.md/.json, so it never overwrites the whole run's table), and prints last a
// one-line JSON summary. `--profile DIR` writes a Go CPU profile of the full collector pipeline under
// saturation to DIR (pprof extension; `go tool pprof DIR/collector-full-<round>.pprof`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchCallgrind } from './callgrind.ts';
import { benchCollector, captureSpans } from './collector.ts';
import { cores, loadAverage, pin } from './cpu.ts';
import { benchHttp } from './http.ts';
import { benchInMemory } from './in-memory.ts';
import { benchPython } from './python.ts';
import { type BenchResults, markdown, summary } from './report.ts';
import { startBenchSink } from './sink.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'in-memory,http,callgrind,collector,python' },
    note: { type: 'string', default: '' },
    seed: { type: 'string', default: 'mcp-telemetry-kit-bench' },
    profile: { type: 'string' },
  },
});
const quick = values.quick;
const allSections = ['in-memory', 'http', 'callgrind', 'collector', 'python'];
const sections = new Set(values.only.split(','));
const unknown = [...sections].filter((section) => !allSections.includes(section));
if (unknown.length) throw new Error(`--only: unknown section ${unknown.join(', ')}`);
const partial = allSections.filter((section) => sections.has(section));
const resultName = `bench-${quick ? 'quick' : 'full'}${partial.length < allSections.length ? `-${partial.join('-')}` : ''}`;
const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

// The orchestrator (load generator and sink) on one core, the measured processes on the other.
pin(process.pid, cores.load);
const loadAverageStart = loadAverage();
const results: BenchResults = {
  meta: {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    node: process.versions.node,
    cores: cpus().length,
    loadAverageStart,
    loadAverageEnd: Number.NaN,
    loadedMachine: false,
    note: values.note,
    seed: values.seed,
  },
};

const sink = await startBenchSink();
try {
  if (sections.has('in-memory')) {
    log('in-memory per-call cost');
    results.inMemory = await benchInMemory({
      rounds: quick ? 3 : 5,
      calls: quick ? 2000 : 3000,
      seed: values.seed,
      sink,
      core: cores.measured,
      log,
    });
  }
  if (sections.has('http')) {
    log('Streamable HTTP per-call cost');
    results.http = await benchHttp({
      rounds: quick ? 1 : 5,
      seed: values.seed,
      sink,
      core: cores.measured,
      rate: quick ? 200 : 500,
      warmupMs: quick ? 1000 : 2000,
      rateMs: quick ? 4000 : 8000,
      saturationMs: quick ? 2000 : 4000,
      concurrency: 32,
      log,
    });
  }
  if (sections.has('callgrind')) {
    log('callgrind instruction counts (slow: Node under valgrind)');
    results.callgrind = await benchCallgrind({ n1: 100, n2: quick ? 600 : 1100, sink });
  }
  if (sections.has('python')) {
    log('Python package per-call cost (FastMCP, OpenLLMetry)');
    results.python = await benchPython({
      rounds: quick ? 3 : 5,
      calls: quick ? 1000 : 3000,
      seed: values.seed,
      sink,
      core: cores.measured,
      log,
    });
  }
  if (sections.has('collector')) {
    log('collector throughput: capturing reference-server spans');
    const captured = await captureSpans(quick ? 20 : 60);
    log(`collector throughput: ${captured.length} captured requests`);
    results.collector = await benchCollector({
      captured,
      core: cores.measured,
      rounds: quick ? 1 : 3,
      seed: values.seed,
      log,
      saturationMs: quick ? 4000 : 8000,
      rateMs: quick ? 5000 : 10_000,
      spansPerSecond: 10_000,
      concurrency: 4,
      profileDirectory: values.profile && path.resolve(values.profile),
    });
  }
} finally {
  await sink.close();
}

results.meta.loadAverageEnd = loadAverage();
// More runnable work than cores at either end means other work ran beside the benchmark.
results.meta.loadedMachine = Math.max(loadAverageStart, results.meta.loadAverageEnd) > results.meta.cores;
const report = markdown(results);
const directory = path.join(import.meta.dirname, 'results');
mkdirSync(directory, { recursive: true });
writeFileSync(path.join(directory, `${resultName}.md`), report);
writeFileSync(
  path.join(directory, `${resultName}.json`),
  `${JSON.stringify({ summary: summary(results), ...results }, null, 2)}\n`,
);
console.log(report);
console.log(JSON.stringify(summary(results)));
process.exit(0);
