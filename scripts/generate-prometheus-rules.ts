// Writes prometheus/rules/, every file Prometheus loads, from its source in prometheus/rules-src/: the
// YAML rule files written by hand, and the TypeScript ones that compute rules from the contract
// (src/privacy/rules.json) or the library's own constants (mcp.ts, privacy.ts). Every alert gets its absolute runbook_url here.
//
//   npm run generate
//
// The YAML is committed (Prometheus loads it as is); test/unit/prometheus-rules-generated.test.ts fails
// when it drifts from the source.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mcpRules } from '../prometheus/rules-src/mcp.ts';
import { privacyRuleFile } from '../prometheus/rules-src/privacy.ts';
import { type RuleFile, renderRuleFile, renderYamlRuleFile } from '../prometheus/rules-src/render.ts';
import { repoRoot } from './provision/cache.ts';

const sourceDir = path.join(repoRoot, 'prometheus/rules-src');
const outDir = path.join(repoRoot, 'prometheus/rules');
export const generator = '`npm run generate` (scripts/generate-prometheus-rules.ts)';

/** Every rule file Prometheus loads, by name, with the text it must have. */
export function renderedRuleFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const computed: RuleFile[] = [mcpRules, privacyRuleFile];
  for (const source of computed) files.set(source.file, renderRuleFile(source, generator));
  for (const file of readdirSync(sourceDir).filter((name) => name.endsWith('.rules.yml'))) {
    if (files.has(file)) throw new Error(`prometheus/rules-src: ${file} has two sources`);
    files.set(file, renderYamlRuleFile(file, readFileSync(path.join(sourceDir, file), 'utf8'), generator));
  }
  return files;
}

export const ruleFilePath = (file: string) => path.join(outDir, file);

if (import.meta.main) {
  const files = renderedRuleFiles();
  // A rule file whose source is gone must not linger.
  for (const file of readdirSync(outDir).filter((name) => !files.has(name))) rmSync(ruleFilePath(file));
  for (const [file, text] of files) {
    writeFileSync(ruleFilePath(file), text);
    console.log(`wrote prometheus/rules/${file}`);
  }
}
