// The Sentry overlay adds a destination without touching the base: Sentry receives only error spans,
// already through privacy layer 2, authenticated with its key; Tempo still receives everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../support/capture.ts';
import { validateCollectorConfig } from '../support/collector.ts';
import {
  collectorConfigFiles,
  type KitCollector,
  startKitCollector,
  testCollectorSecrets,
} from '../support/kit-collector.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';
import { type SentrySink, startSentrySink } from '../support/sinks/sentry-sink.ts';

const overlay = 'collector/overlays/sentry.yaml';

function spans() {
  const now = `${BigInt(Date.now()) * 1_000_000n}`;
  const span = (tool: string, spanId: string, code: number) => ({
    traceId: 'c'.repeat(32),
    spanId,
    name: `tools/call ${tool}`,
    kind: 2,
    startTimeUnixNano: now,
    endTimeUnixNano: now,
    attributes: [
      { key: 'mcp.method.name', value: { stringValue: 'tools/call' } },
      { key: 'gen_ai.tool.name', value: { stringValue: tool } },
      { key: 'user.email', value: { stringValue: 'quanmath.85@example.com' } },
    ],
    status: { code },
  });
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'sentry-overlay-test' } }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: [span('ok', '1'.repeat(16), 1), span('failing', '2'.repeat(16), 2)],
          },
        ],
      },
    ],
  };
}

async function runWithKey(key: string) {
  const captureRoot = newCaptureRoot('sentry');
  const tempo = await startOtlpSink({ name: 'tempo', captureRoot });
  const sentry = await startSentrySink({ captureRoot, publicKey: 'right-key' });
  const collector = await startKitCollector({
    backends: { tempo: tempo.url, loki: `${tempo.url}/otlp`, prometheus: `${tempo.url}/api/v1/otlp` },
    overlays: [overlay],
    env: { SENTRY_OTLP_TRACES_ENDPOINT: sentry.tracesEndpoint, SENTRY_PUBLIC_KEY: key },
  });
  const response = await fetch(`${collector.otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...collector.authHeaders },
    body: JSON.stringify(spans()),
  });
  expect(response.status).toBe(200);
  await tempo.waitFor((data) => data.spans.length >= 2);
  return { tempo, sentry, collector };
}

describe('the Sentry overlay', () => {
  let run: { tempo: OtlpSink; sentry: SentrySink; collector: KitCollector };

  beforeAll(async () => {
    run = await runWithKey('right-key');
    await run.sentry.waitFor((data) => data.spans.length >= 1);
  });

  afterAll(async () => {
    await run?.collector.stop();
    await Promise.all([run?.tempo.close(), run?.sentry.close()]);
  });

  it('validates on top of the base', async () => {
    const result = await validateCollectorConfig([...collectorConfigFiles, overlay], {
      ...testCollectorSecrets,
      OTELCOL_QUEUE_DIR: newCaptureRoot('validate'),
      SENTRY_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/api/1/integration/otlp/v1/traces',
      SENTRY_PUBLIC_KEY: 'k',
    });
    expect(result).toEqual({ ok: true, output: '' });
  });

  it('sends Sentry only the error spans, redacted, with its auth header', () => {
    expect(run.sentry.spans.map((span) => span.name)).toEqual(['tools/call failing']);
    expect(run.sentry.spans[0]?.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'failing',
      // A failed MCP span without an error.type gets the conventions' fallback (rules.json conventions).
      'error.type': '_OTHER',
    });
    expect(
      run.sentry.requests.every(
        (request) => request.headers['x-sentry-auth'] === 'sentry sentry_key=right-key',
      ),
    ).toBe(true);
  });

  it('leaves the base destinations as they were', () => {
    expect(run.tempo.spans.map((span) => span.name).sort()).toEqual(['tools/call failing', 'tools/call ok']);
  });

  it('is refused by Sentry with a wrong key, while Tempo keeps receiving', async () => {
    const wrong = await runWithKey('wrong-key');
    const deadline = Date.now() + 20_000;
    while (wrong.sentry.requests.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(wrong.sentry.requests.length).toBeGreaterThan(0);
    expect(wrong.sentry.spans).toEqual([]);
    expect(wrong.tempo.spans.length).toBe(2);
    await wrong.collector.stop();
    await Promise.all([wrong.tempo.close(), wrong.sentry.close()]);
  });
});
