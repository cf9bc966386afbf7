// The README's `.env` recipe, as code: .env.example copied, each secret docker-compose.yml requires
// (`${NAME:?...}`) given its own long random value (32 random bytes, hex), every other line kept. Used by
// `npm run stack` for a user's first start and by the compose tests, so both start the stack the way the
// README tells a user to.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './provision/cache.ts';

/** The secrets docker-compose.yml refuses to start without. */
export function requiredSecrets(): string[] {
  const compose = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
  return [...new Set([...compose.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((match) => match[1] as string))];
}

/** Writes `file` from .env.example with fresh secrets; `overrides` replace values (tests only). */
export function writeEnvFile(file: string, overrides: Record<string, string> = {}): string {
  const required = new Set(requiredSecrets());
  const example = readFileSync(path.join(repoRoot, '.env.example'), 'utf8');
  const lines = example.split('\n').map((line) => {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) return line;
    const [, name, value] = match as unknown as [string, string, string];
    if (name in overrides) return `${name}=${overrides[name]}`;
    return value === '' && required.has(name) ? `${name}=${randomBytes(32).toString('hex')}` : line;
  });
  writeFileSync(file, lines.join('\n'), { mode: 0o600 });
  return file;
}
