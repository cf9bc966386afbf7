// HTTP spans of an ES-module application (test/support/fixtures/esm-http-app.ts, run by Node itself, not
// through the test runner's module loader): node:http is imported before startTelemetry() runs, which
// require() hooks never see; the kit must still trace outgoing requests, and incoming ones when asked
// (httpServerSpans), through layer 1.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';

const app = path.join(import.meta.dirname, '../support/fixtures/esm-http-app.ts');

async function spansOf(env: Record<string, string> = {}) {
  const { stdout } = await promisify(execFile)(process.execPath, [app], { env: { ...process.env, ...env } });
  const spans = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { kind: number; name: string; attributes: Record<string, unknown> });
  return { stdout, spans };
}

describe('an ES-module application using node:http', () => {
  it('gets a client span for an outgoing request, without its query string', async () => {
    const { stdout, spans } = await spansOf();
    expect(spans.map(({ kind, name }) => ({ kind, name }))).toEqual([{ kind: SpanKind.CLIENT, name: 'GET' }]);
    expect(stdout).not.toContain('someone');
  });

  it('gets a server span per incoming request too with httpServerSpans', async () => {
    const { stdout, spans } = await spansOf({ HTTP_SERVER_SPANS: 'true' });
    expect(spans.map(({ kind, name }) => ({ kind, name }))).toEqual(
      expect.arrayContaining([
        { kind: SpanKind.SERVER, name: 'GET' },
        { kind: SpanKind.CLIENT, name: 'GET' },
      ]),
    );
    expect(spans.find((span) => span.kind === SpanKind.SERVER)?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
    });
    expect(stdout).not.toContain('someone');
  });
});
