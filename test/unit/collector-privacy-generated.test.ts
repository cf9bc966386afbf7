// collector/privacy.yaml is generated from src/privacy/rules.json: it must be exactly what the
// generator renders now, and it must carry every pattern and allow-listed key of the rules.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  patternsInOnePass,
  privacyConfigPath,
  renderCollectorPrivacy,
} from '../../scripts/generate-collector-privacy.ts';
import rules from '../../src/privacy/rules.json' with { type: 'json' };

describe('collector/privacy.yaml', () => {
  it('is what `npm run generate` renders from rules.json (no drift, no hand edits)', async () => {
    expect(readFileSync(privacyConfigPath, 'utf8')).toBe(await renderCollectorPrivacy());
  });

  it('enforces the same allow-list and patterns as the library, every pattern in one pass', () => {
    const { processors } = parse(readFileSync(privacyConfigPath, 'utf8'));
    for (const name of ['redaction/privacy', 'redaction/log_privacy']) {
      const redaction = processors[name];
      expect(redaction.allowed_keys).toEqual(
        [...new Set([...rules.attributes.resource, ...rules.attributes.record])].sort(),
      );
      expect(redaction.blocked_values).toEqual([patternsInOnePass(rules.patterns)]);
      for (const pattern of Object.values(rules.patterns))
        expect(redaction.blocked_values[0]).toContain(`(?:${pattern})`);
      expect(redaction.hash_function).toBe('hmac-sha256');
    }
    expect(processors['redaction/policy_keys'].blocked_values).toEqual([patternsInOnePass(rules.patterns)]);
  });
});
