// The simulated upstream locator: a small HTTP service over the synthetic dataset, with injectable
// latency, errors, rate limiting (429 + Retry-After) and outages, so the reference server's politeness
// and the kit's upstream alerts can be exercised. Never a real service.
//
//   GET  /v1/detainees/{A-number}              one record, or 404
//   GET  /v1/search?country=&date_of_birth=    candidates (the server matches names itself)
//   POST /admin/faults {latencyMs, errorRate, rateLimitPerSecond, outage}   change faults at run time
//   GET  /health
//
// Run alone: `npm run example:upstream -- --port 8090` (see the end of this file).
//
// It instruments its own routes (a SERVER span per request, parented on the caller's traceparent):
// node:http is loaded before any OpenTelemetry instrumentation could patch it in an ES module process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
} from '@opentelemetry/semantic-conventions';
import { type DetaineeRecord, syntheticDetainees } from './dataset.ts';

export interface Faults {
  latencyMs: number;
  /** 0..1: share of requests answered 500. */
  errorRate: number;
  /** Requests per second before 429 with Retry-After; 0 = unlimited. */
  rateLimitPerSecond: number;
  /** Every request answered 503. */
  outage: boolean;
}

export const noFaults: Faults = { latencyMs: 0, errorRate: 0, rateLimitPerSecond: 0, outage: false };

export interface Upstream {
  url: string;
  server: Server;
  faults: Faults;
  requests: number;
  /** Most requests that were ever being served at once (the client's politeness shows here). */
  maxInFlight: number;
  close(): Promise<void>;
}

const tracer = trace.getTracer('detainee-locator-upstream');

function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

export async function startUpstream(
  options: { records?: DetaineeRecord[]; faults?: Partial<Faults>; port?: number; host?: string } = {},
): Promise<Upstream> {
  const records = options.records ?? syntheticDetainees();
  const byNumber = new Map(records.map((record) => [record.alien_number, record]));
  const faults: Faults = { ...noFaults, ...options.faults };
  let inFlight = 0;
  let windowStart = Date.now();
  let windowCount = 0;

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<string> => {
    const url = new URL(request.url ?? '/', 'http://upstream');
    const answer = (status: number, body: unknown, routeName: string) => {
      json(response, status, body);
      return routeName;
    };
    if (url.pathname === '/health') return answer(200, { ok: true }, 'GET /health');
    if (request.method === 'POST' && url.pathname === '/admin/faults') {
      let body = '';
      for await (const chunk of request) body += chunk;
      Object.assign(faults, JSON.parse(body || '{}') as Partial<Faults>);
      json(response, 200, faults);
      return 'POST /admin/faults';
    }
    upstream.requests++;
    inFlight++;
    upstream.maxInFlight = Math.max(upstream.maxInFlight, inFlight);
    response.once('close', () => inFlight--);
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (faults.outage) return answer(503, { error: 'unavailable' }, 'outage');
    if (faults.rateLimitPerSecond > 0) {
      if (Date.now() - windowStart >= 1000) [windowStart, windowCount] = [Date.now(), 0];
      if (++windowCount > faults.rateLimitPerSecond) {
        json(response, 429, { error: 'rate limited' }, { 'retry-after': '1' });
        return 'rate_limited';
      }
    }
    if (faults.errorRate > 0 && Math.random() < faults.errorRate)
      return answer(500, { error: 'internal' }, 'error');
    const one = /^\/v1\/detainees\/(A\d{9})$/.exec(url.pathname);
    if (request.method === 'GET' && one?.[1]) {
      const record = byNumber.get(one[1]);
      record ? json(response, 200, record) : json(response, 404, { error: 'not found' });
      return 'GET /v1/detainees/{alien_number}';
    }
    if (request.method === 'GET' && url.pathname === '/v1/search') {
      const country = url.searchParams.get('country');
      const dob = url.searchParams.get('date_of_birth');
      const found = records.filter(
        (record) =>
          (!country || record.country_of_birth === country) && (!dob || record.date_of_birth === dob),
      );
      json(response, 200, { results: found.slice(0, 200) });
      return 'GET /v1/search';
    }
    json(response, 404, { error: 'no such route' });
    return 'unknown';
  };

  const server = createServer((request, response) => {
    const parent = propagation.extract(context.active(), request.headers);
    tracer.startActiveSpan(`${request.method} upstream`, { kind: SpanKind.SERVER }, parent, async (span) => {
      try {
        const route_ = await route(request, response);
        span.updateName(route_);
        span.setAttribute(ATTR_HTTP_REQUEST_METHOD, request.method ?? 'GET');
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
        if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      } catch {
        if (!response.headersSent) json(response, 500, { error: 'internal' });
        span.setStatus({ code: SpanStatusCode.ERROR });
      } finally {
        span.end();
      }
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const upstream: Upstream = {
    url: `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`,
    server,
    faults,
    requests: 0,
    maxInFlight: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return upstream;
}

// `npm run example:upstream -- [--port 8090] [--host 127.0.0.1]`: the simulated upstream on
// its own, for a server that does not start one in-process (the Python server, examples/detainee-locator-py).
if (import.meta.main) {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '8090' }, host: { type: 'string', default: '127.0.0.1' } },
  });
  const upstream = await startUpstream({ port: Number(values.port), host: values.host });
  console.error(`simulated upstream listening on ${upstream.url}`);
}
