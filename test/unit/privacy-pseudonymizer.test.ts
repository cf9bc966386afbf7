// Pseudonyms are keyed HMACs that join within a key period and cannot be linked across periods or keys.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PSEUDONYM_FORMAT,
  Pseudonymizer,
  PseudonymKeyError,
  pseudonymSecret,
} from '../../src/privacy/pseudonymizer.ts';

const day = 24 * 60 * 60 * 1000;

describe('the pseudonymizer', () => {
  it('maps the same id to the same pseudonym within a period', () => {
    let now = 10 * day + 1000;
    const pseudonymizer = new Pseudonymizer({ secret: 'k'.repeat(32), now: () => now });
    const first = pseudonymizer.pseudonym('session', 'abc');
    now += day / 2;
    expect(pseudonymizer.pseudonym('session', 'abc')).toBe(first);
    expect(first).toMatch(PSEUDONYM_FORMAT);
  });

  it('rotates: the next period gives an unlinkable pseudonym', () => {
    let now = 10 * day;
    const pseudonymizer = new Pseudonymizer({ secret: 'k'.repeat(32), now: () => now });
    const today = pseudonymizer.pseudonym('principal', 'sub_1');
    now += day;
    expect(pseudonymizer.pseudonym('principal', 'sub_1')).not.toBe(today);
  });

  it('depends on the secret and the kind, and is not a plain hash', () => {
    const a = new Pseudonymizer({ secret: 'a'.repeat(32), now: () => 0 });
    const b = new Pseudonymizer({ secret: 'b'.repeat(32), now: () => 0 });
    expect(a.pseudonym('session', 'A113716303')).not.toBe(b.pseudonym('session', 'A113716303'));
    expect(a.pseudonym('session', 'x')).not.toBe(a.pseudonym('principal', 'x'));
    const plain = createHash('sha256').update('A113716303').digest('base64url').slice(0, 22);
    expect(a.pseudonym('session', 'A113716303')).not.toContain(plain);
  });
});

describe('the pseudonym key', () => {
  const key = 'x'.repeat(32);

  it('is required: with none configured the kit refuses to start, saying how to set one', () => {
    expect(() => pseudonymSecret({}, {})).toThrow(PseudonymKeyError);
    expect(() => pseudonymSecret({}, {})).toThrow(/MCP_KIT_PSEUDONYM_KEY or MCP_KIT_PSEUDONYM_KEY_FILE/);
  });

  it('must hold at least 32 bytes, so pseudonyms of guessable ids cannot be brute-forced back to the key', () => {
    expect(() => pseudonymSecret({ secret: 'k' }, {})).toThrow(/1 bytes; at least 32/);
    expect(() => pseudonymSecret({}, { MCP_KIT_PSEUDONYM_KEY: 'k'.repeat(31) })).toThrow(PseudonymKeyError);
    expect(pseudonymSecret({}, { MCP_KIT_PSEUDONYM_KEY: key }).toString()).toBe(key);
  });

  it('is read from the file MCP_KIT_PSEUDONYM_KEY_FILE names (a mounted secret), without its newline', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kit-key-')), 'key');
    writeFileSync(file, `${key}\n`);
    expect(pseudonymSecret({}, { MCP_KIT_PSEUDONYM_KEY_FILE: file }).toString()).toBe(key);
    const missing = `${file}.missing`;
    expect(() => pseudonymSecret({}, { MCP_KIT_PSEUDONYM_KEY_FILE: missing })).toThrow(
      /cannot read .*ENOENT/,
    );
  });

  it('is random per process only when ephemeral pseudonyms are asked for explicitly', () => {
    const a = pseudonymSecret({}, { MCP_KIT_EPHEMERAL_PSEUDONYMS: 'true' });
    const b = pseudonymSecret({ ephemeral: true }, {});
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(false);
  });

  it('never appears in the error', () => {
    const short = 'secret-but-short';
    expect(() => pseudonymSecret({ secret: short }, {})).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(short) }),
    );
  });
});
