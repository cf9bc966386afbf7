// Metric attribute sets, interned: the kit records three or four measurements per tool call, almost
// always with one of a few attribute sets (method, tool, outcome, client). Handing the SDK the same
// frozen object for the same set lets privacy layer 1 sanitize it once (PrivacyGuard caches frozen
// sets by identity, per taint generation) instead of on every measurement, and saves an allocation.
import type { Attributes } from '@opentelemetry/api';

/** Distinct sets remembered; past it the table starts over (a flood of odd method names stays bounded). */
const MAX_SETS = 1_024;
const sets = new Map<string, Readonly<Attributes>>();

/**
 * The canonical frozen copy of `attributes`. Keys are compared in insertion order, which is fixed
 * where the kit builds them, so equal sets built the same way share one object.
 */
export function interned(attributes: Attributes): Readonly<Attributes> {
  const key = contentKey(attributes);
  let found = sets.get(key);
  if (!found) {
    if (sets.size >= MAX_SETS) sets.clear();
    found = Object.freeze({ ...attributes });
    sets.set(key, found);
  }
  return found;
}

/** A string equal for equal sets built in the same key order (types told apart: 1 is not "1"). */
export function contentKey(attributes: Attributes): string {
  let key = '';
  for (const name in attributes) {
    const value = attributes[name];
    key += `${name}\u0000${typeof value}\u0000${String(value)}\u0001`;
  }
  return key;
}
