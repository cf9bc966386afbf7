// Typed access to rules.json, the one source of truth shared with the collector's privacy layer.
import rules from './rules.json' with { type: 'json' };

export type PatternName = keyof typeof rules.patterns;

export const privacyRules = rules;

/** The patterns compiled for JavaScript, in the order they are applied (most specific first). */
export const piiPatterns: ReadonlyArray<{ name: PatternName; regex: RegExp }> = Object.entries(
  rules.patterns,
).map(([name, source]) => ({ name: name as PatternName, regex: new RegExp(source, 'gi') }));
