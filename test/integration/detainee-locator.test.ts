// The reference detainee-locator server: its tools find people in the synthetic dataset the way a
// family or lawyer would search, stay polite to the upstream under rate limits and outages, refuse
// unauthenticated and foreign-origin requests, and tell the kit what happened.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { syntheticDetainees } from '../../examples/detainee-locator/dataset.ts';
import { SPANISH_MONTHS } from '../../examples/detainee-locator/matching.ts';
import { createLocatorServer, startHttpServer } from '../../examples/detainee-locator/server.ts';
import { noFaults, startUpstream, type Upstream } from '../../examples/detainee-locator/upstream.ts';
import { UpstreamClient } from '../../examples/detainee-locator/upstream-client.ts';
import { startCapturedTelemetry } from '../support/telemetry.ts';

const telemetry = startCapturedTelemetry();
const records = syntheticDetainees();
const someone = records.find((r) => r.last_name.includes('-') && /[áéíóú]/.test(r.first_name)) ?? records[0];
if (!someone) throw new Error('empty dataset');

let upstream: Upstream;
let client: Client;

async function call(name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as {
    content: { text: string }[];
    isError?: boolean;
  };
  return { text: result.content.map((c) => c.text).join('\n'), isError: result.isError === true };
}

async function lastToolSpan(name: string) {
  const { spans } = await telemetry.collect();
  return spans.filter((span) => span.name === `tools/call ${name}`).at(-1);
}

beforeAll(async () => {
  upstream = await startUpstream({ records });
  const server = createLocatorServer(new UpstreamClient(upstream.url, { breaker: { resetTimeout: 60_000 } }));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'locator-test', version: '1.0.0' });
  await client.connect(clientSide);
});

afterAll(async () => {
  await client.close();
  await upstream.close();
  await telemetry.handle.shutdown();
});

beforeEach(() => Object.assign(upstream.faults, noFaults));

describe('the synthetic dataset', () => {
  it('is the same for the same seed, and has hyphenated and compound surnames', () => {
    expect(syntheticDetainees(50)).toEqual(syntheticDetainees(50));
    expect(records.some((r) => r.last_name.includes('-'))).toBe(true);
    expect(records.some((r) => r.last_name.includes(' '))).toBe(true);
  });
});

describe('searching by name', () => {
  it('finds a person by exact name, date and country of birth', async () => {
    const result = await call('search_detainee_by_name', {
      first_name: someone.first_name,
      last_name: someone.last_name,
      date_of_birth: someone.date_of_birth,
      country_of_birth: someone.country_of_birth,
    });
    expect(result.text).toContain(someone.alien_number);
    expect((await lastToolSpan('search_detainee_by_name'))?.attributes).toMatchObject({
      'mcpkit.tool.outcome': 'ok',
      'mcpkit.result.match_type': 'exact',
      'mcpkit.result.count': '1',
    });
  });

  it('finds them with accents dropped, a hyphen as a space and a typo, as a fuzzy match', async () => {
    const typo = `${someone.last_name.normalize('NFD').replace(/\p{M}/gu, '').replace('-', ' ').slice(0, -1)}x`;
    const result = await call('search_detainee_by_name', {
      first_name: someone.first_name.normalize('NFD').replace(/\p{M}/gu, ''),
      last_name: typo,
      date_of_birth: someone.date_of_birth,
      country_of_birth: someone.country_of_birth,
      language: 'es',
    });
    expect(result.text).toContain(someone.alien_number);
    expect(result.text).toContain('nacido el');
    expect((await lastToolSpan('search_detainee_by_name'))?.attributes).toMatchObject({
      'mcpkit.result.match_type': 'fuzzy',
      'mcpkit.arg.language': 'es',
    });
  });

  it('says so, in the asker’s language, when no one matches', async () => {
    const result = await call('search_detainee_by_name', {
      first_name: 'Nobody',
      last_name: 'Atall',
      country_of_birth: someone.country_of_birth,
      language: 'es',
    });
    expect(result.text).toMatch(/^Nadie bajo custodia/);
    expect((await lastToolSpan('search_detainee_by_name'))?.attributes['mcpkit.tool.outcome']).toBe(
      'no_match',
    );
  });
});

describe('searching by A-number', () => {
  it.each(['canonical', 'dashed', 'digits only', 'spaced', 'hash'])('accepts the %s form', async (form) => {
    const digits = someone.alien_number.slice(1);
    const written = {
      canonical: someone.alien_number,
      dashed: `A-${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`,
      'digits only': digits,
      spaced: `A ${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`,
      hash: `a#${digits}`,
    }[form];
    const result = await call('search_detainee_by_alien_number', { alien_number: written });
    expect(result.text).toContain(someone.last_name);
  });

  it('refuses a malformed number as rejected, without calling the upstream', async () => {
    const before = upstream.requests;
    const result = await call('search_detainee_by_alien_number', { alien_number: 'A12' });
    expect(result.isError).toBe(true);
    expect(upstream.requests).toBe(before);
    expect((await lastToolSpan('search_detainee_by_alien_number'))?.attributes).toMatchObject({
      'mcpkit.tool.outcome': 'rejected',
      'mcpkit.result.format_valid': false,
    });
  });
});

