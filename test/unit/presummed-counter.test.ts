// Tool calls, transitions and lookups are summed by the kit and reported through observable counters
// (src/metrics/presummed-counter.ts). The SDK keeps one value per observed attribute set, so what the kit
// reports must be the right total per exported set, whatever layer 1 did to the sets in between.
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { interned } from '../../src/metrics/interned-attributes.ts';
import { PresummedCounter } from '../../src/metrics/presummed-counter.ts';
import { PrivacyGuard } from '../../src/privacy/guard.ts';

class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function counterWithReader(guard: PrivacyGuard) {
  const reader = new CollectingReader();
  const provider = new MeterProvider({
    readers: [reader],
    views: [
      {
        instrumentName: '*',
        attributesProcessors: [{ process: (attributes) => guard.sanitizeMetricAttributes(attributes) }],
      },
    ],
  });
  const counter = new PresummedCounter(provider.getMeter('test'), 'calls', {}, () => guard);
  const points = async () => {
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics[0]?.metrics[0];
    return (metric?.dataPoints ?? []).map(({ attributes, value }) => ({
      attributes,
      value: value as number,
    }));
  };
  return { counter, points };
}

describe('a presummed counter', () => {
  it('reports the running total of each attribute set, sanitized', async () => {
    const guard = new PrivacyGuard({ secret: 'a'.repeat(40) });
    const { counter, points } = counterWithReader(guard);
    const search = interned({ 'gen_ai.tool.name': 'search', 'secret.key': 'dropped' });
    counter.add(1, search);
    counter.add(1, search);
    counter.add(1, interned({ 'gen_ai.tool.name': 'lookup' }));
    expect(await points()).toEqual([
      { attributes: { 'gen_ai.tool.name': 'search' }, value: 2 },
      { attributes: { 'gen_ai.tool.name': 'lookup' }, value: 1 },
    ]);
    counter.add(1, search);
    expect((await points())[0]).toEqual({ attributes: { 'gen_ai.tool.name': 'search' }, value: 3 });
  });

  it('adds up sets that layer 1 makes alike, instead of reporting one of them', async () => {
    const guard = new PrivacyGuard({ secret: 'a'.repeat(40), extraAttributes: ['app.note'] });
    const { counter, points } = counterWithReader(guard);
    counter.add(2, interned({ 'app.note': 'agent of quanmath.85@example.com' }));
    counter.add(3, interned({ 'app.note': 'agent of zhuthnil@example.org' }));
    expect(await points()).toEqual([{ attributes: { 'app.note': 'agent of [email]' }, value: 5 }]);
  });

  it('adds up sets a later taint makes alike', async () => {
    const guard = new PrivacyGuard({ secret: 'a'.repeat(40), extraAttributes: ['app.note'] });
    const { counter, points } = counterWithReader(guard);
    counter.add(1, interned({ 'app.note': 'Quanmath helper' }));
    guard.taint.add({ first: 'Quanmath', second: 'Zhuthnil' });
    counter.add(1, interned({ 'app.note': 'Zhuthnil helper' }));
    expect(await points()).toEqual([{ attributes: { 'app.note': '[redacted] helper' }, value: 2 }]);
  });

  it('counts sets past its limit under one set, so a flood of client names cannot grow it', async () => {
    const guard = new PrivacyGuard({ secret: 'a'.repeat(40), extraAttributes: ['app.note'] });
    const { counter, points } = counterWithReader(guard);
    for (let i = 0; i < 2500; i++)
      counter.add(1, interned({ 'app.note': `client-${'x'.repeat(i % 50)}${i}` }));
    const reported = await points();
    expect(reported).toHaveLength(1999);
    expect(reported.find((point) => point.attributes['otel.metric.overflow'] === true)?.value).toBe(502);
    expect(reported.reduce((sum, point) => sum + point.value, 0)).toBe(2500);
  });
});
