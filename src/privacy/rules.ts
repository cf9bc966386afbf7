// Typed access to rules.json, the one source of truth shared with the collector's privacy layer.
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
