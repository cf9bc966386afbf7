import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startBenchSink } from './sink.ts';

const sink = await startBenchSink();
const [c, n] = process.argv.slice(2);
const t = Date.now();
const r = await promisify(execFile)(
  'valgrind',
  [
    '--tool=callgrind',
    `--callgrind-out-file=/tmp/issue10-cg-${c}-${n}.out`,
    process.execPath,
    '--single-threaded',
    'bench/tool-call-worker.ts',
    c!,
    n!,
    sink.url,
  ],
  {
    env: {
      ...process.env,
      BENCH_WARMUP: '20',
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      OTEL_METRIC_EXPORT_INTERVAL: '600000',
    },
    maxBuffer: 1e8,
  },
);
console.log(c, n, Date.now() - t, 'ms', /Collected : (\d+)/.exec(r.stderr)?.[1], sink.counts);
await sink.close();
