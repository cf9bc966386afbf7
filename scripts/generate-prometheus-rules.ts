// Writes the generated Prometheus rule files (prometheus/rules/mcp.rules.yml) from their TypeScript
// sources in prometheus/rules-src/, which read the contract (src/privacy/rules.json).
//
//   npm run generate
//
// The YAML is committed (Prometheus loads it as is); test/unit/prometheus-rules-generated.test.ts fails
// when it drifts from the source.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { mcpRules } from '../prometheus/rules-src/mcp.ts';
import { type RuleFile, renderRuleFile } from '../prometheus/rules-src/render.ts';
import { repoRoot } from './provision/cache.ts';

export const generatedRuleFiles: RuleFile[] = [mcpRules];
export const generator =
  '`npm run generate` (scripts/generate-prometheus-rules.ts) from prometheus/rules-src/';

export const ruleFilePath = (source: RuleFile) => path.join(repoRoot, 'prometheus/rules', source.file);

if (import.meta.main) {
  for (const source of generatedRuleFiles) {
    writeFileSync(ruleFilePath(source), renderRuleFile(source, generator));
    console.log(`wrote ${path.relative(repoRoot, ruleFilePath(source))}`);
  }
}
