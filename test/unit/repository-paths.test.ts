// A clone stands on its own: nothing in the repository reads a path outside it (the privacy corpus once
// came from ../shared, which a user's clone does not have). Every relative path written in the code,
// resolved from its file and, when it is not a module specifier, from the repository root too (where
// `path.resolve(repoRoot, '../x')` takes it), stays inside the repository.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/provision/cache.ts';

const FOLDERS = ['src', 'test', 'scripts', 'bench', 'examples', '.ci'];
const CODE = /\.(?:ts|mts|js|mjs|cjs|py|sh|ya?ml|json)$|^run$/;
/** A quoted path that climbs: '../…', "../…" or `../…`. */
const CLIMBING = /(['"`])(\.\.\/[^'"`\s]*)\1/g;
/** What comes before a path relative to its own file: a module specifier, or a join to its folder. */
const FILE_RELATIVE_BEFORE =
  /(?:\bfrom|\bimport\s*\(|\brequire\s*\(|\bnew URL\s*\(|\bimport|\b(?:import\.meta\.)?_{0,2}dirname\s*,)\s*$/;

function files(folder: string): string[] {
  return (
    readdirSync(path.join(repoRoot, folder), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && CODE.test(entry.name))
      .map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)))
      .filter((file) => !file.split(path.sep).includes('node_modules'))
      // This file writes climbing paths as examples of what it looks for.
      .filter((file) => file !== path.join('test', 'unit', 'repository-paths.test.ts'))
  );
}

const inside = (target: string) => !path.relative(repoRoot, target).startsWith('..');

describe('the repository', () => {
  it('reads no path outside itself', () => {
    const escapes: string[] = [];
    for (const file of FOLDERS.flatMap(files)) {
      const text = readFileSync(path.join(repoRoot, file), 'utf8');
      for (const match of text.matchAll(CLIMBING)) {
        const literal = match[2] ?? '';
        const fromFile = path.resolve(repoRoot, path.dirname(file), literal);
        const fileRelative = FILE_RELATIVE_BEFORE.test(
          text.slice(Math.max(0, (match.index ?? 0) - 20), match.index),
        );
        if (!inside(fromFile) || (!fileRelative && !inside(path.resolve(repoRoot, literal))))
          escapes.push(`${file}: ${literal}`);
      }
    }
    expect(escapes).toEqual([]);
  });
});
