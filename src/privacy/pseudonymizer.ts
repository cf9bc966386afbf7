// Keyed pseudonyms (DESIGN.md §4.2): HMAC-SHA256 under a key derived for the current period from a
// secret. Within a period the same id always maps to the same pseudonym, so records join; across
// periods, or without the secret, they cannot be linked or reversed. A plain hash is never used: an
// A-number has only 10^9 values and would be reversed by enumeration.
import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { diag } from '@opentelemetry/api';

export interface PseudonymizerOptions {
  /** The secret (at least 32 bytes of entropy). Missing: one is generated per process, with a warning. */
  secret?: string | undefined;
  /** Key rotation period in milliseconds; default one day (UTC). */
  rotationMs?: number | undefined;
  now?: () => number;
}

/**
 * Kinds whose pseudonyms are remembered for the period: the same session and principal ids come back on
 * every request of a connection, and an HMAC costs far more than a lookup. Their raw ids are held by the
 * transport and the identify hook anyway. Lookup targets are never remembered raw (src/mcp/lookups.ts).
 */
const REMEMBERED_KINDS = new Set(['session', 'principal']);
const REMEMBERED_MAX = 10_000;

/** A pseudonym looks like `ps_` + 22 base64url characters (128 bits of the HMAC). */
export const PSEUDONYM_FORMAT = /^ps_[A-Za-z0-9_-]{22}$/;

export class Pseudonymizer {
  private readonly secret: Buffer;
  private readonly rotationMs: number;
  private readonly now: () => number;
  /** The period's HMAC key as a KeyObject: built once, not on every createHmac. */
  private periodKey: { period: number; key: KeyObject } | undefined;
  private readonly remembered = new Map<string, string>();

  constructor(options: PseudonymizerOptions = {}) {
    if (options.secret) {
      this.secret = Buffer.from(options.secret, 'utf8');
    } else {
      this.secret = randomBytes(32);
      diag.warn(
        'mcp-telemetry-kit: no pseudonym key configured (MCP_KIT_PSEUDONYM_KEY); using a random per-process key, ' +
          'so pseudonyms will not join across processes or restarts.',
      );
    }
    this.rotationMs = options.rotationMs ?? 24 * 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  /** The current key period: pseudonyms computed in another period differ. */
  period(): number {
    return Math.floor(this.now() / this.rotationMs);
  }

  private keyForNow(): KeyObject {
    const period = this.period();
    if (this.periodKey?.period !== period) {
      const key = createHmac('sha256', this.secret).update(`period:${period}`).digest();
      this.periodKey = { period, key: createSecretKey(key) };
      this.remembered.clear();
    }
    return this.periodKey.key;
  }

  /** The pseudonym of `id` in the current period; `kind` separates namespaces (session, principal). */
  pseudonym(kind: string, id: string): string {
    const key = this.keyForNow();
    const remember = REMEMBERED_KINDS.has(kind);
    const input = `${kind}\0${id}`;
    if (remember) {
      const known = this.remembered.get(input);
      if (known !== undefined) return known;
    }
    const digest = createHmac('sha256', key).update(input).digest();
    const pseudonym = `ps_${digest.subarray(0, 16).toString('base64url')}`;
    if (remember) {
      if (this.remembered.size >= REMEMBERED_MAX)
        this.remembered.delete(this.remembered.keys().next().value as string);
      this.remembered.set(input, pseudonym);
    }
    return pseudonym;
  }
}
