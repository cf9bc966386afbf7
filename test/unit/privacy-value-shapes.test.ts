// Every allow-listed attribute key has a decision about its values (rules.json): a closed set, a format,
// a pseudonym, a shape of its own, or the names' shape. The collector keeps a string value only when it
// fits (collector/privacy.yaml, generated from the same rules), so free text under a kept key, where a
// careless producer writes a person's name, never passes.
import { describe, expect, it } from 'vitest';
import { keptStringRegex, type Rules } from '../../scripts/generate-collector-privacy.ts';
import { PrivacyGuard } from '../../src/privacy/guard.ts';
import rules from '../../src/privacy/rules.json' with { type: 'json' };
import { valueShapeSource } from '../../src/privacy/rules.ts';

const { attributes, names } = rules;
const kept = new RegExp(keptStringRegex(rules as unknown as Rules), 's');
const keeps = (key: string, value: string) => kept.test(`${key}=${value}`);

describe('the values of allow-listed attributes', () => {
  it('are decided once for every key and prefix the allow-lists hold', () => {
    const decisions = new Map<string, string[]>();
    const decide = (keys: string[], how: string) => {
      for (const key of keys) decisions.set(key, [...(decisions.get(key) ?? []), how]);
    };
    decide(Object.keys(attributes.values.keys), 'closed set');
    decide(Object.keys(attributes.formats.keys), 'format');
    decide(attributes.pseudonymised, 'pseudonym');
    decide(Object.keys(attributes.shaped.keys), 'shaped');
    decide(Object.keys(attributes.shapes.keys), 'shape');
    decide(names.keys, 'name');
    const allowed = [...new Set([...attributes.resource, ...attributes.record])];
    expect(allowed.filter((key) => decisions.get(key)?.length !== 1)).toEqual([]);
    expect([...decisions.keys()].filter((key) => !allowed.includes(key))).toEqual([]);
    expect(attributes.recordPrefixes.filter((prefix) => !(prefix in attributes.shapes.prefixes))).toEqual([]);
    const shapes = new Set([
      ...Object.values(attributes.shapes.keys),
      ...Object.values(attributes.shapes.prefixes),
    ]);
    for (const shape of shapes) expect(() => valueShapeSource(shape), shape).not.toThrow();
  });

  it('keep what the kit, the SDKs and their instrumentations write', () => {
    const written: [string, string][] = [
      ['error.type', '-32603'],
      ['error.type', 'tool_error'],
      ['error.type', 'unauthorized'],
      ['error.type', 'TypeError'],
      ['error.type', 'builtins.ValueError'],
      ['error.type', 'ECONNREFUSED'],
      ['error.type', '_OTHER'],
      ['rpc.response.status_code', 'NOT_FOUND'],
      ['exception.type', 'McpError'],
      ['http.route', '/mcp'],
      ['http.route', '/users/{id}/lookups/:lookupId'],
      ['http.request.method', 'POST'],
      ['http.response.status_code', '200'],
      ['mcpkit.result.count', '21+'],
      ['mcpkit.result.count', '2-5'],
      ['mcpkit.arg.language', 'es'],
      ['mcpkit.tool.previous', '(start)'],
      ['mcpkit.tool.outcome', 'upstream_failure'],
      ['service.name', 'unknown_service:node'],
      ['service.name', 'locator-server'],
      ['service.version', '1.4.0-rc.1'],
      ['host.name', 'ip-10-0-0-12.ec2.internal'],
      ['process.runtime.version', '24.11.1'],
      ['process.runtime.name', 'nodejs'],
      ['telemetry.sdk.language', 'python'],
      ['v8js.heap.space.name', 'new_space'],
      ['deployment.environment.name', 'production'],
      ['jsonrpc.request.id', '42'],
      ['jsonrpc.request.id', 'ps_AbCdEfGhIjKlMnOpQrStUv'],
      ['mcp.method.name', 'find maria lopez'],
    ];
    expect(written.filter(([key, value]) => !keeps(key, value))).toEqual([]);
  });

  it('drop names and sentences under kept keys, and keys nobody decided about', () => {
    const careless: [string, string][] = [
      ['error.type', 'not found, call 555-123-4567'],
      ['error.type', 'Zhúthñíl'],
      ['error.type', 'Lopez'],
      ['exception.type', 'Maria Lopez'],
      ['http.route', '/detainees/Lopez'],
      ['http.route', '/detainees/zhúthñíl'],
      ['mcpkit.arg.note', 'Yúñezútl Zhúthñíl'],
      ['mcpkit.result.count', 'Lopez'],
      ['deployment.environment.name', 'Maria Lopez'],
      ['service.version', '1.0.0-Lopez'],
      ['http.request.method', 'LOPEZ'],
      ['http.response.status_code', 'ok Maria'],
      ['detainee.name', 'x'],
      ['http.routes', '/mcp'],
    ];
    expect(careless.filter(([key, value]) => keeps(key, value))).toEqual([]);
  });

  it('are decided alike by the library: free text under a kept key is dropped, a fitting value kept', () => {
    const guard = new PrivacyGuard({ secret: 'value-shapes-test-key-0123456789abcdef' });
    expect(
      guard.sanitizeAttributes(
        {
          'error.type': 'no record for Maria Lopez',
          'exception.type': 'TypeError',
          'http.route': '/detainees/Lopez',
          'mcpkit.result.count': '21+',
          'mcpkit.arg.note': ['es', 'Maria'],
        },
        'record',
      ),
    ).toEqual({ 'exception.type': 'TypeError', 'mcpkit.result.count': '21+' });
  });
});
