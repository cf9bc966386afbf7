// The privacy guard's own signals, as the SDK would export them: layer 1 counts each value it rewrites
// (mcpkit.privacy.redactions, a bare count that says neither what nor where), and the disk alert's gauge
// (system.filesystem.utilization) reports the working directory's filesystem as a share.
import { logs, trace } from '@opentelemetry/api';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { METRIC_MCPKIT_PRIVACY_REDACTIONS } from '../../src/semconv.ts';
import { startCapturedTelemetry } from '../support/telemetry.ts';

const telemetry = startCapturedTelemetry({ hostMetrics: true });
afterAll(() => telemetry.handle.shutdown());

type Point = { attributes: Record<string, unknown>; value: number };
const points = (metrics: MetricData[], name: string) =>
  metrics
    .filter((metric) => metric.descriptor.name === name)
    .flatMap((metric) => metric.dataPoints as Point[]);
const redactions = async () =>
  points((await telemetry.collect()).metrics, METRIC_MCPKIT_PRIVACY_REDACTIONS).reduce(
    (sum, point) => sum + point.value,
    0,
  );

describe('privacy guard signals', () => {
  it('counts each value layer 1 rewrites, and nothing about it', async () => {
    const before = await redactions();
    const tracer = trace.getTracer('careless-app');
    tracer.startSpan('lookup A-113-716-303').end();
    logs.getLogger('careless-app').emit({ body: 'searching for quanmath.85@example.com' });
    tracer.startSpan('tools/call search').end();
    expect((await redactions()) - before).toBe(2);

    const [point] = points((await telemetry.collect()).metrics, METRIC_MCPKIT_PRIVACY_REDACTIONS);
    expect(point?.attributes).toEqual({});
  });

  it('reports how full the working directory’s filesystem is, as a share', async () => {
    const [point] = points((await telemetry.collect()).metrics, 'system.filesystem.utilization');
    expect(point?.value).toBeGreaterThan(0);
    expect(point?.value).toBeLessThanOrEqual(1);
    expect(point?.attributes).toEqual({});
  });
});