describe('natural-language search', () => {
  it('understands a Spanish request with a long-form date', async () => {
    const [year, month, day] = someone.date_of_birth.split('-').map(Number);
    const query = `Busco a mi hermano ${someone.first_name} ${someone.last_name.split(/[- ]/)[0]}, nacido el ${day} de ${SPANISH_MONTHS[(month ?? 1) - 1]} de ${year} en ${someone.country_of_birth}`;
    const result = await call('smart_detainee_search', { query });
    expect(result.text).toContain(someone.alien_number);
    expect((await lastToolSpan('smart_detainee_search'))?.attributes).toMatchObject({
      'mcpkit.result.parse_success': true,
      'mcpkit.result.query_language': 'es',
    });
  });

  it('says when it cannot tell who is sought', async () => {
    const result = await call('smart_detainee_search', { query: 'help me please' });
    expect(result.isError).toBe(true);
    expect((await lastToolSpan('smart_detainee_search'))?.attributes['mcpkit.result.parse_success']).toBe(
      false,
    );
  });
});

describe('bulk search and reports', () => {
  it('never has more than max_concurrent requests at the upstream at once', async () => {
    upstream.faults.latencyMs = 40;
    upstream.maxInFlight = 0;
    const requests = records.slice(100, 112).map((r) => ({ alien_number: r.alien_number }));
    const result = await call('bulk_search_detainees', { search_requests: requests, max_concurrent: 2 });
    expect(result.text.split('\n')).toHaveLength(12);
    expect(upstream.maxInFlight).toBe(2);
  });

  it('writes a family report in markdown', async () => {
    const result = await call('generate_search_report', {
      search_criteria: { last_name: someone.last_name },
      results: ['one'],
      report_type: 'family',
      format: 'markdown',
    });
    expect(result.text).toMatch(/^# What we found/);
  });
});

describe('a struggling upstream', () => {
  it('honours Retry-After on 429 and still answers', async () => {
    upstream.faults.rateLimitPerSecond = 1;
    const [a, b] = [records[200], records[201]];
    const results = await Promise.all(
      [a, b].map((r) => call('search_detainee_by_alien_number', { alien_number: r?.alien_number ?? '' })),
    );
    expect(results.every((r) => !r.isError)).toBe(true);
    expect(results[1]?.text).toContain(b?.last_name ?? '-');
  });

  it('reports an outage as an upstream failure, then opens the circuit and stops calling', async () => {
    // A server of its own, so the breaker's window holds only this outage.
    const down = await startUpstream({ records, faults: { outage: true } });
    const server = createLocatorServer(
      new UpstreamClient(down.url, { maxRetries: 1, breaker: { resetTimeout: 60_000 } }),
    );
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const outageClient = new Client({ name: 'outage-test', version: '1' });
    await outageClient.connect(clientSide);
    const lookup = async (index: number) =>
      (await outageClient.callTool({
        name: 'search_detainee_by_alien_number',
        arguments: { alien_number: records[index]?.alien_number ?? '' },
      })) as { isError?: boolean };
    for (let index = 300; index < 306; index++) expect((await lookup(index)).isError).toBe(true);
    expect((await lastToolSpan('search_detainee_by_alien_number'))?.attributes['mcpkit.tool.outcome']).toBe(
      'upstream_failure',
    );
    const before = down.requests;
    expect((await lookup(310)).isError).toBe(true);
    expect(down.requests).toBe(before);
    // The operator reads the outage in the logs backend too: one warning when the circuit opened.
    const { logs } = await telemetry.collect();
    expect(
      logs
        .filter((record) => record.eventName === 'locator.upstream.circuit')
        .map((record) => [record.severityText, record.body]),
    ).toContainEqual(['WARN', 'upstream circuit opened']);
    await outageClient.close();
    await down.close();
  });
});

describe('one trace across the server and the upstream', () => {
  it('puts the upstream’s span in the tool call’s trace', async () => {
    await call('search_detainee_by_alien_number', { alien_number: records[400]?.alien_number ?? '' }).catch(
      () => undefined,
    );
    const { spans } = await telemetry.collect();
    const upstreamSpan = spans.filter((s) => s.name === 'GET /v1/detainees/{alien_number}').at(-1);
    const toolSpan = spans.find(
      (s) =>
        s.spanContext().traceId === upstreamSpan?.spanContext().traceId && s.name.startsWith('tools/call'),
    );
    expect(toolSpan?.name).toBe('tools/call search_detainee_by_alien_number');
  });
});

describe('the HTTP transport', () => {
  it('refuses a missing token (401) and a foreign Origin (403), and serves an authorised client', async () => {
    const separate = await startUpstream({ records });
    const http = await startHttpServer({
      upstream: new UpstreamClient(separate.url),
      tokens: { family: 'locator-token-0123456789' },
      allowedOrigins: ['https://app.example.org'],
    });
    const post = (headers: Record<string, string>) =>
      fetch(http.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      }).then((r) => r.status);
    expect(await post({})).toBe(401);
    expect(
      await post({ authorization: 'Bearer locator-token-0123456789', origin: 'https://evil.example.net' }),
    ).toBe(403);
    const authorised = new Client({ name: 'http-test', version: '1' });
    await authorised.connect(
      new StreamableHTTPClientTransport(new URL(http.url), {
        requestInit: { headers: { authorization: 'Bearer locator-token-0123456789' } },
      }),
    );
    const { tools } = await authorised.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'bulk_search_detainees',
      'generate_search_report',
      'search_detainee_by_alien_number',
      'search_detainee_by_name',
      'smart_detainee_search',
    ]);
    await authorised.close();
    await http.close();
    await separate.close();
    const { metrics, spans } = await telemetry.collect();
    // The token's principal reaches the telemetry only as a keyed pseudonym.
    const listed = spans.filter((span) => span.name === 'tools/list').at(-1);
    expect(listed?.attributes['mcpkit.principal']).toMatch(/^ps_/);
    const rejected = metrics.find((m) => m.descriptor.name === 'mcpkit.http.rejections');
    const reasons = (rejected?.dataPoints ?? []).map((p) => p.attributes['error.type']).sort();
    expect(reasons).toEqual(['forbidden_origin', 'unauthorized']);
  });
});
