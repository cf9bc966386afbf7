// Runs the fault suite (test/e2e/faults) and writes the figures it measured into docs/reliability.md.
//
//   npm run faults [-- --long] [vitest args...]
//   npm run faults -- --from DIR [--from DIR2]   (render earlier runs' figures without running)
//
// Short mode is the one `npm test` also runs (seconds per phase); --long sets FAULTS_LONG=1 for full
// durations (minutes per phase). Each scenario writes its figures as JSON (test/support/faults/figures.ts)
// into a fresh folder; this script renders them as the table between the markers in docs/reliability.md,
// and leaves the table alone when a scenario failed, so the document never shows figures of a broken run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ScenarioFigures } from '../test/support/faults/figures.ts';
import { repoRoot } from './provision/cache.ts';

const args = process.argv.slice(2);
const long = args.includes('--long');
const from = args.flatMap((arg, index) => (args[index - 1] === '--from' ? [arg] : []));
const vitestArgs = args.filter(
  (arg, index) => arg !== '--long' && arg !== '--from' && args[index - 1] !== '--from',
);

function runSuite(): string {
  const results = mkdtempSync(path.join(tmpdir(), 'mcp-kit-faults-'));
  const run = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'scripts/isolated.ts'), 'vitest', 'run', 'test/e2e/faults', ...vitestArgs],
    {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...process.env, MCP_KIT_FAULTS_RESULTS: results, ...(long ? { FAULTS_LONG: '1' } : {}) },
    },
  );
  if (run.status !== 0) {
    console.error(`fault suite failed (exit ${run.status}); docs/reliability.md left as it was`);
    process.exit(run.status ?? 1);
  }
  return results;
}

type Figures = ScenarioFigures & { mode: string; measuredAt: string };
const figures = (from.length > 0 ? from : [runSuite()])
  .flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Figures),
  )
  .sort((a, b) => a.order - b.order || a.mode.localeCompare(b.mode));

const cell = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
function renderTable(rows: Figures[]): string {
  const header =
    '| # | scenario | mode | sent | received | delivered % | counted drops | duplicates | RSS growth (MiB) | p99 latency ratio | time to recover (s) | notes |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|---|';
  const lines = rows.map(
    (row) =>
      `| ${row.order} | ${row.scenario} | ${row.mode} | ${cell(row.sent)} | ${cell(row.received)} | ` +
      `${cell(row.deliveredPercent, 3)} | ${cell(row.countedDrops)} | ${cell(row.duplicates)} | ` +
      `${cell(row.rssGrowthMiB, 1)} | ${cell(row.latencyP99Ratio, 2)} | ${cell(row.recoverySeconds, 1)} | ` +
      `${row.notes.replaceAll('|', '\\|')} |`,
  );
  return [header, ...lines].join('\n');
}

const doc = path.join(repoRoot, 'docs/reliability.md');
const text = readFileSync(doc, 'utf8');
const begin = '<!-- figures:begin -->';
const end = '<!-- figures:end -->';
const modes = [...new Set(figures.map((row) => row.mode))].join(' and ');
const stamp =
  `Measured by \`npm run faults\` (${modes} mode; the mode column tells each row's) on ` +
  `${figures[0]?.measuredAt.slice(0, 10) ?? 'n/a'}, on the shared 2-core development machine under load from other work.`;
const updated = text.replace(
  new RegExp(`${begin}[\\s\\S]*${end}`),
  `${begin}\n${stamp}\n\n${renderTable(figures)}\n${end}`,
);
writeFileSync(doc, updated);
console.log(JSON.stringify({ modes, rows: figures.length, doc: 'docs/reliability.md' }));
