// The finer rules of the MCP semantic conventions and of the kit: JSON-RPC error codes, trace context in
// `_meta`, session metrics, caller pseudonyms, and idempotent instrumentation.

import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentMcpServer } from '../../src/index.ts';
import { PSEUDONYM_FORMAT } from '../../src/privacy/pseudonymizer.ts';
import { connect, newClient } from '../support/mcp.ts';
import { scenarioServer } from '../support/scenario-server.ts';
import { startCapturedTelemetry } from '../support/telemetry.ts';

const telemetry = startCapturedTelemetry();
afterAll(() => telemetry.handle.shutdown());
beforeEach(() => telemetry.reset());

const kitSpans = async () =>
  (await telemetry.collect()).spans.filter((span) => span.instrumentationScope.name === 'mcp-telemetry-kit');

/** A low-level server whose only tool fails with the given JSON-RPC error code. */
async function callFailingWith(code: number) {
  const server = new Server({ name: 'errors', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [{ name: 'op', inputSchema: { type: 'object' } }],
  }));
  server.setRequestHandler(CallToolRequestSchema, async () => {
    throw new McpError(code, `failure ${code}`);
  });
  instrumentMcpServer(server);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = newClient('1.x');
  await client.connect(clientSide);
  await client.listTools();
  await client.callTool({ name: 'op' }).catch(() => undefined);
  await client.close();
  return (await kitSpans()).find((span) => span.name === 'tools/call op');
}

