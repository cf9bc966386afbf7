// The examples' container images carry runtime dependencies only (issue #27): the kit's and the
// examples' own, at the versions the tests run, and every package the examples and the kit import is
// among them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/provision/cache.ts';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');
const json = (file: string) => JSON.parse(read(file));
const rootLock = json('package-lock.json') as { packages: Record<string, { version?: string }> };
const root = json('package.json') as { dependencies: Record<string, string> };
const examples = json('examples/package.json') as { dependencies: Record<string, string> };
const examplesLock = json('examples/package-lock.json') as {
  packages: Record<string, { dependencies?: Record<string, string> }>;
};

/** Packages a folder's TypeScript imports at run time (type imports vanish; dynamic ones are optional bridges). */
function importedPackages(folder: string): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.ts'))
        for (const [, name = ''] of read(relative).matchAll(/^import (?!type )[^;]*?from '([^.'][^']*)'/gms))
          if (!name.startsWith('node:'))
            found.add(
              name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] ?? name),
            );
    }
  };
  walk(folder);
  return found;
}

describe('the examples’ images', () => {
  it('install runtime dependencies only, the kit’s and the examples’ own', () => {
    const dockerfile = read('examples/Dockerfile');
    expect(dockerfile).toMatch(/npm ci --omit=dev /);
    expect(dockerfile).toMatch(/npm ci --prefix examples --omit=dev /);
    expect(dockerfile).not.toMatch(/npm (ci|install)(?![^\n]*--omit=dev)/);
  });

  it('pin the examples’ dependencies at the versions the tests run, and lock them', () => {
    for (const [name, version] of Object.entries(examples.dependencies)) {
      expect(version, name).toBe(rootLock.packages[`node_modules/${name}`]?.version);
      expect(examplesLock.packages['']?.dependencies?.[name], `examples/package-lock.json: ${name}`).toBe(
        version,
      );
    }
  });

  it('hold every package the examples and the kit import', () => {
    const available = new Set([...Object.keys(root.dependencies), ...Object.keys(examples.dependencies)]);
    const imported = new Set([...importedPackages('examples'), ...importedPackages('src')]);
    expect([...imported].filter((name) => !available.has(name)).sort()).toEqual([]);
  });
});
