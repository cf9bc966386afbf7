// Pseudonyms are keyed HMACs that join within a key period and cannot be linked across periods or keys.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PSEUDONYM_FORMAT, Pseudonymizer } from '../../src/privacy/pseudonymizer.ts';

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
