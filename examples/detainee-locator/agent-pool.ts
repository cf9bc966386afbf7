// A pool of principals behind one secret: the simulated AI agents of the compose stack are many families
// and lawyers, each its own principal, as in real use (one principal for all of them would look like one
// caller enumerating people and fire MCPLookupEnumeration for every newcomer). Rather than hundreds of
// secrets in .env, the server and the traffic generator both derive agent i's bearer token from one shared
// secret: HMAC-SHA256(secret, "agent-<i>"), so knowing one agent's token reveals neither the secret nor
// another agent's token. Hand-written: a one-line HMAC with node:crypto, no library does this.
import { createHmac } from 'node:crypto';

/** The bearer token of agent `index` (1-based) of the pool keyed by `secret`. */
export function agentToken(secret: string, index: number): string {
  return createHmac('sha256', secret).update(`agent-${index}`).digest('base64url');
}

/** Principals `<label>-1` … `<label>-<size>` and their tokens, as the server's token table holds them. */
export function agentPool(label: string, size: number, secret: string): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: size }, (_, i) => [`${label}-${i + 1}`, agentToken(secret, i + 1)]),
  );
}
