// The reference server's HTTP layer against what an attacker or a runaway client sends: malformed request
// targets, foreign Host headers, credentials outside the Bearer scheme, guessed tokens, someone else's
// session id, floods of sessions and requests, and cache timing across callers. Each answer is a status
// and one counted reason; the server keeps serving everyone else.
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticDetainees } from '../../examples/detainee-locator/dataset.ts';
import {
  type HttpLimits,
  startHttpServer,
  tokensFromEnvironment,
} from '../../examples/detainee-locator/server.ts';
import { startUpstream, type Upstream } from '../../examples/detainee-locator/upstream.ts';
import { UpstreamClient } from '../../examples/detainee-locator/upstream-client.ts';
import { eventually } from '../support/eventually.ts';
import { initializeRequest } from '../support/mcp.ts';
import { startCapturedTelemetry } from '../support/telemetry.ts';

const telemetry = startCapturedTelemetry();
const records = syntheticDetainees();
const tokens = { alice: 'alice-token-0123456789', bob: 'bob-token-0123456789ab' };
const bearer = (principal: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[principal]}` });

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream({ records });
});
afterAll(async () => {
  await upstream.close();
  await telemetry.handle.shutdown();
});

async function locator(limits: Partial<HttpLimits> = {}) {
  return startHttpServer({ upstream: new UpstreamClient(upstream.url), tokens, allowedOrigins: [], limits });
}

const initialize = initializeRequest('abuse-test');

/**
 * A JSON-RPC POST (node:http: fetch will not send a Host header of the caller's choosing); returns the
 * status, the reason of a refusal and the session id of an initialize.
 */
function post(url: string, headers: Record<string, string>, body: unknown = initialize) {
  return new Promise<{ status: number; reason: string | undefined; session: string | undefined }>(
    (resolve, reject) => {
      const request = httpRequest(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...headers,
          },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              reason: response.headers['content-type']?.startsWith('application/json')
                ? (JSON.parse(text) as { error?: string }).error
                : undefined,
              session: response.headers['mcp-session-id'] as string | undefined,
            }),
          );
        },
      );
      request.on('error', reject);
      request.end(typeof body === 'string' ? body : JSON.stringify(body));
    },
  );
}

/** The status line a raw HTTP/1.1 request gets: fetch would normalise a malformed target away. */
function rawStatus(port: number, requestLine: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () =>
      socket.write(`${requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
    );
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    socket.on('end', () => resolve(received.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

async function rejections(): Promise<Record<string, number>> {
  const { metrics } = await telemetry.collect();
  const counted: Record<string, number> = {};
  for (const metric of metrics.filter((m) => m.descriptor.name === 'mcpkit.http.rejections'))
    for (const point of metric.dataPoints)
      counted[String(point.attributes['error.type'])] =
        (counted[String(point.attributes['error.type'])] ?? 0) + Number(point.value);
  return counted;
}

describe('the reference server’s HTTP layer under abuse', () => {
  it('answers a request target that is no URL (`GET //`) with 400 and keeps serving', async () => {
    const http = await locator();
    const port = Number(new URL(http.url).port);
    expect(await rawStatus(port, 'GET // HTTP/1.1')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawStatus(port, 'GET http://[::1 HTTP/1.1')).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect((await post(http.url, bearer('alice'))).status).toBe(200);
    await http.close();
  });

  it('refuses a foreign Host header (DNS rebinding), credentials outside the Bearer scheme, and short tokens', async () => {
    const http = await locator();
    expect(await post(http.url, { ...bearer('alice'), host: 'attacker.example' })).toMatchObject({
      status: 403,
      reason: 'forbidden_host',
    });
    expect((await post(http.url, { authorization: tokens.alice })).status).toBe(401);
    expect((await post(http.url, { authorization: `Basic ${tokens.alice}` })).status).toBe(401);
    expect(
      (await post(http.url, { ...bearer('alice'), host: `localhost:${new URL(http.url).port}` })).status,
    ).toBe(200);
    await http.close();
    expect(() => tokensFromEnvironment({ LOCATOR_TOKEN: 'short' })).toThrow(/at least 16/);
    await expect(
      startHttpServer({
        upstream: new UpstreamClient(upstream.url),
        tokens: { x: 'short' },
        allowedOrigins: [],
      }),
    ).rejects.toThrow(/shorter than 16/);
  });

  it('binds a session to the principal that created it: another principal’s use of it is an unknown session', async () => {
    const http = await locator();
    const { session } = await post(http.url, bearer('alice'));
    expect(session).toBeDefined();
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    const headers = { 'mcp-session-id': String(session), 'mcp-protocol-version': '2025-06-18' };
    expect(await post(http.url, { ...bearer('bob'), ...headers }, list)).toMatchObject({
      status: 404,
      reason: 'unknown_session',
    });
    expect((await post(http.url, { ...bearer('alice'), ...headers }, list)).status).toBe(200);
    await http.close();
  });

  it('caps sessions per principal and in all, and closes idle ones', async () => {
    const http = await locator({ maxSessionsPerPrincipal: 2, maxSessions: 3, sessionIdleMs: 300 });
    expect((await post(http.url, bearer('alice'))).status).toBe(200);
    expect((await post(http.url, bearer('alice'))).status).toBe(200);
    expect(await post(http.url, bearer('alice'))).toMatchObject({ status: 429, reason: 'too_many_sessions' });
    expect((await post(http.url, bearer('bob'))).status).toBe(200);
    expect(await post(http.url, bearer('bob'))).toMatchObject({ status: 429, reason: 'too_many_sessions' });
    expect(http.sessions()).toBe(3);
    await eventually(async () => (http.sessions() === 0 ? true : undefined), 10_000);
    expect((await post(http.url, bearer('alice'))).status).toBe(200);
    await http.close();
  });

  it('limits each principal’s request rate without slowing the others', async () => {
    const http = await locator({ requestsPerSecond: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(http.url, bearer('alice'))).status);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.slice(2)).toContain(429);
    expect((await post(http.url, bearer('bob'))).status).toBe(200);
    await http.close();
  });

  it('stops comparing guesses from an address that keeps failing authentication', async () => {
    const http = await locator({ failedAuthPerMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await post(http.url, { authorization: `Bearer guess-${i}-0123456789abcdef` })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    await http.close();
    const counted = await rejections();
    expect(counted.rate_limited).toBeGreaterThanOrEqual(2);
    expect(counted.forbidden_host).toBeGreaterThanOrEqual(1);
    expect(counted.too_many_sessions).toBeGreaterThanOrEqual(2);
    expect(counted.bad_request).toBeGreaterThanOrEqual(1);
  });
});

describe('the upstream cache', () => {
  it('never answers one caller from another’s lookup, so no caller can time what others searched', async () => {
    const client = new UpstreamClient(upstream.url);
    const someone = records[0]?.alien_number ?? '';
    const before = upstream.requests;
    await client.forCaller('alice').byAlienNumber(someone);
    await client.forCaller('bob').byAlienNumber(someone);
    expect(upstream.requests - before).toBe(2);
    // Within one caller the cache still spares the upstream.
    await client.forCaller('alice').byAlienNumber(someone);
    expect(upstream.requests - before).toBe(2);
  });
});

describe('the reference server started with a malformed OTLP variable', () => {
  it('stops with one line naming the variable and the header, never a stack trace or the value', async () => {
    const server = path.join(import.meta.dirname, '../../examples/detainee-locator/server.ts');
    const result = await promisify(execFile)(process.execPath, [server, '--port', '0'], {
      env: {
        ...process.env,
        MCP_KIT_PSEUDONYM_KEY: 'abuse-test-pseudonym-key-0123456789abcdef',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer s3cr%ZZet',
      },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'detainee-locator: OTEL_EXPORTER_OTLP_HEADERS: the value of header "authorization" is not valid percent-encoding (a % must start %XX)',
    );
  });
});
