// The Python package's generated files: its copy of the privacy rules, the kit's telemetry names, and the
// shared privacy vectors are exactly what `npm run generate` writes from the TypeScript side (no drift, no hand edits).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { privacyVectorsPath, renderPrivacyVectors } from '../../scripts/generate-privacy-vectors.ts';
import {
  pythonKitNamesPath,
  pythonRulesCopy,
  renderKitNames,
  rulesSource,
} from '../../scripts/generate-python-rules.ts';

describe('the Python package’s generated files', () => {
  it('carries rules.json byte for byte as src/privacy/rules.json', () => {
    expect(readFileSync(pythonRulesCopy, 'utf8')).toBe(readFileSync(rulesSource, 'utf8'));
  });

  it('names its telemetry as src/semconv.ts names it (kit_names.json)', () => {
    expect(readFileSync(pythonKitNamesPath, 'utf8')).toBe(renderKitNames());
  });

  it('are checked against privacy vectors that the TypeScript library renders today', () => {
    expect(readFileSync(privacyVectorsPath, 'utf8')).toBe(renderPrivacyVectors());
  });
});
