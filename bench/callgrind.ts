// Section 2: the deterministic companion. Instructions executed (valgrind --tool=callgrind, event Ir)
// per in-memory tools/call, plain versus the kit, immune to what else runs on the machine. Each contender
// runs tool-call-worker.ts under callgrind twice, with n1 and n2 measured calls; the difference divided
// by n2 - n1 removes start-up and shutdown, leaving the per-call instructions.
//
// V8 runs with its JIT (Node's TypeScript stripping needs WebAssembly, which --jitless disables) but
// --single-threaded (no background compilation or GC threads). Counts still move by a few percent from
// run to run (JIT tiering and GC follow timers): three runs here gave ratios of 1.83 to 1.98.
// Timer-driven exports are pushed out of the run (BSP delay, metric interval), so the kit's span
// exports happen only when its batch fills: the same count on every run.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BenchSink } from './sink.ts';

export interface CallgrindResult {
  tool: 'valgrind --tool=callgrind';
  calls: [number, number];
  instructionsPerCall: { plain: number; kit: number };
  addedInstructionsPerCall: number;
  ratio: number;
  totals: Record<string, number>;
}

async function instructions(contender: 'plain' | 'kit', calls: number, sink: BenchSink): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-callgrind-'));
  try {
    const { stderr } = await promisify(execFile)(
      'valgrind',
      [
        '--tool=callgrind',
        `--callgrind-out-file=${path.join(dir, 'callgrind.out')}`,
        process.execPath,
        '--single-threaded',
        path.join(import.meta.dirname, 'tool-call-worker.ts'),
        contender,
        String(calls),
        sink.url,
      ],
      {
        maxBuffer: 256 * 1024 * 1024,
        env: {
          ...process.env,
          BENCH_WARMUP: '50',
          OTEL_BSP_SCHEDULE_DELAY: '3600000',
          OTEL_METRIC_EXPORT_INTERVAL: '3600000',
        },
      },
    );
    const collected = /Collected : (\d+)/.exec(stderr)?.[1];
    if (!collected) throw new Error(`callgrind printed no total for ${contender}:\n${stderr}`);
    return Number(collected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchCallgrind(options: {
  n1: number;
  n2: number;
  sink: BenchSink;
}): Promise<CallgrindResult> {
  // Run concurrently: instruction counts do not depend on what else runs, only the wall time does.
  const [plain1, plain2, kit1, kit2] = await Promise.all([
    instructions('plain', options.n1, options.sink),
    instructions('plain', options.n2, options.sink),
    instructions('kit', options.n1, options.sink),
    instructions('kit', options.n2, options.sink),
  ]);
  const perCall = (a: number, b: number) => (b - a) / (options.n2 - options.n1);
  const plain = perCall(plain1, plain2);
  const kit = perCall(kit1, kit2);
  return {
    tool: 'valgrind --tool=callgrind',
    calls: [options.n1, options.n2],
    instructionsPerCall: { plain, kit },
    addedInstructionsPerCall: kit - plain,
    ratio: kit / plain,
    totals: {
      [`plain n=${options.n1}`]: plain1,
      [`plain n=${options.n2}`]: plain2,
      [`kit n=${options.n1}`]: kit1,
      [`kit n=${options.n2}`]: kit2,
    },
  };
}
