// The enumeration signal of a long-running server: after 10,000 earlier callers spread over several
// pseudonym key periods, a new caller sweeping through people is still counted under its own pseudonym
// (what MCPLookupEnumeration sums), never folded into an overflow set. Before per-period providers
// (src/mcp/principal-metrics.ts) the SDK kept every past period's pseudonyms and overflowed after about
// 2,000 sets; the second test shows that failure on a single provider.
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentMcpServer } from '../../src/index.ts';
import { configurePrincipalMetrics, PrincipalMetrics } from '../../src/mcp/principal-metrics.ts';
import { configurePrivacyGuard, PrivacyGuard } from '../../src/privacy/guard.ts';
import { connect, newMcpServer } from '../support/mcp.ts';

const day = 24 * 60 * 60 * 1000;
const EARLIER_PRINCIPALS = 10_000;
const PERIODS = 5;
const SWEEP = 150;

interface Point {
  attributes: Record<string, unknown>;
  value: number;
}

/** A server with one lookup tool whose caller is whoever the test says is calling. */
async function lookupServer(caller: () => string) {
  const server = newMcpServer('1.x');
  server.registerTool('lookup', { inputSchema: { a_number: z.string() } }, (async () => ({
    content: [{ type: 'text', text: 'none' }],
  })) as never);
  instrumentMcpServer(server, {
    tools: { lookup: { lookupKeys: (args) => String(args.a_number) } },
    identify: () => caller(),
  });
  return connect('1.x', 'in-memory', () => server);
}

function lookupPoints(metrics: MetricData[]): Point[] {
  return metrics
    .filter((metric) => metric.descriptor.name === 'mcpkit.principal.lookups')
    .flatMap((metric) => metric.dataPoints as Point[]);
}

let now = 100 * day;
afterEach(() => {
  configurePrincipalMetrics(undefined);
});

describe('the enumeration signal of a long-running server', () => {
  it('counts a new enumerator under its own pseudonym after 10,000 earlier principals over five key periods', async () => {
    const guard = configurePrivacyGuard(
      new PrivacyGuard({ secret: 'enumeration-capacity-key-0123456789abcdef', now: () => now }),
    );
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const perPeriod = new PrincipalMetrics({
      resource: resourceFromAttributes({ 'service.name': 'capacity' }),
      guard,
      reader: () => new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 }),
    });
    configurePrincipalMetrics(perPeriod);
    let caller = '';
    const connection = await lookupServer(() => caller);
    for (let i = 0; i < EARLIER_PRINCIPALS; i++) {
      if (i > 0 && i % (EARLIER_PRINCIPALS / PERIODS) === 0) now += day;
      caller = `family-${i}`;
      await connection.client.callTool({ name: 'lookup', arguments: { a_number: `A${100_000_000 + i}` } });
    }
    now += day;
    caller = 'enumerator';
    for (let step = 0; step < SWEEP; step++)
      await connection.client.callTool({ name: 'lookup', arguments: { a_number: `A${200_000_000 + step}` } });
    await connection.close();
    await perPeriod.forceFlush();

    const enumerator = guard.pseudonymizer.pseudonym('principal', 'enumerator');
    const points = lookupPoints(
      exporter
        .getMetrics()
        .at(-1)
        ?.scopeMetrics.flatMap((s) => s.metrics) ?? [],
    );
    const own = points.filter((point) => point.attributes['mcpkit.principal'] === enumerator);
    expect(own.reduce((sum, point) => sum + point.value, 0)).toBe(SWEEP);
    expect(own.every((point) => point.attributes['mcpkit.lookup.novelty'] === 'new')).toBe(true);
    // The current period holds the enumerator alone: past periods' pseudonyms left with their providers.
    expect(points.filter((point) => point.attributes['mcpkit.principal'] !== enumerator)).toEqual([]);
    const everExported = exporter
      .getMetrics()
      .flatMap((resource) => lookupPoints(resource.scopeMetrics.flatMap((s) => s.metrics)));
    expect(everExported.filter((point) => point.attributes['otel.metric.overflow'])).toEqual([]);
    console.log(
      `enumeration capacity: ${EARLIER_PRINCIPALS} earlier principals over ${PERIODS} periods, then ${own[0]?.value} new lookups counted under the enumerator's pseudonym, 0 overflowed`,
    );
    await perPeriod.shutdown();
  }, 300_000);

  it('shows why: on one provider for the life of the process, the same traffic overflows and hides the enumerator', async () => {
    const guard = configurePrivacyGuard(
      new PrivacyGuard({ secret: 'enumeration-capacity-key-0123456789abcdef', now: () => now }),
    );
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({
      readers: [reader],
      views: [
        {
          instrumentName: '*',
          attributesProcessors: [{ process: (attributes) => guard.sanitizeMetricAttributes(attributes) }],
        },
      ],
    });
    const { metrics } = await import('@opentelemetry/api');
    metrics.setGlobalMeterProvider(provider);
    let caller = '';
    const connection = await lookupServer(() => caller);
    for (let i = 0; i < 2_500; i++) {
      if (i > 0 && i % 500 === 0) now += day;
      caller = `family-${i}`;
      await connection.client.callTool({ name: 'lookup', arguments: { a_number: `A${100_000_000 + i}` } });
    }
    caller = 'enumerator';
    for (let step = 0; step < SWEEP; step++)
      await connection.client.callTool({ name: 'lookup', arguments: { a_number: `A${200_000_000 + step}` } });
    await connection.close();
    await reader.forceFlush();
    const enumerator = guard.pseudonymizer.pseudonym('principal', 'enumerator');
    const points = lookupPoints(
      exporter
        .getMetrics()
        .at(-1)
        ?.scopeMetrics.flatMap((s) => s.metrics) ?? [],
    );
    expect(points.filter((point) => point.attributes['mcpkit.principal'] === enumerator)).toEqual([]);
    expect(points.find((point) => point.attributes['otel.metric.overflow'])?.value).toBeGreaterThanOrEqual(
      SWEEP,
    );
    metrics.disable();
    await provider.shutdown();
  }, 300_000);
});
