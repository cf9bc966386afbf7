// The examples' secrets may live in files (`<NAME>_FILE`), as the compose stack keeps them: out of the
// process environment that `docker inspect` shows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokensFromEnvironment } from '../../examples/detainee-locator/server.ts';
import { envSecret } from '../../examples/env-secret.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'mcpkit-env-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function secretFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('a secret setting', () => {
  it('comes from the file its _FILE variable names, without the trailing newline', () => {
    const file = secretFile('token', 'from-the-file-0123456789\n');
    expect(envSecret('TRAFFIC_TOKEN', { TRAFFIC_TOKEN_FILE: file })).toBe('from-the-file-0123456789');
  });

  it('takes the variable over the file when both are set, and is undefined when neither is', () => {
    const file = secretFile('both', 'from-the-file');
    expect(envSecret('TRAFFIC_TOKEN', { TRAFFIC_TOKEN: 'from-env', TRAFFIC_TOKEN_FILE: file })).toBe(
      'from-env',
    );
    expect(envSecret('TRAFFIC_TOKEN', {})).toBeUndefined();
  });

  it('names the variable and the file in one line when the file cannot be read', () => {
    const file = path.join(dir, 'absent');
    expect(() => envSecret('LOCATOR_TOKENS', { LOCATOR_TOKENS_FILE: file })).toThrow(
      `LOCATOR_TOKENS_FILE: cannot read ${file} (ENOENT)`,
    );
  });
});

describe('the reference server’s callers', () => {
  it('are read from LOCATOR_TOKENS_FILE as from LOCATOR_TOKENS, pools included', () => {
    const spec = 'agents*3:pool-secret-0123456789abcdef,prober:prober-secret-0123456789';
    const file = secretFile('locator-tokens', `${spec}\n`);
    const fromFile = tokensFromEnvironment({ LOCATOR_TOKENS_FILE: file });
    expect(fromFile).toEqual(tokensFromEnvironment({ LOCATOR_TOKENS: spec }));
    expect(Object.keys(fromFile).sort()).toEqual(['agents-1', 'agents-2', 'agents-3', 'prober']);
  });
});
