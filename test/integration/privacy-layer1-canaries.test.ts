// Privacy layer 1, proven with the canary corpus: every record is pushed through every channel an
// instrumented process has (tool arguments and results, thrown errors and their stacks, logs, span
// names, events and status messages written by application code, resource URIs, HTTP headers,
// `_meta` and baggage, an HTTP client URL), and the OTLP bytes the exporters would send contain none of
// the corpus's needles.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logs, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentMcpServer } from '../../src/index.ts';
import { type CanaryRecord, type Leak, loadCanaries, NeedleScanner } from '../support/canaries.ts';
import { connect, newClient, newMcpServer } from '../support/mcp.ts';
import { type CapturedTelemetry, startCapturedTelemetry } from '../support/telemetry.ts';

const corpus = loadCanaries();
const telemetry: CapturedTelemetry = startCapturedTelemetry();
afterAll(() => telemetry.handle.shutdown());

/** A server whose code carelessly repeats what it is given everywhere application code can. */
function carelessServer(upstreamUrl: string) {
  const server = newMcpServer('1.x');
  const tracer = trace.getTracer('careless-app');
  const logger = logs.getLogger('careless-app');
  server.registerTool(
    'search_detainee_by_name',
    {
      inputSchema: {
        first_name: z.string(),
        last_name: z.string(),
        date_of_birth: z.string(),
        alien_number: z.string(),
        query: z.string(),
      },
    },
    (async (args: Record<string, string>) => {
      const who = `${args.first_name} ${args.last_name}`;
      logger.emit({
        body: `searching for ${who} born ${args.date_of_birth}, A-number ${args.alien_number}: "${args.query}"`,
        attributes: { 'app.query': args.query, 'detainee.name': who },
      });
      await tracer.startActiveSpan(`lookup ${who}`, async (span) => {
        span.setAttribute('detainee.alien_number', args.alien_number ?? '');
        span.setAttribute('http.route', `/detainees/${args.last_name}`);
        span.addEvent(`matched ${args.first_name}`, { dob: args.date_of_birth ?? '' });
        const url = `${upstreamUrl}/search?name=${encodeURIComponent(who)}&anumber=${args.alien_number}`;
        await fetch(url, { headers: { 'x-detainee': encodeURIComponent(who) } }).then((r) => r.text());
        span.recordException(new Error(`no record for ${who} (${args.alien_number})`));
        span.setStatus({ code: SpanStatusCode.ERROR, message: `not found: ${who} ${args.date_of_birth}` });
        span.end();
      });
      return {
        content: [
          { type: 'text', text: `Result for ${who}, ${args.alien_number}, born ${args.date_of_birth}` },
        ],
      };
    }) as never,
  );
  server.registerTool('smart_detainee_search', { inputSchema: { query: z.string() } }, (async ({
    query,
  }: {
    query: string;
  }) => {
    throw new Error(`could not parse "${query}"`);
  }) as never);
  server.registerResource('detainee', 'detainee://record', {}, (async (uri: URL) => ({
    contents: [{ uri: uri.href, text: 'record' }],
  })) as never);
  return instrumentMcpServer(server, {
    identify: ({ authInfo }) => (typeof authInfo?.clientId === 'string' ? authInfo.clientId : undefined),
  });
}

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

    for (const record of corpus.records) await pushThroughEveryChannel(record, upstreamUrl);
    upstream.close();

    exported = await telemetry.collect();
    bytes = await telemetry.otlpBytes();
    leaks = new NeedleScanner(corpus.needles).scan(bytes, 'otlp');
  }, 300_000);

  async function pushThroughEveryChannel(record: CanaryRecord, upstreamUrl: string) {
    const { detainee: d, searcher: s } = record;
    // Headers a browser or proxy would add, with the searcher's identity in them.
    const headers = {
      'user-agent': `${s.name} <${s.email}>`,
      'x-forwarded-for': s.ip,
      'x-searcher-phone': s.phone,
      authorization: `Bearer ${s.oauth_subject}`,
    };
    const client = newClient('1.x', 'canary-client', '1.0.0');
    const connection = await connect('1.x', 'http', () => carelessServer(upstreamUrl), client, headers);
    const meta = {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      baggage: `searcher=${encodeURIComponent(s.email)}`,
      searcher: s.name,
      headers,
    };
    for (const [index, query] of record.queries.entries()) {
      await client.callTool({
        name: 'search_detainee_by_name',
        arguments: {
          first_name: d.first_name,
          last_name: d.last_name,
          date_of_birth: d.date_of_birth_formats[index % d.date_of_birth_formats.length] ?? d.date_of_birth,
          alien_number: d.alien_number_formats[index % d.alien_number_formats.length] ?? d.alien_number,
          query,
        },
        _meta: meta,
      });
    }
    await client.callTool({
      name: 'smart_detainee_search',
      arguments: { query: record.queries[0] ?? '' },
      _meta: meta,
    });
    await client.callTool({ name: `${d.first_name} ${d.last_name}`, arguments: {} }).catch(() => undefined);
    await client
      .readResource({ uri: `detainee://${d.alien_number}/${encodeURIComponent(d.last_name)}` })
      .catch(() => undefined);
    await connection.close();
  }

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
