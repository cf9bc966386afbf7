// The library's default setup end to end: startTelemetry() with nothing but the standard OTEL_*
// variables exports an instrumented MCP server's spans, metrics and logs, plus host and runtime
// metrics, through the real collector running the kit's configuration (bearer token, privacy layer 2)
// to the backends. Both privacy layers together keep what operators need.
import { logs } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry } from '../../src/index.ts';
import type { TelemetryHandle } from '../../src/types.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { type KitCollector, startKitCollector } from '../support/kit-collector.ts';
import { connect } from '../support/mcp.ts';
import { scenarioServer } from '../support/scenario-server.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';

describe('startTelemetry() defaults, through the kit’s collector configuration', () => {
  let sink: OtlpSink;
  let collector: KitCollector;
  let telemetry: TelemetryHandle;

  beforeAll(async () => {
    sink = await startOtlpSink({ name: 'backend', captureRoot: newCaptureRoot('library-e2e') });
    collector = await startKitCollector({
      backends: { tempo: sink.url, loki: `${sink.url}/otlp`, prometheus: `${sink.url}/api/v1/otlp` },
    });
    Object.assign(process.env, collector.sdkEnv);
    process.env.OTEL_SERVICE_NAME = 'library-e2e';
    telemetry = startTelemetry({ pseudonymKey: 'e2e-pseudonym-key-0123456789abcdef' });

    const connection = await connect('1.x', 'http', () => scenarioServer('1.x'));
    await connection.client.callTool({ name: 'search', arguments: { query: 'river', language: 'en' } });
    logs.getLogger('app').emit({ body: 'served one search' });
    await connection.close();
    await telemetry.forceFlush();
    await sink.waitFor(
      (data) =>
        data.spans.some((span) => span.name === 'tools/call search') &&
        data.dataPoints.some((point) => point.metric === 'mcp.server.operation.duration') &&
        data.logRecords.length > 0,
    );
  });

  afterAll(async () => {
    await telemetry?.shutdown();
    await collector?.stop();
    await sink?.close();
  });

  it('delivers the tool call span with its service name and a pseudonymous session', () => {
    const span = sink.spans.find((s) => s.name === 'tools/call search');
    expect(span?.resource['service.name']).toBe('library-e2e');
    expect(span?.attributes).toMatchObject({
      'gen_ai.tool.name': 'search',
      'mcp.session.id': expect.stringMatching(/^ps_/),
    });
  });

  it('delivers the MCP duration metric, host metrics and runtime metrics', () => {
    const names = new Set(sink.dataPoints.map((point) => point.metric));
    expect(names).toContain('mcp.server.operation.duration');
    expect([...names].some((name) => name.startsWith('system.') || name.startsWith('process.'))).toBe(true);
    expect([...names].some((name) => name.startsWith('nodejs.') || name.startsWith('v8js.'))).toBe(true);
  });

  it('delivers application logs', () => {
    expect(sink.logRecords.map((record) => record.body)).toContain('served one search');
  });
});
