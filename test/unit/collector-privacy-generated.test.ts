// collector/privacy.yaml is generated from src/privacy/rules.json: it must be exactly what the
// generator renders now, and it must carry every pattern and allow-listed key of the rules.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { privacyConfigPath, renderCollectorPrivacy } from '../../scripts/generate-collector-privacy.ts';
import rules from '../../src/privacy/rules.json' with { type: 'json' };

describe('collector/privacy.yaml', () => {
  it('is what `npm run generate` renders from rules.json (no drift, no hand edits)', async () => {
    expect(readFileSync(privacyConfigPath, 'utf8')).toBe(await renderCollectorPrivacy());
  });

  it('enforces the same allow-list and patterns as the library', () => {
    const { processors } = parse(readFileSync(privacyConfigPath, 'utf8'));
    const redaction = processors['redaction/privacy'];
    expect(redaction.allowed_keys).toEqual(
      [...new Set([...rules.attributes.resource, ...rules.attributes.record])].sort(),
    );
    expect(redaction.blocked_values).toEqual(
      Object.values(rules.patterns).map((pattern) => `(?i)${pattern}`),
    );
    expect(redaction.hash_function).toBe('hmac-sha256');
  });
});
