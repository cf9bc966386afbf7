// The lookup ledger tells a caller's first lookup of a target from a repeat, per caller and per
// pseudonym period, within fixed memory, and a failing application hook costs the call nothing.
import { describe, expect, it } from 'vitest';
import { LookupLedger, lookupTargets } from '../../src/mcp/lookups.ts';
import { Pseudonymizer } from '../../src/privacy/pseudonymizer.ts';

const day = 24 * 60 * 60 * 1000;

describe('LookupLedger', () => {
  it('says new the first time a principal looks a target up, repeat afterwards', () => {
    const ledger = new LookupLedger(new Pseudonymizer({ secret: 'k'.repeat(32) }));
    expect(ledger.record('ps_a', 'n:ana|perez|mexico')).toBe('new');
    expect(ledger.record('ps_a', 'n:ana|perez|mexico')).toBe('repeat');
    expect(ledger.record('ps_b', 'n:ana|perez|mexico')).toBe('new');
  });

  it('forgets everything when the pseudonym period rotates', () => {
    let now = 0;
    const ledger = new LookupLedger(new Pseudonymizer({ secret: 'k'.repeat(32), now: () => now }));
    expect(ledger.record('ps_a', 'a:123456789')).toBe('new');
    now += day;
    expect(ledger.record('ps_a', 'a:123456789')).toBe('new');
  });

  it('stays within its bounds, forgetting the oldest first', () => {
    const ledger = new LookupLedger(new Pseudonymizer({ secret: 'k'.repeat(32) }), {
      principals: 2,
      targetsPerPrincipal: 3,
    });
    for (const target of ['1', '2', '3', '4']) ledger.record('ps_a', target);
    expect(ledger.record('ps_a', '1')).toBe('new'); // evicted by the fourth
    expect(ledger.record('ps_a', '4')).toBe('repeat');
    ledger.record('ps_b', 'x');
    ledger.record('ps_c', 'x'); // evicts ps_a
    expect(ledger.record('ps_a', '4')).toBe('new');
  });
});

describe('lookupTargets', () => {
  it('takes one key, several, or none, and never throws', () => {
    expect(lookupTargets((args) => String(args.id), { id: 7 })).toEqual(['7']);
    expect(lookupTargets((args) => args.ids as string[], { ids: ['a', '', 'b'] })).toEqual(['a', 'b']);
    expect(lookupTargets(undefined, { id: 7 })).toEqual([]);
    expect(
      lookupTargets(() => {
        throw new Error('bug in the application hook');
      }, {}),
    ).toEqual([]);
  });
});
