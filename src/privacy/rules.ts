// Typed access to rules.json, the one source of truth shared with the collector's privacy layer.
import { PSEUDONYM_FORMAT } from './pseudonymizer.ts';
import rules from './rules.json' with { type: 'json' };

export type PatternName = keyof typeof rules.patterns;

export const privacyRules = rules;

/** The patterns compiled for JavaScript, in the order they are applied (most specific first). */
export const piiPatterns: ReadonlyArray<{ name: PatternName; regex: RegExp }> = Object.entries(
  rules.patterns,
).map(([name, source]) => ({ name: name as PatternName, regex: new RegExp(source, 'gi') }));

/**
 * An operator's additions to the rules from a variable the library and the collector both read
 * (MCP_KIT_KNOWN_CLIENTS, MCP_KIT_METRIC_PREFIXES): entries separated by `|`, since the collector splices
 * the value into a regular expression's alternation.
 */
export function rulesAdditionsFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[name] ?? '')
    .split('|')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** Text as a regex matching itself. */
export const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex source without its `^` and `$`, to be joined with others. */
export const unanchored = (regex: string) => regex.replace(/^\^/, '').replace(/\$$/, '');

/**
 * The source of a value shape named in rules.json `attributes.shapes`: its own patterns, `name` (the
 * names' shape) and `id` (a number, or a library pseudonym, whose format lives with the pseudonymizer).
 */
export function valueShapeSource(name: string): string {
  if (name === 'name') return rules.names.shape;
  if (name === 'id') return `^(?:-?[0-9]{1,19}|${unanchored(PSEUDONYM_FORMAT.source)})$`;
  const shape = (rules.attributes.shapes.patterns as Record<string, string>)[name];
  if (!shape) throw new Error(`rules.json names the value shape "${name}", which it does not define`);
  return shape;
}

/** The shape a key's string values must fit to be exported (by key, then by prefix), if it has one. */
export function valueShapeOf(key: string): RegExp | undefined {
  const { keys, prefixes } = rules.attributes.shapes;
  const name =
    (keys as Record<string, string>)[key] ??
    Object.entries(prefixes).find(([prefix]) => key.startsWith(prefix))?.[1];
  return name === undefined
    ? undefined
    : new RegExp(
        `^(?:${unanchored(rules.attributes.shapes.everyKey)}|${unanchored(valueShapeSource(name))})$`,
      );
}
