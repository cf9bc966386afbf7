// `npm run generate`: what the Python package (python/src/mcp_telemetry_kit) must ship from the TypeScript
// side, which stays the one source of truth: src/privacy/rules.json copied byte for byte (rules.json), and
// the kit's own telemetry names, value vocabulary, bucket boundaries and metric descriptions from
// src/semconv.ts (kit_names.json; the error rules Python reads from its rules.json copy; the semantic-convention names come from the Python semconv package itself).
// test/unit/python-package-files.test.ts fails when either drifts.
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as semconv from '../src/semconv.ts';
import { repoRoot } from './provision/cache.ts';

export const rulesSource = path.join(repoRoot, 'src/privacy/rules.json');
export const pythonRulesCopy = path.join(repoRoot, 'python/src/mcp_telemetry_kit/rules.json');
export const pythonKitNamesPath = path.join(repoRoot, 'python/src/mcp_telemetry_kit/kit_names.json');

/** The kit-defined names (the `mcpkit.` namespace and the instrumentation scope), keyed as in semconv.ts. */
export function renderKitNames(): string {
  const names: Record<string, unknown> = {
    _generated: 'by scripts/generate-python-rules.ts from src/semconv.ts (npm run generate); do not edit',
  };
  for (const [key, value] of Object.entries(semconv).sort(([a], [b]) => a.localeCompare(b))) {
    if (/^(ATTR_MCPKIT_|METRIC_MCPKIT_|MCPKIT_)/.test(key) || key === 'INSTRUMENTATION_SCOPE')
      names[key] = value;
  }
  names.ERROR_TYPE_TOOL_ERROR = semconv.ERROR_TYPE_TOOL_ERROR;
  names.KIT_VOCABULARY = semconv.KIT_VOCABULARY;
  names.SESSION_START = semconv.SESSION_START;
  names.UNKNOWN = semconv.UNKNOWN;
  names.MCP_DURATION_BUCKETS = semconv.MCP_DURATION_BUCKETS;
  names.METRIC_DESCRIPTIONS = semconv.METRIC_DESCRIPTIONS;
  return `${JSON.stringify(names, null, 2)}\n`;
}

if (import.meta.main) {
  copyFileSync(rulesSource, pythonRulesCopy);
  console.log(`wrote ${path.relative(repoRoot, pythonRulesCopy)}`);
  writeFileSync(pythonKitNamesPath, renderKitNames());
  console.log(`wrote ${path.relative(repoRoot, pythonKitNamesPath)}`);
}
