// `npm run generate`: copies src/privacy/rules.json, the one source of truth of the privacy rules, into the
// Python package (python/src/mcp_telemetry_kit/rules.json), which must ship it to read it. The copy is byte
// for byte; test/unit/python-package-files.test.ts fails when it drifts.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './provision/cache.ts';

export const rulesSource = path.join(repoRoot, 'src/privacy/rules.json');
export const pythonRulesCopy = path.join(repoRoot, 'python/src/mcp_telemetry_kit/rules.json');

if (import.meta.main) {
  copyFileSync(rulesSource, pythonRulesCopy);
  console.log(`wrote ${path.relative(repoRoot, pythonRulesCopy)}`);
}
