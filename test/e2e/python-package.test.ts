// The kit's Python package (python/) under its own tests, pytest in the venv npm run tools makes: the
// privacy core agrees with the TypeScript library on every shared vector (test/vectors/privacy.json), and
// its span and log processors hand the exporters only sanitized copies.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { requireTools } from '../support/tools.ts';

describe('the Python package', () => {
  it('passes its pytest suite, every shared privacy vector included', () => {
    const output = execFileSync(
      requireTools().python,
      ['-m', 'pytest', 'tests', '-q', '-p', 'no:cacheprovider'],
      {
        cwd: path.join(repoRoot, 'python'),
        env: { PATH: process.env.PATH ?? '', PYTHONPATH: 'src', PYTHONDONTWRITEBYTECODE: '1' },
        encoding: 'utf8',
      },
    );
    const passed = Number(/(\d+) passed/.exec(output)?.[1] ?? 0);
    console.log(`python package: ${passed} pytest cases passed`);
    expect(output).not.toMatch(/\d+ (?:failed|errors?)\b/);
    expect(passed).toBeGreaterThan(400);
  });
});
