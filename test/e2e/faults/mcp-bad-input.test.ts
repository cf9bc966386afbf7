// Scenario 6 of the fault suite: bad input to the reference MCP server over Streamable HTTP, each
// carrying canary identities from the privacy corpus: oversized arguments, JSON nested deeper than any
// real call, invalid UTF-8, malformed JSON, unknown tools, arguments that violate the tool's schema, and a
// flood of concurrent calls from one principal. Each gets a clear JSON-RPC answer, the server never
// crashes and keeps serving others, and none of the canaries reaches any backend behind the collector.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CanaryRecord, type Leak, loadCanaries, NeedleScanner } from '../../support/canaries.ts';
import { newCaptureRoot } from '../../support/capture.ts';
import { recordFigures } from '../../support/faults/figures.ts';
import { type LocatorProcess, startLocatorProcess } from '../../support/faults/locator-process.ts';
import { type KitCollector, startKitCollector } from '../../support/kit-collector.ts';
import { initializeRequest } from '../../support/mcp.ts';
import { type OtlpSink, startOtlpSink } from '../../support/sinks/otlp-sink.ts';

const corpus = loadCanaries();
const records = corpus.records.slice(0, 6) as CanaryRecord[];
const person = (record: CanaryRecord) => ({
  first_name: record.detainee.first_name,
  last_name: record.detainee.last_name,
  date_of_birth: record.detainee.date_of_birth,
  country_of_birth: record.detainee.country_of_birth,
});

interface JsonRpcAnswer {
  status: number;
  messages: {
    id?: unknown;
    result?: { isError?: boolean; content?: { type?: string; text?: string }[]; protocolVersion?: string };
    error?: { code: number; message: string };
  }[];
}

