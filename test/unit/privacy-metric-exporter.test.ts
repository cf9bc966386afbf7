// Layer 1 for what a metric says about itself (src/privacy/metric-exporter.ts): names outside the known
// namespaces are not exported, units only from the closed list, descriptions only the kit's own.
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { PrivacyMetricExporter } from '../../src/privacy/metric-exporter.ts';
import { METRIC_DESCRIPTIONS } from '../../src/semconv.ts';

async function exported(record: (provider: MeterProvider) => void, prefixes: string[] = []) {
  const memory = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: new PrivacyMetricExporter(memory, prefixes),
    exportIntervalMillis: 3_600_000,
  });
  const provider = new MeterProvider({ resource: resourceFromAttributes({}), readers: [reader] });
  record(provider);
  await reader.forceFlush();
  const metrics =
    memory
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((scope) => scope.metrics) ?? [];
  await provider.shutdown();
  return metrics.map(({ descriptor }) => descriptor);
}

describe('the metric exporter of privacy layer 1', () => {
  it('exports no metric named outside the known namespaces, such as one named after a person', async () => {
    const names = await exported(
      (provider) => {
        const meter = provider.getMeter('app');
        meter.createCounter('lookups_lopez').add(1);
        meter.createCounter('Lookups.Garcia').add(1);
        meter.createCounter('http.client.requests').add(1);
        meter.createCounter('locator.upstream.requests').add(1);
      },
      ['locator[.]'],
    );
    expect(names.map((descriptor) => descriptor.name).sort()).toEqual([
      'http.client.requests',
      'locator.upstream.requests',
    ]);
  });

  it('keeps units from the closed list, gives the kit’s metrics their own descriptions, and empties the rest', async () => {
    const descriptors = await exported((provider) => {
      provider
        .getMeter('app')
        .createCounter('http.searches', { description: 'searches for Maria Lopez', unit: '{lopez}' })
        .add(1);
      provider
        .getMeter('mcp-telemetry-kit')
        .createCounter('mcpkit.tool.calls', { description: 'Tool calls of Maria Lopez.', unit: '{call}' })
        .add(1);
    });
    expect(descriptors.find((d) => d.name === 'http.searches')).toMatchObject({ description: '', unit: '' });
    expect(descriptors.find((d) => d.name === 'mcpkit.tool.calls')).toMatchObject({
      description: METRIC_DESCRIPTIONS['mcpkit.tool.calls'],
      unit: '{call}',
    });
  });
});
