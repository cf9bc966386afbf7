import { benchHttp } from './http.ts';
import { startBenchSink } from './sink.ts';

const sink = await startBenchSink();
const r = await benchHttp({
  rounds: 1,
  seed: 's',
  sink,
  core: 1,
  rate: 300,
  warmupMs: 1000,
  rateMs: 3000,
  saturationMs: 2000,
  concurrency: 16,
  log: console.log,
});
for (const [k, v] of Object.entries(r.contenders)) console.log(k, JSON.stringify(v));
await sink.close();
