// The traffic generator drives real MCP sessions of every journey against the reference server over
// Streamable HTTP, and the telemetry of that run carries the outcomes operators need and none of the
// people searched for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticDetainees } from '../../examples/detainee-locator/dataset.ts';
import { startHttpServer } from '../../examples/detainee-locator/server.ts';
import { startUpstream, type Upstream } from '../../examples/detainee-locator/upstream.ts';
import { UpstreamClient } from '../../examples/detainee-locator/upstream-client.ts';
import { runTraffic, type TrafficSummary } from '../../examples/traffic/generator.ts';
import rules from '../../src/privacy/rules.json' with { type: 'json' };
import { datasetNeedles, NeedleScanner } from '../support/canaries.ts';
import { type CapturedTelemetry, startCapturedTelemetry } from '../support/telemetry.ts';

const telemetry: CapturedTelemetry = startCapturedTelemetry();

const knownClients: string[] = rules.attributes.values.keys['mcpkit.client.name'];

describe('a traffic run against the reference server', () => {
  let upstream: Upstream;
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  let summary: TrafficSummary;
  let exported: Awaited<ReturnType<CapturedTelemetry['collect']>>;

  beforeAll(async () => {
    upstream = await startUpstream();
    http = await startHttpServer({
      upstream: new UpstreamClient(upstream.url),
      tokens: { agents: 'agents-token-0123456789', prober: 'prober-token-0123456789' },
      allowedOrigins: [],
      // One principal stands for every agent here, at 40 sessions a second.
      limits: { requestsPerSecond: 10_000, maxSessionsPerPrincipal: 1_000 },
    });
    summary = await runTraffic({
      url: http.url,
      token: 'agents-token-0123456789',
      enumerationToken: 'prober-token-0123456789',
      sessions: 20,
      rate: 40,
      seed: 'test',
      mix: { family: 1, lawyer: 1, typo: 1, bulk: 1, enumeration: 1 },
    });
    exported = await telemetry.collect();
  }, 120_000);

  afterAll(async () => {
    await http.close();
    await upstream.close();
    await telemetry.handle.shutdown();
  });

  it('completes every session, with every journey and several assistants', () => {
    expect(summary.completed).toBe(20);
    expect(summary.failed).toBe(0);
    for (const journey of ['family', 'lawyer', 'typo', 'bulk', 'enumeration'] as const) {
      expect(summary.journeys[journey], journey).toBeGreaterThan(0);
    }
    expect(Object.keys(summary.clients).length).toBeGreaterThan(2);
  });

  it('is reproducible: the same seed gives the same journeys, clients and calls at any pacing', async () => {
    const run = (rate: number) =>
      runTraffic({
        url: http.url,
        token: 'agents-token-0123456789',
        enumerationToken: 'prober-token-0123456789',
        sessions: 12,
        rate,
        seed: 'reproducible',
        mix: { family: 1, lawyer: 1, typo: 1, bulk: 1, enumeration: 1 },
      });
    const [fast, slow] = [await run(200), await run(8)];
    const drawn = ({ journeys, clients, protocolVersions, calls }: TrafficSummary) => ({
      journeys,
      clients,
      protocolVersions,
      calls,
    });
    expect(drawn(slow)).toEqual(drawn(fast));
  });

  it('records the outcomes and the clients operators need', () => {
    const calls = exported.spans.filter((span) => span.name.startsWith('tools/call'));
    expect(calls.length).toBe(summary.calls);
    const outcomes = new Set(calls.map((span) => span.attributes['mcpkit.tool.outcome']));
    expect(outcomes).toEqual(expect.objectContaining(new Set(['ok', 'no_match', 'rejected'])));
    const clients = new Set(calls.map((span) => span.attributes['mcpkit.client.name']));
    // Known assistants by name; the prober's made-up name ("bulk-probe") only as `other`.
    expect(clients.has('other')).toBe(true);
    expect([...clients].filter((name) => name !== 'other' && !knownClients.includes(String(name)))).toEqual(
      [],
    );
    // Agents ask for different protocol revisions; the negotiated ones are on the spans.
    const versions = new Set(calls.map((span) => span.attributes['mcp.protocol.version']));
    expect(versions.size).toBeGreaterThan(1);
    expect(
      [...versions].every((version) => ['2025-11-25', '2025-06-18', '2025-03-26'].includes(String(version))),
    ).toBe(true);
  });

  it('shows the enumeration as many lookups by one pseudonymous principal', () => {
    const lookups = exported.spans.filter(
      (span) => span.name === 'tools/call search_detainee_by_alien_number',
    );
    const byPrincipal = new Map<unknown, number>();
    for (const span of lookups)
      byPrincipal.set(
        span.attributes['mcpkit.principal'],
        (byPrincipal.get(span.attributes['mcpkit.principal']) ?? 0) + 1,
      );
    const [top] = [...byPrincipal.entries()].sort((a, b) => b[1] - a[1]);
    expect(String(top?.[0])).toMatch(/^ps_/);
    expect(top?.[1]).toBeGreaterThanOrEqual(25 * summary.journeys.enumeration);
  });

  it('exports none of the people in the dataset: no name, A-number or date of birth', async () => {
    const needles = datasetNeedles(syntheticDetainees());
    const leaks = new NeedleScanner(needles).scan(await telemetry.otlpBytes(), 'otlp');
    expect(
      leaks.slice(0, 5).map((leak) => `${leak.needle.entity} ${leak.needle.value}: …${leak.context}…`),
    ).toEqual([]);
  });
});
