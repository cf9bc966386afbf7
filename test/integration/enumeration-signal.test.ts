// The enumeration signal: the reference server, over HTTP with two callers' tokens, counts each
// caller's lookups as first lookups or repeats under the caller's pseudonym, so a family re-checking
// one relative and a caller sweeping through many people look different on a metric, while the people
// looked up never leave the process.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticDetainees } from '../../examples/detainee-locator/dataset.ts';
import { startHttpServer } from '../../examples/detainee-locator/server.ts';
import { startUpstream, type Upstream } from '../../examples/detainee-locator/upstream.ts';
import { UpstreamClient } from '../../examples/detainee-locator/upstream-client.ts';
import { PSEUDONYM_FORMAT } from '../../src/privacy/pseudonymizer.ts';
import { METRIC_MCPKIT_PRINCIPAL_LOOKUPS } from '../../src/semconv.ts';
import { startCapturedTelemetry } from '../support/telemetry.ts';

const telemetry = startCapturedTelemetry();
const records = syntheticDetainees();
const [relative, ...others] = records;
if (!relative) throw new Error('empty dataset');
const swept = others.slice(0, 30);

let upstream: Upstream;
let http: Awaited<ReturnType<typeof startHttpServer>>;
let metrics: MetricData[];

async function clientOf(token: string) {
  const client = new Client({ name: 'enumeration-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(http.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

const byName = (person: (typeof records)[number]) => ({
  first_name: person.first_name,
  last_name: person.last_name,
  country_of_birth: person.country_of_birth,
});

type Point = { attributes: Record<string, unknown>; value: number };
const lookups = () =>
  metrics
    .filter((metric) => metric.descriptor.name === METRIC_MCPKIT_PRINCIPAL_LOOKUPS)
    .flatMap((metric) => metric.dataPoints as Point[]);
const principals = () => [...new Set(lookups().map((point) => point.attributes['mcpkit.principal']))];
const total = (filter: (attributes: Record<string, unknown>) => boolean) =>
  lookups()
    .filter((point) => filter(point.attributes))
    .reduce((sum, point) => sum + point.value, 0);

beforeAll(async () => {
  upstream = await startUpstream({ records });
  http = await startHttpServer({
    upstream: new UpstreamClient(upstream.url),
    tokens: { family: 'family-token-0123456789', sweeper: 'sweeper-token-0123456789' },
    allowedOrigins: [],
  });
  // A family checks on one relative five times, by name and by A-number, and spelled differently.
  const family = await clientOf('family-token-0123456789');
  for (let i = 0; i < 3; i++)
    await family.callTool({ name: 'search_detainee_by_name', arguments: byName(relative) });
  await family.callTool({
    name: 'search_detainee_by_name',
    arguments: { ...byName(relative), first_name: relative.first_name.toUpperCase() },
  });
  await family.callTool({
    name: 'search_detainee_by_alien_number',
    arguments: { alien_number: relative.alien_number },
  });
  // Another caller sweeps through 30 different people, ten by ten in bulk, then one by one again.
  const sweeper = await clientOf('sweeper-token-0123456789');
  for (let i = 0; i < swept.length; i += 10) {
    await sweeper.callTool({
      name: 'bulk_search_detainees',
      arguments: { search_requests: swept.slice(i, i + 10).map(byName) },
    });
  }
  for (const person of swept.slice(0, 5))
    await sweeper.callTool({ name: 'search_detainee_by_name', arguments: byName(person) });
  await family.close();
  await sweeper.close();
  metrics = (await telemetry.collect()).metrics;
});

afterAll(async () => {
  await http.close();
  await upstream.close();
  await telemetry.handle.shutdown();
});

describe('mcpkit.principal.lookups', () => {
  it('has one series set per caller, named only by a keyed pseudonym', () => {
    expect(principals()).toHaveLength(2);
    for (const principal of principals()) expect(principal).toMatch(PSEUDONYM_FORMAT);
  });

  it("counts the family's repeated searches for one relative as one new lookup and repeats", () => {
    const family = principals().find((principal) => total((a) => a['mcpkit.principal'] === principal) === 5);
    expect(family).toBeDefined();
    const of = (novelty: string) =>
      total((a) => a['mcpkit.principal'] === family && a['mcpkit.lookup.novelty'] === novelty);
    // The same person by name (any case) is one target; by A-number it is another key for them.
    expect({ new: of('new'), repeat: of('repeat') }).toEqual({ new: 2, repeat: 3 });
  });

  it('counts the sweep as 30 new lookups in bulk, and the re-checks as repeats', () => {
    const sweeper = principals().find(
      (principal) => total((a) => a['mcpkit.principal'] === principal) === 35,
    );
    expect(sweeper).toBeDefined();
    const of = (novelty: string, batch: string) =>
      total(
        (a) =>
          a['mcpkit.principal'] === sweeper &&
          a['mcpkit.lookup.novelty'] === novelty &&
          a['mcpkit.lookup.batch'] === batch,
      );
    expect({ bulkNew: of('new', 'true'), singleRepeat: of('repeat', 'false') }).toEqual({
      bulkNew: 30,
      singleRepeat: 5,
    });
  });

  it('exports nothing about who was looked up', async () => {
    const bytes = (await telemetry.otlpBytes()).toString('latin1');
    for (const person of [relative, ...swept]) {
      expect(bytes).not.toContain(person.last_name);
      expect(bytes).not.toContain(person.alien_number.replace(/\D/g, ''));
    }
    expect(bytes).not.toContain('family');
    expect(bytes).not.toContain('sweeper');
  });
});
