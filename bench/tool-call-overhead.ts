// `npm run bench`: the per-call cost of a tools/call over the in-memory transport, plain versus the
// kit's default setup (exporting to a local OTLP endpoint, so export cost is included), in interleaved
// ABBA pairs of separate processes. Prints a table and, last, a JSON summary line.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const pairs = Number(process.env.BENCH_PAIRS ?? (process.argv.includes('--quick') ? 2 : 10));
const calls = process.argv.includes('--quick') ? '1000' : '3000';

// A loopback OTLP endpoint that accepts and discards, standing in for the collector.
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

interface Sample {
  mode: string;
  wallUsPerCall: number;
  cpuUsPerCall: number;
}

function run(mode: 'plain' | 'kit'): Promise<Sample> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(import.meta.dirname, 'tool-call-worker.ts'), mode, calls],
      {
        env: {
          ...process.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          MCP_KIT_PSEUDONYM_KEY: 'bench-key-0123456789abcdef0123456789',
        },
      },
      (error, stdout) =>
        error ? reject(error) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Sample),
    );
  });
}

const samples: Record<'plain' | 'kit', Sample[]> = { plain: [], kit: [] };
for (let pair = 0; pair < pairs; pair++) {
  const order: ('plain' | 'kit')[] = pair % 2 === 0 ? ['plain', 'kit'] : ['kit', 'plain'];
  for (const mode of order) samples[mode].push(await run(mode));
}
sink.close();

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const plainWall = median(samples.plain.map((s) => s.wallUsPerCall));
const kitWall = median(samples.kit.map((s) => s.wallUsPerCall));
const plainCpu = median(samples.plain.map((s) => s.cpuUsPerCall));
const kitCpu = median(samples.kit.map((s) => s.cpuUsPerCall));
const summary = {
  benchmark: 'tools/call over in-memory transport, MCP SDK 1.x',
  pairs,
  callsPerRun: Number(calls),
  plainWallUsPerCall: Number(plainWall.toFixed(1)),
  kitWallUsPerCall: Number(kitWall.toFixed(1)),
  wallRatio: Number((kitWall / plainWall).toFixed(3)),
  addedCpuUsPerCall: Number((kitCpu - plainCpu).toFixed(1)),
};

const table = [
  '| setup | wall µs/call (median) | CPU µs/call (median) |',
  '|---|---|---|',
  `| plain | ${plainWall.toFixed(1)} | ${plainCpu.toFixed(1)} |`,
  `| kit default | ${kitWall.toFixed(1)} | ${kitCpu.toFixed(1)} |`,
  `| ratio kit/plain | ${(kitWall / plainWall).toFixed(3)} | ${(kitCpu / plainCpu).toFixed(3)} |`,
].join('\n');
const results = path.join(import.meta.dirname, 'results');
mkdirSync(results, { recursive: true });
writeFileSync(path.join(results, 'tool-call-overhead.md'), `${table}\n`);
writeFileSync(
  path.join(results, 'tool-call-overhead.json'),
  `${JSON.stringify({ summary, samples }, null, 2)}\n`,
);
console.log(table);
console.log(JSON.stringify(summary));