describe('JSON-RPC errors', () => {
  it.each([
    [-32700, false, 'rejected'],
    [-32600, false, 'rejected'],
    [-32601, false, 'rejected'],
    [-32602, false, 'rejected'],
    [-32002, false, 'rejected'],
    [-32603, true, 'tool_error'],
    [-32000, true, 'tool_error'],
    [-32099, true, 'tool_error'],
  ])(
    'code %i: error.type and status code are the code, server error = %s',
    async (code, serverError, outcome) => {
      const span = await callFailingWith(code);
      expect(span?.attributes).toMatchObject({
        'error.type': String(code),
        'rpc.response.status_code': String(code),
        'mcpkit.tool.outcome': outcome,
      });
      expect(span?.status.code).toBe(serverError ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
    },
  );
});

/** The client's requests untraced: fetch instrumentation would put its own span's traceparent on them. */
const untraced = <T>(call: () => Promise<T>) => context.with(suppressTracing(context.active()), call);

describe('trace context in params._meta', () => {
  it('parents the server span on the caller’s trace and links the transport’s span', async () => {
    const connection = await connect('1.x', 'in-memory', () => scenarioServer('1.x'));
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    const callerSpan = 'b7ad6b7169203331';
    // The in-memory transport delivers in the sender's context: this span stands in for the transport's.
    await trace.getTracer('test').startActiveSpan('transport', async (transportSpan) => {
      await connection.client.callTool({
        name: 'search',
        arguments: { query: 'q' },
        _meta: { traceparent: `00-${callerTrace}-${callerSpan}-01`, baggage: 'tenant=acme' },
      });
      transportSpan.end();
    });
    await connection.close();
    const spans = await kitSpans();
    const span = spans.find((s) => s.name === 'tools/call search');
    expect(span?.spanContext().traceId).toBe(callerTrace);
    expect(span?.parentSpanContext?.spanId).toBe(callerSpan);
    const transport = (await telemetry.collect()).spans.find((s) => s.name === 'transport');
    expect(span?.links.map((link) => link.context.spanId)).toEqual([transport?.spanContext().spanId]);
    // Baggage is available to the handler's context but never becomes an attribute.
    expect(JSON.stringify(span?.attributes)).not.toContain('acme');
  });

  it.each(['1.x', '2.x'] as const)(
    'continues the trace of the HTTP request’s traceparent header when _meta has none (SDK %s)',
    async (line) => {
      const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
      const callerSpan = '00f067aa0ba902b7';
      const connection = await connect(line, 'http', () => scenarioServer(line), newClient(line), {
        traceparent: `00-${callerTrace}-${callerSpan}-01`,
      });
      await untraced(() => connection.client.callTool({ name: 'search', arguments: { query: 'q' } }));
      await connection.close();
      const span = (await kitSpans()).find((s) => s.name === 'tools/call search');
      expect(span?.spanContext().traceId).toBe(callerTrace);
      expect(span?.parentSpanContext?.spanId).toBe(callerSpan);
    },
  );

  it('parents on _meta and links the HTTP request’s trace when both carry one', async () => {
    const headerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const headerSpan = '00f067aa0ba902b7';
    const metaTrace = '0af7651916cd43dd8448eb211c80319c';
    const connection = await connect('1.x', 'http', () => scenarioServer('1.x'), newClient('1.x'), {
      traceparent: `00-${headerTrace}-${headerSpan}-01`,
    });
    await untraced(() =>
      connection.client.callTool({
        name: 'search',
        arguments: { query: 'q' },
        _meta: { traceparent: `00-${metaTrace}-b7ad6b7169203331-01` },
      }),
    );
    await connection.close();
    const span = (await kitSpans()).find((s) => s.name === 'tools/call search');
    expect(span?.spanContext().traceId).toBe(metaTrace);
    expect(span?.links.map((link) => link.context.spanId)).toEqual([headerSpan]);
  });

  it('makes _meta baggage available to the tool handler', async () => {
    let seen: string | undefined;
    const server = scenarioServer('1.x');
    server.registerTool('peek', {}, (async () => {
      seen = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
      return { content: [] };
    }) as never);
    const connection = await connect('1.x', 'in-memory', () => server);
    await connection.client.callTool({ name: 'peek', _meta: { baggage: 'tenant=acme' } });
    await connection.close();
    expect(seen).toBe('acme');
  });
});

describe('sessions', () => {
  it('records session duration and calls per session when a session ends', async () => {
    const connection = await connect('2.x', 'http', () => scenarioServer('2.x'));
    await connection.client.callTool({ name: 'search', arguments: { query: 'a' } });
    await connection.client.callTool({ name: 'lookup', arguments: { id: 'b' } });
    await connection.close();
    const { metrics } = await telemetry.collect();
    const find = (name: string) =>
      metrics.find((m) => m.descriptor.name === name) as HistogramMetricData | undefined;
    const duration = find('mcp.server.session.duration')?.dataPoints.find(
      (p) => p.attributes['network.transport'] === 'tcp',
    );
    expect(duration?.value.count).toBeGreaterThanOrEqual(1);
    expect(find('mcp.server.session.duration')?.descriptor.unit).toBe('s');
    const calls = find('mcpkit.session.calls')?.dataPoints.find(
      (p) => p.attributes['network.transport'] === 'tcp',
    );
    expect(calls?.value.sum).toBeGreaterThanOrEqual(2);
  });
});

describe('the identify hook', () => {
  it('records the principal only as a keyed pseudonym, the same for the same caller', async () => {
    const identify = () => 'sub_principal_raw_value_0001';
    const first = await connect('1.x', 'in-memory', () => scenarioServer('1.x', { identify }));
    await first.client.callTool({ name: 'search', arguments: { query: 'a' } });
    await first.close();
    const second = await connect('1.x', 'in-memory', () => scenarioServer('1.x', { identify }));
    await second.client.callTool({ name: 'search', arguments: { query: 'b' } });
    await second.close();
    const principals = (await kitSpans())
      .filter((span) => span.name === 'tools/call search')
      .map((span) => span.attributes['mcpkit.principal']);
    expect(principals).toHaveLength(2);
    expect(principals[0]).toMatch(PSEUDONYM_FORMAT);
    expect(principals[1]).toBe(principals[0]);
    expect((await telemetry.otlpBytes()).includes('sub_principal_raw_value_0001')).toBe(false);
  });
});

describe('instrumenting twice', () => {
  it('still records one span per request', async () => {
    const connection = await connect('2.x', 'in-memory', () => instrumentMcpServer(scenarioServer('2.x')));
    await connection.client.ping();
    await connection.close();
    expect((await kitSpans()).filter((span) => span.name === 'ping')).toHaveLength(1);
  });
});