describe('bad input to the reference MCP server', () => {
  const captureRoot = newCaptureRoot('fault-mcp-input');
  let sinks: OtlpSink[];
  let collector: KitCollector;
  let locator: LocatorProcess;
  let session = '';
  let nextId = 10;
  /** The well-formed search every run makes first: the canary check below never depends on test order. */
  let baseline: JsonRpcAnswer;
  const outcomes: Record<string, string> = {};
  const leaks: Leak[] = [];

  const send = async (
    body: string | Uint8Array,
    options: { token?: string; session?: string } = {},
  ): Promise<JsonRpcAnswer> => {
    const response = await fetch(locator.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${options.token ?? locator.token}`,
        'mcp-protocol-version': '2025-06-18',
        ...((options.session ?? session) ? { 'mcp-session-id': options.session ?? session } : {}),
      },
      body,
    });
    const text = await response.text();
    if (!session && response.headers.get('mcp-session-id'))
      session = response.headers.get('mcp-session-id') ?? '';
    const payloads = (response.headers.get('content-type') ?? '').includes('text/event-stream')
      ? text
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5))
      : text.trim()
        ? [text]
        : [];
    return { status: response.status, messages: payloads.map((payload) => JSON.parse(payload)) };
  };
  const call = (label: string, name: string, args: unknown): Promise<JsonRpcAnswer> =>
    send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: nextId++,
        method: 'tools/call',
        params: { name, arguments: args },
      }),
    ).then((answer) => {
      const message = answer.messages[0];
      outcomes[label] = message?.error
        ? `${answer.status} JSON-RPC ${message.error.code}`
        : message?.result?.isError
          ? `${answer.status} tool error`
          : `${answer.status} ${message ? 'result' : 'no body'}`;
      return answer;
    });

  beforeAll(async () => {
    sinks = await Promise.all(
      ['tempo', 'loki', 'prometheus'].map((name) => startOtlpSink({ name, captureRoot })),
    );
    const [tempo, loki, prometheus] = sinks as [OtlpSink, OtlpSink, OtlpSink];
    collector = await startKitCollector({
      backends: { tempo: tempo.url, loki: `${loki.url}/otlp`, prometheus: `${prometheus.url}/api/v1/otlp` },
    });
    locator = await startLocatorProcess({
      collectorUrl: collector.otlpHttpUrl,
      collectorHeaders: collector.authHeaders,
      env: { OTEL_BSP_SCHEDULE_DELAY: '500' },
    });
    const init = await send(initializeRequest('fault-agent'));
    expect(init.status).toBe(200);
    await send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    baseline = await call('valid search', 'search_detainee_by_name', person(records[0] as CanaryRecord));
  });

  afterAll(async () => {
    // In requests: every one is answered (a result, a tool error or a JSON-RPC error); none goes unanswered.
    recordFigures('6-mcp-bad-input', {
      order: 6,
      scenario:
        'Bad input to the reference MCP server (Streamable HTTP), canaries in every input, in requests',
      sent: Object.keys(outcomes).length,
      received: Object.values(outcomes).filter(Boolean).length,
      countedDrops: Object.values(outcomes).filter((outcome) => !outcome).length,
      notes: `${Object.entries(outcomes)
        .map(([label, outcome]) => `${label} → ${outcome}`)
        .join('; ')}; canary leaks in sinks: ${leaks.length}`,
    });
    await locator?.stop();
    await collector?.stop();
    await Promise.all((sinks ?? []).map((sink) => sink.close()));
  });

  it('answers a well-formed search (the baseline)', () => {
    const answer = baseline;
    expect(answer.status).toBe(200);
    expect(answer.messages[0]?.result?.isError).not.toBe(true);
    expect(answer.messages[0]?.result?.content?.[0]?.type).toBe('text');
  });

  it('refuses malformed JSON with a JSON-RPC parse error', async () => {
    const answer = await send(
      `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"${records[0]?.detainee.last_name}"`,
    );
    outcomes['malformed JSON'] = `${answer.status} JSON-RPC ${answer.messages[0]?.error?.code}`;
    expect(answer.status).toBe(400);
    expect(answer.messages[0]?.error?.code).toBe(-32700);
  });

  it('refuses arguments larger than the transport accepts', async () => {
    const huge = { ...person(records[1] as CanaryRecord), middle_name: 'x'.repeat(8 * 1024 * 1024) };
    const answer = await call('8 MiB argument', 'search_detainee_by_name', huge);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(locator.alive()).toBe(true);
  });

  it('answers JSON nested 50,000 levels deep with an error, not a crash', async () => {
    const deep = `${'['.repeat(50_000)}"${records[2]?.detainee.alien_number}"${']'.repeat(50_000)}`;
    const answer = await send(
      `{"jsonrpc":"2.0","id":${nextId++},"method":"tools/call","params":{"name":"search_detainee_by_alien_number","arguments":{"alien_number":${deep}}}}`,
    );
    const message = answer.messages[0];
    outcomes['JSON nested 50k deep'] =
      `${answer.status} ${message?.error ? `JSON-RPC ${message.error.code}` : message?.result?.isError ? 'tool error' : 'result'}`;
    expect(Boolean(message?.error) || Boolean(message?.result?.isError)).toBe(true);
    expect(locator.alive()).toBe(true);
  });

  it('answers invalid UTF-8 in arguments without crashing', async () => {
    const body = Buffer.from(
      JSON.stringify({
        jsonrpc: '2.0',
        id: nextId++,
        method: 'tools/call',
        params: {
          name: 'search_detainee_by_name',
          arguments: { ...person(records[3] as CanaryRecord), middle_name: 'QQQQ' },
        },
      }),
    );
    body.set([0xff, 0xfe, 0xc0, 0x80], body.indexOf('QQQQ'));
    const answer = await send(body);
    const message = answer.messages[0];
    outcomes['invalid UTF-8'] =
      `${answer.status} ${message?.error ? `JSON-RPC ${message.error.code}` : message?.result?.isError ? 'tool error' : 'result'}`;
    // Answered, as a result, a tool error or a JSON-RPC error, and the server still serves.
    expect(answer.status).toBe(200);
    expect(Boolean(message?.result?.content) || typeof message?.error?.code === 'number').toBe(true);
    expect(locator.alive()).toBe(true);
  });

  it('names an unknown tool in a JSON-RPC error', async () => {
    const answer = await call('unknown tool', 'find_everyone', person(records[4] as CanaryRecord));
    const message = answer.messages[0];
    const text = message?.error?.message ?? message?.result?.content?.[0]?.text ?? '';
    expect(typeof message?.error?.code === 'number' || message?.result?.isError === true).toBe(true);
    expect(text).toContain('find_everyone');
  });

  it('refuses schema-violating arguments with a validation error', async () => {
    const record = records[5] as CanaryRecord;
    for (const [label, args] of [
      ['missing required argument', { first_name: record.detainee.first_name }],
      ['wrong argument type', { ...person(record), fuzzy_search: record.detainee.alien_number }],
      ['arguments not an object', [record.detainee.alien_number]],
    ] as const) {
      const answer = await call(label, 'search_detainee_by_name', args);
      const message = answer.messages[0];
      // The SDK reports a schema violation as a tool error quoting -32602 and the failing path (never the
      // value); arguments that are not an object fail its request schema and come back as -32603.
      const text = message?.error?.message ?? message?.result?.content?.[0]?.text ?? '';
      expect(Boolean(message?.error) || message?.result?.isError === true, label).toBe(true);
      expect(text, label).toMatch(/-32602|invalid/i);
    }
  });

  it('survives a flood of concurrent calls from one principal and keeps serving another', async () => {
    const flood = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        send(
          JSON.stringify({
            jsonrpc: '2.0',
            id: 1000 + i,
            method: 'tools/call',
            params: {
              name: 'search_detainee_by_alien_number',
              arguments: { alien_number: records[i % records.length]?.detainee.alien_number },
            },
          }),
        ).catch((error: Error) => ({ status: 0, messages: [], error })),
      ),
    );
    const answered = flood.filter((answer) => answer.messages[0]?.result || answer.messages[0]?.error).length;
    outcomes['flood of 200 concurrent calls (one principal)'] = `${answered} answered`;
    expect(answered).toBe(200);
    expect(locator.alive()).toBe(true);

    const bob = await send(initializeRequest('other-agent'), { token: `${locator.token}-bob`, session: '' });
    expect(bob.status).toBe(200);
    expect(bob.messages[0]?.result?.protocolVersion).toBe('2025-06-18');
  });

  it('delivers none of the canaries to any backend', async () => {
    expect(await locator.stop(), 'the server exits cleanly after flushing its telemetry').toBe(0);
    const [tempo] = sinks as [OtlpSink];
    await tempo.waitFor((data) => data.spans.some((span) => span.name.startsWith('tools/call')), 30_000);
    const needles = corpus.needles.filter((needle) => records.some((record) => record.id === needle.record));
    const scanner = new NeedleScanner(needles);
    for (const sink of sinks) {
      for (const file of readdirSync(sink.captureDir)) {
        leaks.push(...scanner.scan(readFileSync(path.join(sink.captureDir, file)), `${sink.name}/${file}`));
      }
    }
    expect(
      leaks.slice(0, 5).map((leak) => `${leak.needle.entity} in ${leak.where}: …${leak.context}…`),
    ).toEqual([]);
  });
});
