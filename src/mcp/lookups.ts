// Who looks up how many different people: the signal behind enumeration alerts (the kit detects and
// alerts on bulk enumeration of people; it never enumerates). A tool names its lookup targets through its policy's `lookupKeys`;
// the kit keeps each target only as a keyed pseudonym, in memory, per principal and per pseudonym
// period, to tell a first lookup from a repeat. Only that verdict (new | repeat) is exported.
import type { Pseudonymizer } from '../privacy/pseudonymizer.ts';

export type LookupNovelty = 'new' | 'repeat';

/** Bounds that keep the ledger's memory fixed whatever the traffic (about 100 bytes a remembered target). */
export interface LookupLedgerLimits {
  principals: number;
  targetsPerPrincipal: number;
}

const DEFAULT_LIMITS: LookupLedgerLimits = { principals: 1_000, targetsPerPrincipal: 10_000 };

export class LookupLedger {
  // Insertion-ordered Map and Sets, evicting the oldest entry when full: a bounded first-in-first-out
  // memory is all this needs, so no cache library is added to every user's dependencies for it.
  private readonly seen = new Map<string, Set<string>>();

  private readonly pseudonymizer: Pseudonymizer;
  private readonly limits: LookupLedgerLimits;

  constructor(pseudonymizer: Pseudonymizer, limits: LookupLedgerLimits = DEFAULT_LIMITS) {
    this.pseudonymizer = pseudonymizer;
    this.limits = limits;
  }

  /** Records one lookup of `target` by the principal with pseudonym `principal`, and says if it is new. */
  record(principal: string, target: string): LookupNovelty {
    let targets = this.seen.get(principal);
    if (!targets) {
      if (this.seen.size >= this.limits.principals) this.seen.delete(this.seen.keys().next().value as string);
      targets = new Set();
      this.seen.set(principal, targets);
    }
    // Keyed by the principal too, so two principals' ledgers cannot be compared.
    const key = this.pseudonymizer.pseudonym('lookup', `${principal}\0${target}`);
    if (targets.has(key)) return 'repeat';
    if (targets.size >= this.limits.targetsPerPrincipal)
      targets.delete(targets.values().next().value as string);
    targets.add(key);
    return 'new';
  }
}

/** The lookup targets a policy's hook names for some arguments; a failing hook names none. */
export function lookupTargets(
  hook: ((args: Record<string, unknown>) => Iterable<string> | string | undefined) | undefined,
  args: unknown,
): string[] {
  if (!hook || typeof args !== 'object' || args === null) return [];
  try {
    const targets = hook(args as Record<string, unknown>);
    if (targets === undefined) return [];
    return (typeof targets === 'string' ? [targets] : [...targets]).filter(
      (target) => typeof target === 'string' && target.length > 0,
    );
  } catch {
    return []; // the application's hook must never break the call it observes
  }
}
