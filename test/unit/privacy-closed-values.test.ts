// Keys whose values come from a closed set (rules.json): an MCP method outside the protocol, or a client
// name no assistant reports, is caller text and is exported only as `other`, by the library and in
// metric attribute sets alike.
import * as semconv from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import { interned } from '../../src/metrics/interned-attributes.ts';
import { knownClientsFromEnv, PrivacyGuard } from '../../src/privacy/guard.ts';
import rules from '../../src/privacy/rules.json' with { type: 'json' };

const secret = 'closed-values-test-key-0123456789abcdef';

describe('closed sets of values', () => {
  it('hold every MCP method the semantic conventions name', () => {
    const named = Object.entries(semconv)
      .filter(([name]) => name.startsWith('MCP_METHOD_NAME_VALUE_'))
      .map(([, value]) => String(value));
    expect(named.length).toBeGreaterThan(20);
    expect(
      named.filter((method) => !rules.attributes.values.keys['mcp.method.name'].includes(method)),
    ).toEqual([]);
  });

  it('export a method outside the protocol as `other`, and a protocol method as it is', () => {
    const guard = new PrivacyGuard({ secret });
    expect(guard.closedValue('mcp.method.name', 'tools/call')).toBe('tools/call');
    expect(guard.closedValue('mcp.method.name', 'find maria lopez')).toBe('other');
    expect(guard.sanitizeAttributes({ 'mcp.method.name': 'find maria lopez' }, 'record')).toEqual({
      'mcp.method.name': 'other',
    });
    expect(guard.sanitizeMetricAttributes(interned({ 'mcp.method.name': 'lookup ana' }))).toEqual({
      'mcp.method.name': 'other',
    });
  });

  it('keep known assistants by name, any other client name as `other`, and the operator’s additions', () => {
    const guard = new PrivacyGuard({ secret, knownClients: ['acme-agent'] });
    expect(guard.closedValue('mcpkit.client.name', 'claude-code')).toBe('claude-code');
    expect(guard.closedValue('mcpkit.client.name', 'Consuelo Ybarra family laptop')).toBe('other');
    expect(guard.closedValue('mcpkit.client.name', 'acme-agent')).toBe('acme-agent');
    expect(new PrivacyGuard({ secret }).closedValue('mcpkit.client.name', 'acme-agent')).toBe('other');
  });

  it('read the operator’s client names from MCP_KIT_KNOWN_CLIENTS, the variable the collector reads', () => {
    expect(knownClientsFromEnv({ MCP_KIT_KNOWN_CLIENTS: 'acme-agent| our bot ' })).toEqual([
      'acme-agent',
      'our bot',
    ]);
    expect(knownClientsFromEnv({})).toEqual([]);
  });

  it('keep a client version only as a version number, and words written there as `other`', () => {
    const guard = new PrivacyGuard({ secret });
    for (const version of ['1.0.0', '3.1.4', '1.106.0', 'v2.0.0-rc.1', '0.17.0-beta'])
      expect(guard.formattedValue('mcpkit.client.version', version), version).toBe(version);
    for (const version of ['maria lopez', '1.0.0-maria', '1.0 (Consuelo’s laptop)', ''])
      expect(guard.formattedValue('mcpkit.client.version', version), version).toBe('other');
  });

  it('leave keys without a closed set alone', () => {
    expect(new PrivacyGuard({ secret }).closedValue('http.route', '/mcp')).toBe('/mcp');
  });
});
