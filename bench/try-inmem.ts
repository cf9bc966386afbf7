import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startBenchSink } from './sink.ts';

const sink = await startBenchSink();
for (const c of process.argv.slice(2)) {
  const t = Date.now();
  try {
    const { stdout: out } = await promisify(execFile)(
      process.execPath,
      ['bench/tool-call-worker.ts', c, '1000', sink.url],
      { encoding: 'utf8', maxBuffer: 1e8 },
    );
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    console.log(
      c,
      Date.now() - t,
      'ms',
      r.startupMs.toFixed(0),
      r.cpuUsPerCall.toFixed(1),
      r.wallUsPerCall.toFixed(1),
      (r.rssBytes / 2 ** 20).toFixed(0),
      'spans',
      sink.counts.toolCallSpans,
      sink.counts.requests,
    );
  } catch (e) {
    console.log(c, 'FAILED', String(e).slice(0, 2000));
  }
  sink.reset();
}
await sink.close();
