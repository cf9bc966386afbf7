// The reference detainee-locator MCP server, instrumented with mcp-telemetry-kit.
//
//   node examples/detainee-locator/server.ts [--transport stdio|http] [--port 8080] [--host 127.0.0.1]
//
// Environment: UPSTREAM_URL (the locator to query; without it a simulated upstream starts in-process),
// LOCATOR_TOKENS (`principal:token` pairs, comma-separated: the bearer tokens HTTP clients may present,
// and whom each one identifies; `label*N:secret` is a pool of N principals `label-1..N` whose tokens are
// derived from the secret, see agent-pool.ts; LOCATOR_TOKEN alone means one principal, `default`; tokens
// have at least 16 characters; either also from the file LOCATOR_TOKENS_FILE or LOCATOR_TOKEN_FILE names,
// see ../env-secret.ts), LOCATOR_ALLOWED_ORIGINS (comma-separated browser origins allowed;
// requests without an Origin header are allowed), LOCATOR_ALLOWED_HOSTS (comma-separated Host names; by
// default the loopback names and --host), the limits of limitsFromEnvironment(), the OTEL_* variables
// (MCP_KIT_OTLP_HEADERS_FILE for headers kept in a file) and MCP_KIT_PSEUDONYM_KEY (or _FILE) for the telemetry. `npm run example:server` runs it over HTTP.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { logs, SeverityNumber } from '@opentelemetry/api';
import {
  type HttpRejectionReason,
  instrumentMcpServer,
  PseudonymKeyError,
  recordHttpRejection,
  SdkEnvError,
  startTelemetry,
} from '../../src/index.ts';
import { EnvSecretError, envSecret } from '../env-secret.ts';
import { agentPool } from './agent-pool.ts';
import { registerLocatorTools, toolPolicies } from './tools.ts';
import { startUpstream } from './upstream.ts';
import { UpstreamClient } from './upstream-client.ts';

/** One MCP server with the locator's tools, instrumented with the kit. */
export function createLocatorServer(upstream: UpstreamClient): McpServer {
  const server = new McpServer({ name: 'detainee-locator', version: '1.0.0' });
  registerLocatorTools(server, upstream);
  return instrumentMcpServer(server, {
    tools: toolPolicies,
    // The caller is the token's subject when an auth layer provides one; the kit keeps only a pseudonym.
    identify: ({ authInfo }) => (typeof authInfo?.clientId === 'string' ? authInfo.clientId : undefined),
  });
}

/** A setting the server cannot start with; said in one line. */
export class ServerSettingError extends Error {
  override name = 'ServerSettingError';
}

/** Bearer tokens shorter than this are refused at start: a guessable token is no authentication. */
export const MIN_TOKEN_LENGTH = 16;

/** The principal whose token the Authorization header presents (Bearer scheme), in constant time. */
function principalOf(header: string | undefined, tokens: Record<string, string>): string | undefined {
  const presented = /^Bearer +(\S+)$/i.exec(header ?? '')?.[1];
  if (!presented) return undefined;
  const bytes = Buffer.from(presented);
  for (const [principal, token] of Object.entries(tokens)) {
    const expected = Buffer.from(token);
    if (bytes.length === expected.length && timingSafeEqual(bytes, expected)) return principal;
  }
  return undefined;
}

/**
 * LOCATOR_TOKENS (`principal:token,…`, where `label*N:secret` stands for the pool of agent-pool.ts) or
 * LOCATOR_TOKEN (principal `default`), each either the variable or the file its `_FILE` twin names. A
 * token shorter than MIN_TOKEN_LENGTH is refused.
 */
export function tokensFromEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const list = envSecret('LOCATOR_TOKENS', env);
  const single = envSecret('LOCATOR_TOKEN', env);
  const tokens: Record<string, string> = list
    ? Object.fromEntries(
        list
          .split(',')
          .map((pair) => pair.split(':'))
          .filter(
            (pair): pair is [string, string] => pair.length === 2 && Boolean(pair[0]) && Boolean(pair[1]),
          )
          .flatMap(([principal, token]) => {
            const pool = /^([^*]+)\*(\d+)$/.exec(principal);
            return pool
              ? Object.entries(agentPool(pool[1] ?? '', Number(pool[2]), token))
              : [[principal, token]];
          }),
      )
    : single
      ? { default: single }
      : {};
  return refuseShortTokens(tokens);
}

/** The tokens, unless one is shorter than MIN_TOKEN_LENGTH: then the server refuses to start. */
function refuseShortTokens(tokens: Record<string, string>): Record<string, string> {
  const short = Object.entries(tokens).find(([, token]) => token.length < MIN_TOKEN_LENGTH);
  if (short)
    throw new ServerSettingError(
      `the token of principal ${short[0]} is shorter than ${MIN_TOKEN_LENGTH} characters (${short[1].length}); at least ${MIN_TOKEN_LENGTH} are required`,
    );
  return tokens;
}

