import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startBenchSink } from './sink.ts';

const sink = await startBenchSink({ keepTraces: true });
const t = Date.now();
await promisify(execFile)(process.execPath, ['bench/capture-spans.ts', sink.url, '10'], {
  env: { ...process.env, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '100', OTEL_BSP_SCHEDULE_DELAY: '200' },
}).catch((e) => console.log(e));
console.log(
  Date.now() - t,
  sink.traces.length,
  sink.traces.map((t) => t.spans),
  sink.traces.map((t) => t.body.length),
);
const { decodeOtlpRequest } = await import('../test/support/sinks/otlp/decode.ts');
const names = new Map<string, number>();
for (const t of sink.traces)
  for (const s of decodeOtlpRequest('traces', t.body, t.contentType).spans)
    names.set(s.name, (names.get(s.name) ?? 0) + 1);
console.log(names);
await sink.close();
