import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { startBenchSink } from './sink.ts';

const sink = await startBenchSink();
const [c = 'kit', n = '5000'] = process.argv.slice(2);
rmSync('/tmp/issue10-prof', { recursive: true, force: true });
const r = await promisify(execFile)(
  process.execPath,
  ['--cpu-prof', '--cpu-prof-dir=/tmp/issue10-prof', 'bench/tool-call-worker.ts', c, n, sink.url],
  { maxBuffer: 1e8 },
);
console.log('cpu/call', /cpuUsPerCall":([0-9.]+)/.exec(r.stdout)?.[1]);
await sink.close();
const file = readdirSync('/tmp/issue10-prof')[0]!;
const prof = JSON.parse(readFileSync(`/tmp/issue10-prof/${file}`, 'utf8'));
const self = new Map<number, number>();
const dt: number[] = prof.timeDeltas;
const samples: number[] = prof.samples;
for (let i = 0; i < samples.length; i++) self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (dt[i] ?? 0));
const byNode = new Map<number, any>(prof.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const ch of n.children ?? []) parent.set(ch, n.id);
const agg = new Map<string, number>();
const incl = new Map<string, number>();
for (const [id, t] of self) {
  const n = byNode.get(id);
  const cf = n.callFrame;
  const key = `${cf.functionName || '(anon)'} ${cf.url.replace(/.*node_modules\//, 'nm/').replace(/.*issue-10\//, '')}:${cf.lineNumber}`;
  agg.set(key, (agg.get(key) ?? 0) + t);
  const seen = new Set<string>();
  let cur: number | undefined = id;
  while (cur !== undefined) {
    const m = byNode.get(cur);
    const f = m.callFrame;
    const k = `${f.functionName || '(anon)'} ${f.url.replace(/.*node_modules\//, 'nm/').replace(/.*issue-10\//, '')}:${f.lineNumber}`;
    if (!seen.has(k)) {
      incl.set(k, (incl.get(k) ?? 0) + t);
      seen.add(k);
    }
    cur = parent.get(cur);
  }
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log('SELF');
for (const [k, t] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 35))
  console.log(((t / total) * 100).toFixed(1).padStart(5), k);
console.log('INCLUSIVE');
for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 70))
  if (/src\/|nm\/@opentelemetry|nm\/@modelcontext/.test(k))
    console.log(((t / total) * 100).toFixed(1).padStart(5), k);