/** Limits that keep one caller, or a flood of unauthenticated requests, from exhausting the server. */
export interface HttpLimits {
  /** Open sessions in all (default 1,000; about 100 KiB each). */
  maxSessions: number;
  /** Open sessions per principal (default 20). */
  maxSessionsPerPrincipal: number;
  /** A session unused this long is closed (default 10 minutes). */
  sessionIdleMs: number;
  /** Requests per second per principal, sustained (default 50), with bursts of twice that. */
  requestsPerSecond: number;
  /** Failed authentications per client address per minute before it is refused for a minute (default 20). */
  failedAuthPerMinute: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxSessions: 1_000,
  maxSessionsPerPrincipal: 20,
  sessionIdleMs: 10 * 60_000,
  requestsPerSecond: 50,
  failedAuthPerMinute: 20,
};

/** LOCATOR_MAX_SESSIONS, LOCATOR_MAX_SESSIONS_PER_PRINCIPAL, LOCATOR_SESSION_IDLE_MS, LOCATOR_RATE_PER_PRINCIPAL, LOCATOR_FAILED_AUTH_PER_MINUTE. */
export function limitsFromEnvironment(env: NodeJS.ProcessEnv = process.env): HttpLimits {
  const number = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isFinite(value) || value <= 0)
      throw new ServerSettingError(`${name} must be a positive number`);
    return value;
  };
  return {
    maxSessions: number('LOCATOR_MAX_SESSIONS', DEFAULT_HTTP_LIMITS.maxSessions),
    maxSessionsPerPrincipal: number(
      'LOCATOR_MAX_SESSIONS_PER_PRINCIPAL',
      DEFAULT_HTTP_LIMITS.maxSessionsPerPrincipal,
    ),
    sessionIdleMs: number('LOCATOR_SESSION_IDLE_MS', DEFAULT_HTTP_LIMITS.sessionIdleMs),
    requestsPerSecond: number('LOCATOR_RATE_PER_PRINCIPAL', DEFAULT_HTTP_LIMITS.requestsPerSecond),
    failedAuthPerMinute: number('LOCATOR_FAILED_AUTH_PER_MINUTE', DEFAULT_HTTP_LIMITS.failedAuthPerMinute),
  };
}

export interface HttpOptions {
  upstream: UpstreamClient;
  /** Bearer tokens by the principal they identify. */
  tokens: Record<string, string>;
  allowedOrigins: string[];
  /**
   * Host header names the server answers to (DNS-rebinding defence); default localhost, 127.0.0.1,
   * [::1] and the host it binds to.
   */
  allowedHosts?: string[];
  limits?: Partial<HttpLimits>;
  port?: number;
  host?: string;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  /** The principal that created it: no other may use it. */
  principal: string;
  lastUsed: number;
}

/** A token bucket per key: `rate` per second, bursts of `burst`. Forgets keys that are full again. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly rate: number;
  private readonly burst: number;

  constructor(rate: number, burst: number) {
    this.rate = rate;
    this.burst = burst;
  }

  take(key: string, now = performance.now()): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    return allowed;
  }

  /** Drops buckets that have refilled: they hold nothing a new one would not. */
  sweep(now = performance.now()): void {
    for (const [key, bucket] of this.buckets)
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.rate >= this.burst) this.buckets.delete(key);
  }
}

/**
 * Streamable HTTP at /mcp with sessions, behind bearer-token auth, Host and Origin validation, per
 * principal rate and session limits, idle expiry, and a limit on failed authentications per address.
 * Every refusal is one line of JSON and a counted reason; an error in handling one request answers
 * 400 or 500 and the server goes on serving.
 */
