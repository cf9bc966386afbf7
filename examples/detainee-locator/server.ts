// The reference detainee-locator MCP server, instrumented with mcp-telemetry-kit.
//
//   node examples/detainee-locator/server.ts [--transport stdio|http] [--port 8080] [--host 127.0.0.1]
//
// Environment: UPSTREAM_URL (the locator to query; without it a simulated upstream starts in-process),
// LOCATOR_TOKENS (`principal:token` pairs, comma-separated: the bearer tokens HTTP clients may present,
// and whom each one identifies; `label*N:secret` is a pool of N principals `label-1..N` whose tokens are
// derived from the secret, see agent-pool.ts; LOCATOR_TOKEN alone means one principal, `default`), LOCATOR_ALLOWED_ORIGINS (comma-separated
// browser origins allowed; requests without an Origin header are allowed), the OTEL_* variables and
// MCP_KIT_PSEUDONYM_KEY for the telemetry. `npm run example:server` runs it over HTTP.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  type HttpRejectionReason,
  instrumentMcpServer,
  recordHttpRejection,
  startTelemetry,
} from '../../src/index.ts';
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

/** The principal whose token the Authorization header presents, compared in constant time. */
function principalOf(header: string | undefined, tokens: Record<string, string>): string | undefined {
  const presented = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  for (const [principal, token] of Object.entries(tokens)) {
    const expected = Buffer.from(token);
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) return principal;
  }
  return undefined;
}

/**
 * LOCATOR_TOKENS (`principal:token,…`, where `label*N:secret` stands for the pool of agent-pool.ts) or
 * LOCATOR_TOKEN (principal `default`).
 */
export function tokensFromEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.LOCATOR_TOKENS) {
    return Object.fromEntries(
      env.LOCATOR_TOKENS.split(',')
        .map((pair) => pair.split(':'))
        .filter((pair): pair is [string, string] => pair.length === 2 && Boolean(pair[0]) && Boolean(pair[1]))
        .flatMap(([principal, token]) => {
          const pool = /^([^*]+)\*(\d+)$/.exec(principal);
          return pool
            ? Object.entries(agentPool(pool[1] ?? '', Number(pool[2]), token))
            : [[principal, token]];
        }),
    );
  }
  return env.LOCATOR_TOKEN ? { default: env.LOCATOR_TOKEN } : {};
}

export interface HttpOptions {
  upstream: UpstreamClient;
  /** Bearer tokens by the principal they identify. */
  tokens: Record<string, string>;
  allowedOrigins: string[];
  port?: number;
  host?: string;
}

/** Streamable HTTP at /mcp with sessions, behind bearer-token auth and Origin validation. */
export async function startHttpServer(
  options: HttpOptions,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();

  const refuse = (response: ServerResponse, status: number, reason: HttpRejectionReason) => {
    recordHttpRejection(reason);
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: reason }));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (new URL(request.url ?? '/', 'http://locator').pathname !== '/mcp')
      return refuse(response, 404, 'not_found');
    const origin = request.headers.origin;
    if (origin && !options.allowedOrigins.includes(origin)) return refuse(response, 403, 'forbidden_origin');
    const principal = principalOf(request.headers.authorization, options.tokens);
    if (!principal) return refuse(response, 401, 'unauthorized');
    // The SDK hands `req.auth` to handlers as authInfo; the kit's identify hook turns it into a pseudonym.
    (request as IncomingMessage & { auth?: unknown }).auth = { token: '', clientId: principal, scopes: [] };

    const sessionId = request.headers['mcp-session-id'];
    let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (!transport) {
      if (typeof sessionId === 'string') return refuse(response, 404, 'unknown_session');
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, transport as StreamableHTTPServerTransport),
      });
      transport.onclose = () => {
        if (transport?.sessionId) sessions.delete(transport.sessionId);
      };
      await createLocatorServer(options.upstream).connect(transport);
    }
    await transport.handleRequest(request, response);
  };

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/mcp`,
    server,
    close: async () => {
      await Promise.all([...sessions.values()].map((transport) => transport.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (import.meta.main) {
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
  });
  const upstreamUrl = process.env.UPSTREAM_URL ?? (await startUpstream()).url;
  const upstream = new UpstreamClient(upstreamUrl);
  if (values.transport === 'stdio') {
    await createLocatorServer(upstream).connect(new StdioServerTransport());
  } else {
    const tokens = tokensFromEnvironment();
    if (Object.keys(tokens).length === 0)
      throw new Error('LOCATOR_TOKENS or LOCATOR_TOKEN is required for the HTTP transport');
    const http = await startHttpServer({
      upstream,
      tokens,
      allowedOrigins: (process.env.LOCATOR_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
      port: Number(values.port),
      host: values.host,
    });
    console.error(`detainee-locator listening on ${http.url}`);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void telemetry.shutdown().then(() => process.exit(0)));
}
