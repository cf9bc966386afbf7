// An npm cache holding exactly the packages examples/Dockerfile installs (`npm ci --omit=dev` of the
// kit's and the examples' lockfiles), keyed by both lockfiles. The compose test's Node.js image carries it
// (test/support/images/node.Dockerfile), so the examples' Dockerfile builds unchanged with no registry in
// reach: its `npm ci` is answered from this cache, as a user's is from the registry.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildAtomically, cacheRoot, repoRoot, shortHash } from './cache.ts';

const manifests = [
  'package.json',
  'package-lock.json',
  'examples/package.json',
  'examples/package-lock.json',
];

export function examplesNpmCachePath(): string {
  // The lockfiles alone decide what npm ci installs (each records its package.json's dependencies), so an
  // edit to package.json's scripts does not rebuild the cache.
  const lockfiles = manifests.filter((file) => file.endsWith('package-lock.json'));
  const key = shortHash(...lockfiles.map((file) => readFileSync(path.join(repoRoot, file), 'utf8')));
  return path.join(cacheRoot(), 'examples-npm-cache', key, '_cache');
}

export function provisionExamplesNpmCache(): string {
  const cache = examplesNpmCachePath();
  buildAtomically(path.dirname(cache), (scratch) => {
    console.log('[tools] caching the npm packages of examples/Dockerfile (first run only)');
    const project = path.join(scratch, 'project');
    mkdirSync(path.join(project, 'examples'), { recursive: true });
    for (const file of manifests) copyFileSync(path.join(repoRoot, file), path.join(project, file));
    // The same commands as examples/Dockerfile, into a cache of their own.
    const npmCi = [
      'ci',
      '--omit=dev',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      `--cache=${scratch}/_cache`,
    ];
    execFileSync('npm', npmCi, { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('npm', [...npmCi, '--prefix', 'examples'], {
      cwd: project,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    rmSync(project, { recursive: true, force: true });
    // npm keeps its logs beside the cache; they are no part of it.
    rmSync(path.join(scratch, '_cache', '_logs'), { recursive: true, force: true });
  });
  return cache;
}
