// The figures a fault scenario measured: printed with the test output and written as one JSON file per
// scenario, so `npm run faults` can render docs/reliability.md from the run that produced them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { modeName } from './mode.ts';

export interface ScenarioFigures {
  /** Table order, e.g. 1. */
  order: number;
  scenario: string;
  /** Spans (or calls, or alerts) sent and received, and what happened to the difference. */
  sent?: number;
  received?: number;
  deliveredPercent?: number;
  countedDrops?: number;
  duplicates?: number;
  rssGrowthMiB?: number;
  latencyP99Ratio?: number;
  recoverySeconds?: number;
  /** Anything else worth a line in the table. */
  notes: string;
}

/** Where scenario figures are written: MCP_KIT_FAULTS_RESULTS, or a folder under the system tmp. */
export function figuresDir(): string {
  return process.env.MCP_KIT_FAULTS_RESULTS ?? path.join(tmpdir(), 'mcp-kit-faults');
}

export function recordFigures(id: string, figures: ScenarioFigures): void {
  const dir = figuresDir();
  mkdirSync(dir, { recursive: true });
  const record = { ...figures, mode: modeName, measuredAt: new Date().toISOString() };
  writeFileSync(path.join(dir, `${id}.json`), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`[faults] ${id} (${modeName}): ${JSON.stringify(record)}`);
}

/** Percent with enough digits to tell 99.9 from 100. */
export function percent(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.floor((part / whole) * 100_000) / 1000;
}

/** The q-quantile (0..1) of a list of numbers, nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
