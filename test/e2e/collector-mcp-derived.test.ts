// Every MCP server on the dashboards (issue #29): a server that sends MCP server spans following the
// semantic conventions but not the conventions' metric (another language, another instrumentation) gets
// mcp.server.operation.duration from the collector, with the conventions' attributes; the kit's own
// spans, whose library sends the metric itself, are not counted a second time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../support/capture.ts';
import { latestCounts } from '../support/foreign-servers.ts';
import { type KitCollector, startKitCollector } from '../support/kit-collector.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';

const SERVER = 2;
const CLIENT = 3;

let sink: OtlpSink;
let collector: KitCollector;

/** OTLP/JSON of spans of one service and instrumentation scope. */
function spansOf(
  service: string,
  scope: string,
  spans: { name: string; kind: number; attributes: Record<string, string>; failed?: boolean }[],
) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeSpans: [
      {
        scope: { name: scope },
        spans: spans.map((span, index) => ({
          traceId: `${index + 1}`.padStart(32, 'a'),
          spanId: `${index + 1}`.padStart(16, 'b'),
          name: span.name,
          kind: span.kind,
          // 40 ms each: the 50 ms bucket's.
          startTimeUnixNano: `${now - 40_000_000n}`,
          endTimeUnixNano: `${now}`,
          attributes: Object.entries(span.attributes).map(([key, value]) => ({
            key,
            value: { stringValue: value },
          })),
          status: { code: span.failed ? 2 : 0 },
        })),
      },
    ],
  };
}

const toolCall = {
  'mcp.method.name': 'tools/call',
  'gen_ai.tool.name': 'search',
  'network.transport': 'pipe',
};

beforeAll(async () => {
  sink = await startOtlpSink({ name: 'backends', captureRoot: newCaptureRoot('mcp-derived') });
  collector = await startKitCollector({
    backends: { tempo: sink.url, loki: `${sink.url}/otlp`, prometheus: `${sink.url}/api/v1/otlp` },
  });
  const response = await fetch(`${collector.otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...collector.authHeaders },
    body: JSON.stringify({
      resourceSpans: [
        spansOf('python-mcp-server', 'opentelemetry.instrumentation.mcp', [
          { name: 'tools/call search', kind: SERVER, attributes: toolCall },
          { name: 'tools/call search', kind: SERVER, attributes: toolCall },
          {
            name: 'tools/call search',
            kind: SERVER,
            attributes: { ...toolCall, 'error.type': 'tool_error' },
            failed: true,
          },
          {
            name: 'initialize',
            kind: SERVER,
            attributes: { 'mcp.method.name': 'initialize', 'network.transport': 'pipe' },
          },
          // Not an MCP server operation: the server's own call to another MCP server, an HTTP request.
          { name: 'tools/call lookup', kind: CLIENT, attributes: { 'mcp.method.name': 'tools/call' } },
          { name: 'POST /mcp', kind: SERVER, attributes: { 'http.request.method': 'POST' } },
        ]),
        // Sentry's MCP server integration: the tool name under its own key, the span not a SERVER one.
        spansOf('sentry-server', '@sentry/core', [
          {
            name: 'tools/call search',
            kind: 1,
            attributes: { 'mcp.method.name': 'tools/call', 'mcp.tool.name': 'search' },
          },
        ]),
        // The kit's library sends the metric itself: its spans are not counted again.
        spansOf('kit-server', 'mcp-telemetry-kit', [
          { name: 'tools/call search', kind: SERVER, attributes: toolCall },
        ]),
      ],
    }),
  });
  if (response.status !== 200) throw new Error(`the collector answered ${response.status}`);
  await sink.waitFor(
    (data) =>
      Object.values(
        latestCounts(data.dataPoints, 'mcp.server.operation.duration', 'python-mcp-server'),
      ).reduce((sum, count) => sum + count, 0) >= 4,
    30_000,
  );
}, 60_000);

afterAll(async () => {
  await collector?.stop();
  await sink?.close();
});

describe('a server that sends MCP spans but not the conventions’ metric', () => {
  it('gets mcp.server.operation.duration from its server spans, by method, tool, transport and error', () => {
    expect(latestCounts(sink.dataPoints, 'mcp.server.operation.duration', 'python-mcp-server')).toEqual({
      [JSON.stringify({
        'gen_ai.tool.name': 'search',
        'mcp.method.name': 'tools/call',
        'network.transport': 'pipe',
      })]: 2,
      [JSON.stringify({
        'error.type': 'tool_error',
        'gen_ai.tool.name': 'search',
        'mcp.method.name': 'tools/call',
        'network.transport': 'pipe',
      })]: 1,
      [JSON.stringify({ 'mcp.method.name': 'initialize', 'network.transport': 'pipe' })]: 1,
    });
  });

  it('gets it in seconds, as a histogram, and no other name of the MCP namespace (no calls counter)', () => {
    const derived = sink.dataPoints.filter(
      (point) => point.resource['service.name'] === 'python-mcp-server' && point.metric.startsWith('mcp.'),
    );
    expect(new Set(derived.map((point) => `${point.metric} ${point.type} ${point.unit}`))).toEqual(
      new Set(['mcp.server.operation.duration histogram s']),
    );
  });
});

describe('a server traced by Sentry’s MCP integration', () => {
  it('keeps its tool name under the conventions’ key (rules.json conventions.aliases)', () => {
    const span = sink.spans.find((candidate) => candidate.resource['service.name'] === 'sentry-server');
    expect(span?.attributes).toEqual({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'search' });
    expect(span?.name).toBe('tools/call search');
  });

  it('is not counted on the derived metric: its spans are not SERVER spans (docs/telemetry.md)', () => {
    expect(latestCounts(sink.dataPoints, 'mcp.server.operation.duration', 'sentry-server')).toEqual({});
  });
});

describe('the kit’s own server', () => {
  it('is not counted a second time from its spans', () => {
    expect(latestCounts(sink.dataPoints, 'mcp.server.operation.duration', 'kit-server')).toEqual({});
  });
});
