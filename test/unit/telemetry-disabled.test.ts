// OTEL_SDK_DISABLED=true is a hard off: startTelemetry() registers nothing and records nothing.
import { metrics, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { startTelemetry } from '../../src/index.ts';

describe('startTelemetry with OTEL_SDK_DISABLED=true', () => {
  it('starts no SDK: spans do not record and the meter provider stays the no-op one', async () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    const noopMeterProvider = metrics.getMeterProvider();
    const handle = startTelemetry();
    expect(trace.getTracer('t').startSpan('s').isRecording()).toBe(false);
    expect(metrics.getMeterProvider()).toBe(noopMeterProvider);
    await handle.shutdown();
    delete process.env.OTEL_SDK_DISABLED;
  });
});
