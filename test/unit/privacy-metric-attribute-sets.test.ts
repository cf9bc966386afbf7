// The kit hands the metrics SDK one frozen object per distinct attribute set (interned()), and layer 1
// sanitizes such a set once instead of on every measurement. Caching must never let through what a fresh
// sanitization would remove: a word tainted later, or an id after the pseudonym key rotated.
import { describe, expect, it } from 'vitest';
import { interned } from '../../src/metrics/interned-attributes.ts';
import { PrivacyGuard } from '../../src/privacy/guard.ts';

describe('interned metric attribute sets', () => {
  it('gives equal sets one frozen object, and different values or types different ones', () => {
    const first = interned({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'search' });
    expect(interned({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'search' })).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(interned({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'other' })).not.toBe(first);
    expect(interned({ 'rpc.response.status_code': 1 })).not.toBe(
      interned({ 'rpc.response.status_code': '1' }),
    );
  });
});

describe('sanitizing a frozen metric attribute set', () => {
  it('returns the same sanitized copy while nothing changed', () => {
    const guard = new PrivacyGuard({ secret: 'a'.repeat(40), extraAttributes: ['app.note'] });
    const set = interned({
      'mcp.method.name': 'tools/call',
      'app.note': 'agent',
      'secret.key': 'x',
    });
    const sanitized = guard.sanitizeMetricAttributes(set);
    expect(sanitized).toEqual({ 'mcp.method.name': 'tools/call', 'app.note': 'agent' });
    expect(guard.sanitizeMetricAttributes(set)).toBe(sanitized);
  });

  it('sanitizes it again once a caller typed one of its words', () => {
    const guard = new PrivacyGuard({ secret: 'a'.repeat(40), extraAttributes: ['app.note'] });
    const set = interned({ 'mcp.method.name': 'tools/call', 'app.note': 'Quanmath helper' });
    expect(guard.sanitizeMetricAttributes(set)['app.note']).toBe('Quanmath helper');
    guard.taint.add({ name: 'Quanmath' });
    expect(guard.sanitizeMetricAttributes(set)['app.note']).toBe('[redacted] helper');
  });

  it('pseudonymises a raw id under the new key after the key rotates', () => {
    let now = 0;
    const guard = new PrivacyGuard({ secret: 'a'.repeat(40), rotationMs: 1000, now: () => now });
    const set = interned({ 'mcpkit.principal': 'client-42' });
    const before = guard.sanitizeMetricAttributes(set)['mcpkit.principal'];
    now = 5000;
    const after = guard.sanitizeMetricAttributes(set)['mcpkit.principal'];
    expect(before).toMatch(/^ps_/);
    expect(after).toMatch(/^ps_/);
    expect(after).not.toBe(before);
  });

  it('never caches a set that is not frozen (its owner may change it)', () => {
    const guard = new PrivacyGuard({ secret: 'a'.repeat(40), extraAttributes: ['app.note'] });
    const set: Record<string, string> = { 'app.note': 'agent' };
    guard.sanitizeMetricAttributes(set);
    set['app.note'] = 'mail me at quanmath.85@example.com';
    expect(guard.sanitizeMetricAttributes(set)['app.note']).toBe('mail me at [email]');
  });
});
