// Where provisioned binaries live: outside the repo, keyed by what determines each build, so a fresh
// clone reuses them and a changed pin rebuilds. MCP_KIT_CACHE overrides the location.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

export function cacheRoot(): string {
  const base =
    process.env.MCP_KIT_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'mcp-telemetry-kit');
  mkdirSync(base, { recursive: true });
  return base;
}

export function shortHash(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds into a scratch folder beside `target` and renames it into place only when `build` succeeds,
 * so an interrupted build never leaves a half-filled cache entry that later runs would trust.
 */
export function buildAtomically(target: string, build: (scratch: string) => void): void {
  if (existsSync(target)) return;
  const scratch = `${target}.partial-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    build(scratch);
    renameSync(scratch, target);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
