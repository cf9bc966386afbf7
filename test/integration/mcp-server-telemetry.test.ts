// instrumentMcpServer() with a real MCP client and server of each SDK line, over each transport: the
// spans and metrics an operator gets follow the MCP semantic conventions and carry the kit's analytics.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { HistogramMetricData, MetricData } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PSEUDONYM_FORMAT } from '../../src/privacy/pseudonymizer.ts';
import { MCP_DURATION_BUCKETS } from '../../src/semconv.ts';
import { connect, type SdkLine, type TransportKind } from '../support/mcp.ts';
import { scenarioServer } from '../support/scenario-server.ts';
import { type CapturedTelemetry, startCapturedTelemetry } from '../support/telemetry.ts';

const telemetry: CapturedTelemetry = startCapturedTelemetry();
afterAll(() => telemetry.handle.shutdown());

const lines: SdkLine[] = ['1.x', '2.x'];
const transports: TransportKind[] = ['in-memory', 'stdio', 'http', 'http-stateless'];
const expectedNetworkTransport: Record<TransportKind, string | undefined> = {
  'in-memory': undefined,
  stdio: 'pipe',
  http: 'tcp',
  'http-stateless': 'tcp',
};

function points(metrics: MetricData[], name: string) {
  return metrics
    .filter((metric) => metric.descriptor.name === name)
    .flatMap((metric) => metric.dataPoints as { attributes: Record<string, unknown>; value: unknown }[]);
}

