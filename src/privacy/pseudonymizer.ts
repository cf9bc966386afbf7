// Keyed pseudonyms: HMAC-SHA256 under a key derived for the current period from a
// secret. Within a period the same id always maps to the same pseudonym, so records join; across
// periods, or without the secret, they cannot be linked or reversed. A plain hash is never used: an
// A-number has only 10^9 values and would be reversed by enumeration.
import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { diag } from '@opentelemetry/api';

export interface PseudonymizerOptions {
  /**
   * The secret, at least 32 bytes. Missing: MCP_KIT_PSEUDONYM_KEY, else the file MCP_KIT_PSEUDONYM_KEY_FILE
   * names; with neither, the kit refuses to start unless ephemeral pseudonyms are asked for.
   */
  secret?: string | undefined;
  /**
   * A random key per process (MCP_KIT_EPHEMERAL_PSEUDONYMS=true): pseudonyms then differ per replica and
   * per restart, so enumeration counts split. For a demo or a test, never by accident.
   */
  ephemeral?: boolean | undefined;
  /** Key rotation period in milliseconds; default one day (UTC). */
  rotationMs?: number | undefined;
  now?: () => number;
}

/** A key shorter than this could be brute-forced from pseudonyms of guessable ids. */
export const MIN_KEY_BYTES = 32;

/** Why the kit cannot pseudonymise: said in one line, with no key material in it. */
export class PseudonymKeyError extends Error {
  override name = 'PseudonymKeyError';
}

/**
 * The secret to key pseudonyms with: the option, MCP_KIT_PSEUDONYM_KEY or MCP_KIT_PSEUDONYM_KEY_FILE (a
 * Docker or Kubernetes secret; one trailing newline ignored), of at least 32 bytes; or a random one when
 * ephemeral pseudonyms are asked for. Anything else throws: a missing or short key is not a default.
 */
export function pseudonymSecret(
  options: Pick<PseudonymizerOptions, 'secret' | 'ephemeral'>,
  env: NodeJS.ProcessEnv = process.env,
): Buffer {
  let secret: Buffer | undefined;
  let source = 'the pseudonym key';
  if (options.secret) secret = Buffer.from(options.secret, 'utf8');
  else if (env.MCP_KIT_PSEUDONYM_KEY) {
    secret = Buffer.from(env.MCP_KIT_PSEUDONYM_KEY, 'utf8');
    source = 'MCP_KIT_PSEUDONYM_KEY';
  } else if (env.MCP_KIT_PSEUDONYM_KEY_FILE) {
    source = `MCP_KIT_PSEUDONYM_KEY_FILE (${env.MCP_KIT_PSEUDONYM_KEY_FILE})`;
    try {
      secret = Buffer.from(
        readFileSync(env.MCP_KIT_PSEUDONYM_KEY_FILE, 'utf8').replace(/\r?\n$/, ''),
        'utf8',
      );
    } catch (error) {
      throw new PseudonymKeyError(
        `mcp-telemetry-kit: cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      );
    }
  }
  if (!secret || secret.length === 0) {
    if (options.ephemeral ?? env.MCP_KIT_EPHEMERAL_PSEUDONYMS?.trim().toLowerCase() === 'true') {
      diag.warn('mcp-telemetry-kit: ephemeral pseudonyms: they will not join across processes or restarts.');
      return randomBytes(MIN_KEY_BYTES);
    }
    throw new PseudonymKeyError(
      `mcp-telemetry-kit: no pseudonym key: set MCP_KIT_PSEUDONYM_KEY or MCP_KIT_PSEUDONYM_KEY_FILE (at least ${MIN_KEY_BYTES} random bytes, e.g. \`openssl rand -base64 32\`), or MCP_KIT_EPHEMERAL_PSEUDONYMS=true for per-process pseudonyms`,
    );
  }
  if (secret.length < MIN_KEY_BYTES)
    throw new PseudonymKeyError(
      `mcp-telemetry-kit: ${source} has ${secret.length} bytes; at least ${MIN_KEY_BYTES} are required`,
    );
  return secret;
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
    this.secret = pseudonymSecret(options);
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
