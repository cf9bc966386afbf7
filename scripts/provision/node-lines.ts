// The Node.js lines the published package supports beside the project's own 24 (the pinned `node`
// devDependency every npm script runs on): their binaries, from the npm registry's
// node-<platform>-<arch> packages (what the `node` package itself installs), cached outside the repo.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { buildAtomically, cacheRoot } from './cache.ts';

/** The newest release of each other line `engines` covers, pinned. */
export const OTHER_NODE_LINES = { '22': '22.23.3', '26': '26.10.0' } as const;
export type NodeLine = keyof typeof OTHER_NODE_LINES;

export function nodeLinePath(line: NodeLine): string {
  return path.join(cacheRoot(), 'node', OTHER_NODE_LINES[line], 'bin', 'node');
}

/** Each line's `node` binary, fetched once (a 50 MB package each). */
export function provisionNodeLines(): Record<NodeLine, string> {
  for (const [line, version] of Object.entries(OTHER_NODE_LINES) as [NodeLine, string][]) {
    buildAtomically(path.dirname(path.dirname(nodeLinePath(line))), (scratch) => {
      const spec = `node-${process.platform}-${process.arch}@${version}`;
      execFileSync('npm', ['pack', spec, '--pack-destination', scratch, '--silent'], { stdio: 'ignore' });
      const tarball = readdirSync(scratch).find((file) => file.endsWith('.tgz'));
      if (!tarball) throw new Error(`npm pack ${spec} wrote no tarball`);
      execFileSync('tar', ['-xzf', path.join(scratch, tarball), '-C', scratch, '--strip-components=1']);
    });
  }
  return Object.fromEntries(
    Object.keys(OTHER_NODE_LINES).map((line) => [line, nodeLinePath(line as NodeLine)]),
  ) as Record<NodeLine, string>;
}