describe.each(lines)('MCP SDK %s', (line) => {
  describe.each(transports)('over %s', (kind) => {
    let spans: ReadableSpan[];
    let metrics: MetricData[];
    // A client the kit knows by name (rules.json); any other name is exported as `other`.
    const clientName = 'claude-code';
    const byName = (name: string) => spans.find((span) => span.name === name);

    beforeAll(async () => {
      const { newClient } = await import('../support/mcp.ts');
      const connection = await connect(
        line,
        kind,
        () => scenarioServer(line),
        newClient(line, clientName, '3.1.4'),
      );
      const { client } = connection;
      await client.listTools();
      await client.callTool({ name: 'search', arguments: { query: 'river', language: 'es', fuzzy: true } });
      await client.callTool({ name: 'lookup', arguments: { id: 'x-1' } });
      await client.callTool({ name: 'fails' });
      await client.callTool({ name: 'throws' });
      await client.callTool({ name: 'no_such_tool', arguments: {} }).catch(() => undefined);
      await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
      await client.readResource({ uri: 'records://one' });
      await client.ping();
      await connection.close();
      // Combinations run one after another and the exporters are reset after each: all spans are ours.
      const all = await telemetry.collect();
      // The kit's own spans; HTTP client and server spans of the transport come from other scopes.
      spans = all.spans.filter((span) => span.instrumentationScope.name === 'mcp-telemetry-kit');
      metrics = all.metrics;
      telemetry.reset();
    });

    it('records one SERVER span per request, named "{method} {target}"', () => {
      const names = spans.map((span) => span.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'tools/list',
          'tools/call search',
          'tools/call lookup',
          'tools/call fails',
          'tools/call throws',
          'tools/call (unknown)',
          'prompts/get greet',
          'resources/read',
          'ping',
        ]),
      );
      expect(spans.every((span) => span.kind === SpanKind.SERVER)).toBe(true);
    });

    it('sets the MCP semantic convention attributes on a tool call', () => {
      const span = byName('tools/call search');
      expect(span?.attributes).toMatchObject({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'search',
        'gen_ai.operation.name': 'execute_tool',
        'jsonrpc.request.id': expect.stringMatching(/^\d+$/),
        'mcp.protocol.version': expect.stringMatching(/^20\d\d-\d\d-\d\d$/),
      });
      expect(span?.attributes['network.transport']).toBe(expectedNetworkTransport[kind]);
      expect(byName('prompts/get greet')?.attributes['gen_ai.prompt.name']).toBe('greet');
    });

    it('pseudonymises the session id, and has none when the transport is stateless', () => {
      const sessionIds = new Set(spans.map((span) => span.attributes['mcp.session.id']));
      if (kind === 'http') {
        expect(sessionIds.size).toBe(1);
        expect(String([...sessionIds][0])).toMatch(PSEUDONYM_FORMAT);
      } else {
        expect(sessionIds).toEqual(new Set([undefined]));
      }
    });

    it('follows the error rules: isError is a tool_error, and a successful call has no error', () => {
      expect(byName('tools/call search')?.status.code).toBe(SpanStatusCode.UNSET);
      expect(byName('tools/call search')?.attributes['error.type']).toBeUndefined();
      for (const name of ['tools/call fails', 'tools/call throws']) {
        expect(byName(name)?.attributes['error.type'], name).toBe('tool_error');
        expect(byName(name)?.status.code, name).toBe(SpanStatusCode.ERROR);
      }
      expect(byName('tools/call (unknown)')?.attributes['error.type']).toBeDefined();
    });

    it('exports arguments and result attributes only as the tool policy transforms them', () => {
      const search = byName('tools/call search');
      expect(search?.attributes).toMatchObject({
        'mcpkit.arg.language': 'es',
        'mcpkit.arg.fuzzy': true,
        'mcpkit.arg.query': '1-10',
        'mcpkit.result.match_type': 'fuzzy',
        'mcpkit.result.count': '2-5',
        'mcpkit.tool.outcome': 'ok',
      });
      expect(Object.keys(search?.attributes ?? {}).filter((key) => key.includes('undeclared'))).toEqual([]);
      expect(
        Object.keys(byName('tools/call lookup')?.attributes ?? {}).filter((key) =>
          key.startsWith('mcpkit.arg.'),
        ),
      ).toEqual([]);
    });

    it('records the tool outcome the tool declared, or derived from the result', () => {
      expect(byName('tools/call lookup')?.attributes['mcpkit.tool.outcome']).toBe('no_match');
      expect(byName('tools/call lookup')?.attributes['mcpkit.result.count']).toBe('0');
      expect(byName('tools/call fails')?.attributes['mcpkit.tool.outcome']).toBe('tool_error');
    });

    if (kind === 'http-stateless') {
      it('without a session, claims no client and starts every journey afresh', () => {
        const calls = spans.filter((span) => span.name.startsWith('tools/call'));
        expect(calls.map((span) => span.attributes['mcpkit.tool.previous'])).toEqual(
          calls.map(() => '(start)'),
        );
        expect(calls.every((span) => span.attributes['mcpkit.client.name'] === undefined)).toBe(true);
      });
    } else {
      it('knows the client and the journey through the session', () => {
        expect(byName('tools/call search')?.attributes).toMatchObject({
          'mcpkit.client.name': clientName,
          'mcpkit.client.version': '3.1.4',
          'mcpkit.tool.previous': '(start)',
        });
        expect(byName('tools/call lookup')?.attributes['mcpkit.tool.previous']).toBe('search');
        const transitions = points(metrics, 'mcpkit.tool.transitions');
        expect(transitions).toContainEqual(
          expect.objectContaining({
            attributes: { 'mcpkit.tool.previous': 'search', 'gen_ai.tool.name': 'lookup' },
          }),
        );
      });
    }

    it('measures operation duration in seconds with the semconv buckets, never by session or request id', () => {
      const histogram = metrics.find(
        (metric) => metric.descriptor.name === 'mcp.server.operation.duration',
      ) as HistogramMetricData | undefined;
      expect(histogram?.descriptor.unit).toBe('s');
      const point = histogram?.dataPoints.find(
        (p) =>
          p.attributes['gen_ai.tool.name'] === 'search' &&
          p.attributes['network.transport'] === expectedNetworkTransport[kind],
      );
      expect(point?.value.buckets.boundaries).toEqual(MCP_DURATION_BUCKETS);
      for (const p of histogram?.dataPoints ?? []) {
        expect(Object.keys(p.attributes)).not.toContain('mcp.session.id');
        expect(Object.keys(p.attributes)).not.toContain('jsonrpc.request.id');
      }
    });

    it('counts tool calls by tool, outcome and policy attributes', () => {
      const calls = points(metrics, 'mcpkit.tool.calls');
      expect(calls).toContainEqual(
        expect.objectContaining({
          attributes: expect.objectContaining({
            'gen_ai.tool.name': 'search',
            'mcpkit.tool.outcome': 'ok',
            'mcpkit.result.count': '2-5',
            'mcpkit.result.match_type': 'fuzzy',
            'mcpkit.arg.language': 'es',
          }),
        }),
      );
      expect(calls.some((p) => p.attributes['mcpkit.tool.outcome'] === 'no_match')).toBe(true);
    });
  });
});
