// The MCP SDK versions a user may install beside the kit exclude those with published advisories: a
// server on them would be open however good its telemetry is.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/provision/cache.ts';

/** Advisories of @modelcontextprotocol/sdk 1.x and the release that fixed each. */
const ADVISORIES = [
  { id: 'CVE-2025-66414 (DNS rebinding protection off by default)', fixedIn: '1.24.0' },
  { id: 'CVE-2026-0621 / GHSA-8r9q-7v3j-jr4g (ReDoS in UriTemplate)', fixedIn: '1.25.2' },
  { id: 'CVE-2026-25536 / GHSA-345p-7cg4-v4c7 (cross-client data leak)', fixedIn: '1.26.0' },
];

const parts = (version: string) => version.split('.').map(Number);
const atLeast = (version: string, floor: string) => {
  const [a, b] = [parts(version), parts(floor)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
};

describe('the MCP SDK peer range', () => {
  it('starts at a release that has every published advisory fixed', () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      peerDependencies: Record<string, string>;
    };
    const range = manifest.peerDependencies['@modelcontextprotocol/sdk'] ?? '';
    const floor = /^\^(\d+\.\d+\.\d+)$/.exec(range)?.[1];
    expect(floor, `a caret range, got ${range}`).toBeDefined();
    expect(ADVISORIES.filter((advisory) => !atLeast(String(floor), advisory.fixedIn))).toEqual([]);
  });
});