export async function startHttpServer(
  options: HttpOptions,
): Promise<{ url: string; server: Server; sessions(): number; close(): Promise<void> }> {
  refuseShortTokens(options.tokens);
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const host = options.host ?? '127.0.0.1';
  const allowedHosts = new Set(
    options.allowedHosts ?? ['localhost', '127.0.0.1', '[::1]', ...(host === '0.0.0.0' ? [] : [host])],
  );
  const sessions = new Map<string, Session>();
  const requests = new RateLimiter(limits.requestsPerSecond, limits.requestsPerSecond * 2);
  const failedAuth = new RateLimiter(limits.failedAuthPerMinute / 60, limits.failedAuthPerMinute);

  const refuse = (response: ServerResponse, status: number, reason: HttpRejectionReason) => {
    recordHttpRejection(reason);
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: reason }));
  };
  const sessionsOf = (principal: string) =>
    [...sessions.values()].filter((session) => session.principal === principal).length;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    // URL.parse, not new URL: a request target such as `//` is no URL, and must not throw.
    const url = URL.parse(request.url ?? '/', 'http://locator');
    if (!url) return refuse(response, 400, 'bad_request');
    if (url.pathname !== '/mcp') return refuse(response, 404, 'not_found');
    // The SDK's Host check is Express middleware (hostHeaderValidation) or a deprecated transport
    // option; this server is plain node:http, so it compares the hostname itself, port-agnostic.
    const hostname = URL.parse(`http://${request.headers.host ?? ''}`)?.hostname;
    if (!hostname || !allowedHosts.has(hostname)) return refuse(response, 403, 'forbidden_host');
    const origin = request.headers.origin;
    if (origin && !options.allowedOrigins.includes(origin)) return refuse(response, 403, 'forbidden_origin');
    const address = request.socket.remoteAddress ?? 'unknown';
    const principal = principalOf(request.headers.authorization, options.tokens);
    if (!principal) {
      // An address that keeps failing is refused before its guesses are even compared.
      return failedAuth.take(address)
        ? refuse(response, 401, 'unauthorized')
        : refuse(response, 429, 'rate_limited');
    }
    if (!requests.take(principal)) {
      response.setHeader('retry-after', '1');
      return refuse(response, 429, 'rate_limited');
    }
    // The SDK hands `req.auth` to handlers as authInfo; the kit's identify hook turns it into a pseudonym.
    (request as IncomingMessage & { auth?: unknown }).auth = { token: '', clientId: principal, scopes: [] };

    const sessionId = request.headers['mcp-session-id'];
    let session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    // Another principal's session id is answered as unknown: its existence is not confirmed.
    if (session && session.principal !== principal) session = undefined;
    if (!session) {
      if (typeof sessionId === 'string') return refuse(response, 404, 'unknown_session');
      if (sessions.size >= limits.maxSessions || sessionsOf(principal) >= limits.maxSessionsPerPrincipal) {
        response.setHeader('retry-after', '60');
        return refuse(response, 429, 'too_many_sessions');
      }
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) =>
          void sessions.set(id, { transport, principal, lastUsed: performance.now() }),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      // Each session's server sees only its principal's cache entries (upstream-client.ts).
      await createLocatorServer(options.upstream.forCaller(principal)).connect(transport);
      await transport.handleRequest(request, response);
      return;
    }
    session.lastUsed = performance.now();
    await session.transport.handleRequest(request, response);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // One line, with no request data in it; the server goes on serving.
      console.error(`detainee-locator: request failed: ${(error as Error)?.name ?? 'Error'}`);
      if (!response.headersSent) refuse(response, 500, 'server_error');
      else response.destroy();
    });
  });
  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const session of sessions.values())
        if (now - session.lastUsed > limits.sessionIdleMs) void session.transport.close();
      requests.sweep(now);
      failedAuth.sweep(now);
    },
    Math.min(60_000, limits.sessionIdleMs),
  );
  sweep.unref();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/mcp`,
    server,
    sessions: () => sessions.size,
    close: async () => {
      clearInterval(sweep);
      await Promise.all([...sessions.values()].map((session) => session.transport.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs the server as a program: options from argv, settings from the environment. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      transport: { type: 'string', default: 'http' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const telemetry = startTelemetry({
    serviceName: process.env.OTEL_SERVICE_NAME ?? 'detainee-locator',
    serviceVersion: '1.0.0',
    // The server's own metrics (upstream-client.ts): only known namespaces are exported.
    metricPrefixes: ['locator[.]'],
  });
  const upstreamUrl = process.env.UPSTREAM_URL ?? (await startUpstream()).url;
  const upstream = new UpstreamClient(upstreamUrl);
  if (values.transport === 'stdio') {
    await createLocatorServer(upstream).connect(new StdioServerTransport());
  } else {
    const tokens = tokensFromEnvironment();
    if (Object.keys(tokens).length === 0)
      throw new ServerSettingError('LOCATOR_TOKENS or LOCATOR_TOKEN is required for the HTTP transport');
    const allowedHosts = (process.env.LOCATOR_ALLOWED_HOSTS ?? '').split(',').filter(Boolean);
    const http = await startHttpServer({
      upstream,
      tokens,
      allowedOrigins: (process.env.LOCATOR_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
      ...(allowedHosts.length ? { allowedHosts } : {}),
      limits: limitsFromEnvironment(),
      port: Number(values.port),
      host: values.host,
    });
    console.error(`detainee-locator listening on ${http.url}`);
    // The operator's record of a start, in the logs backend beside the outage records of
    // upstream-client.ts; constant, the address stays on stderr.
    logs.getLogger('detainee-locator').emit({
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      eventName: 'locator.server.started',
      body: 'detainee-locator serving MCP over HTTP',
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void telemetry.shutdown().then(() => process.exit(0)));
}

if (import.meta.main) {
  // A setting it cannot start with (no pseudonym key, a short token, a bad limit, a bad OTLP variable)
  // is one line, never a stack trace; anything else is a bug and keeps its stack.
  main().catch((error: unknown) => {
    const setting =
      error instanceof PseudonymKeyError ||
      error instanceof ServerSettingError ||
      error instanceof EnvSecretError ||
      error instanceof SdkEnvError;
    if (!setting) throw error;
    console.error(`detainee-locator: ${error.message}`);
    process.exit(1);
  });
}
