// Privacy layer 1, proven with the canary corpus: every record is pushed through every channel an
// instrumented process has (tool arguments and results, thrown errors and their stacks, logs, span
// names, events and status messages written by application code, resource URIs, HTTP headers,
// `_meta` and baggage, an HTTP client URL), and the OTLP bytes the exporters would send contain none of
// the corpus's needles.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Leak, loadCanaries, NeedleScanner } from '../support/canaries.ts';
import { pushRecordThroughMcp } from '../support/fixtures/careless-server.ts';
import { type CapturedTelemetry, startCapturedTelemetry } from '../support/telemetry.ts';

const corpus = loadCanaries();
const telemetry: CapturedTelemetry = startCapturedTelemetry();
afterAll(() => telemetry.handle.shutdown());

describe('privacy layer 1 against the canary corpus', () => {
  let leaks: Leak[] = [];
  let bytes: Buffer;
  let upstreamRequests = 0;
  let upstreamSawCanary = false;
  let exported: Awaited<ReturnType<CapturedTelemetry['collect']>>;

  beforeAll(async () => {
    const upstream = createServer((req, res) => {
      upstreamRequests++;
      upstreamSawCanary ||= (req.url ?? '').includes(
        encodeURIComponent(corpus.records[0]?.detainee.last_name ?? '-'),
      );
      res.end('[]');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    for (const record of corpus.records) await pushRecordThroughMcp(record, upstreamUrl);
    upstream.close();

    exported = await telemetry.collect();
    bytes = await telemetry.otlpBytes();
    leaks = new NeedleScanner(corpus.needles).scan(bytes, 'otlp');
  }, 300_000);

  it('exercised every channel (an empty capture proves nothing)', () => {
    const kit = exported.spans.filter((span) => span.instrumentationScope.name === 'mcp-telemetry-kit');
    expect(kit.length).toBeGreaterThanOrEqual(corpus.records.length * 5);
    expect(exported.spans.some((span) => span.instrumentationScope.name === 'careless-app')).toBe(true);
    expect(exported.logs.length).toBeGreaterThanOrEqual(corpus.records.length);
    expect(exported.metrics.length).toBeGreaterThan(0);
    expect(upstreamRequests).toBeGreaterThanOrEqual(corpus.records.length);
    expect(upstreamSawCanary).toBe(true);
  });

  it('finds none of the needles in the OTLP bytes', () => {
    const summary = leaks
      .slice(0, 10)
      .map((leak) => `${leak.needle.entity} "${leak.needle.value}" in …${leak.context}…`);
    expect(summary).toEqual([]);
    expect(leaks).toHaveLength(0);
    console.log(
      `canaries: ${corpus.records.length} records, ${corpus.needles.length} needles, ${bytes.length} OTLP bytes, ${leaks.length} leaks`,
    );
  });

  it('exports caller text only as a closed value: unknown methods and client names become `other`', () => {
    const kit = exported.spans.filter((span) => span.instrumentationScope.name === 'mcp-telemetry-kit');
    const unknownMethod = kit.filter((span) => span.name === 'other');
    expect(unknownMethod).toHaveLength(corpus.records.length);
    expect(unknownMethod.every((span) => span.attributes['mcp.method.name'] === 'other')).toBe(true);
    const clients = new Set(kit.map((span) => span.attributes['mcpkit.client.name']));
    expect(clients).toEqual(new Set(['other']));
  });

  it('continues the caller’s trace from _meta and the headers, without exporting its trace state', () => {
    const kit = exported.spans.filter((span) => span.instrumentationScope.name === 'mcp-telemetry-kit');
    const continued = kit.filter((span) => span.spanContext().traceId === '0af7651916cd43dd8448eb211c80319c');
    expect(continued.length, 'continued').toBeGreaterThan(0);
    const linked = continued.filter((span) => span.links.length > 0);
    expect(linked.length, 'linked').toBeGreaterThan(0);
    const traceStates = exported.spans.flatMap((span) => [
      span.spanContext().traceState,
      span.parentSpanContext?.traceState,
      ...span.links.map((link) => link.context.traceState),
    ]);
    expect(traceStates.filter(Boolean)).toEqual([]);
  });

  it('keeps what operators need: tool names, outcomes, and the application’s spans and logs (redacted)', () => {
    const names = new Set(exported.spans.map((span) => span.name));
    expect(names).toContain('tools/call search_detainee_by_name');
    expect(names).toContain('tools/call (unknown)');
    expect([...names].some((name) => name.startsWith('lookup '))).toBe(true);
    const body = String(exported.logs[0]?.body);
    expect(body).toMatch(/^searching for /);
    expect(body).toContain('[redacted]');
  });
});
