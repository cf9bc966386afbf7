// The resource every span, log and metric is exported with, as layer 1 leaves it: allow-listed keys only,
// and an instance id that stays whole when it is a random UUID, since it labels every series and trace.
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { PrivacyGuard } from '../../src/privacy/guard.ts';
import { PSEUDONYM_FORMAT } from '../../src/privacy/pseudonymizer.ts';
import { sanitizeResource } from '../../src/privacy/span-processor.ts';

const guard = new PrivacyGuard({ secret: 'resource-test-key-0123456789abcdef' });
const exported = (attributes: Record<string, string>) =>
  sanitizeResource(resourceFromAttributes(attributes), guard).attributes;

describe('the exported resource', () => {
  it('keeps a random service.instance.id whole, even one whose digits look like an A-number', () => {
    // "82-4991-88" is a digit run to the patterns; a third of random UUIDs hold one.
    const uuid = '135922fe-8b82-4991-88da-2ebf7793f62d';
    expect(exported({ 'service.instance.id': uuid })['service.instance.id']).toBe(uuid);
  });

  it('replaces any other service.instance.id by a pseudonym, the same for the same id', () => {
    const id = exported({ 'service.instance.id': 'locator-quanmath.85@example.com' })['service.instance.id'];
    expect(id).toMatch(PSEUDONYM_FORMAT);
    expect(
      exported({ 'service.instance.id': 'locator-quanmath.85@example.com' })['service.instance.id'],
    ).toBe(id);
  });

  it('drops resource keys off the allow-list', () => {
    expect(exported({ 'service.name': 'locator', 'enduser.id': 'sub_123' })).toEqual({
      'service.name': 'locator',
    });
  });
});
