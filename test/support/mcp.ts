// Real MCP clients and servers of both SDK lines (1.x `@modelcontextprotocol/sdk`, 2.x split packages),
// connected over every transport the kit supports, for in-process tests.
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import {
  Client as Client2,
  StreamableHTTPClientTransport as HttpClient2,
  InMemoryTransport as InMemory2,
} from '@modelcontextprotocol/client';
import { NodeStreamableHTTPServerTransport as HttpServer2 } from '@modelcontextprotocol/node';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpClient1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport as InMemory1 } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer as McpServer1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport as Stdio1 } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport as HttpServer1 } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { McpServer as McpServer2 } from '@modelcontextprotocol/server';
import { StdioServerTransport as Stdio2 } from '@modelcontextprotocol/server/stdio';

export type SdkLine = '1.x' | '2.x';
export type TransportKind = 'in-memory' | 'stdio' | 'http' | 'http-stateless';

/** The surface of McpServer that both lines share and the tests use. */
export interface AnyMcpServer {
  registerTool(
    name: string,
    config: Record<string, unknown>,
    handler: (...args: never[]) => unknown,
  ): unknown;
  registerPrompt(
    name: string,
    config: Record<string, unknown>,
    handler: (...args: never[]) => unknown,
  ): unknown;
  registerResource(
    name: string,
    uri: string,
    config: Record<string, unknown>,
    handler: (...args: never[]) => unknown,
  ): unknown;
  connect(transport: unknown): Promise<void>;
  close(): Promise<void>;
}

/** The surface of Client that both lines share and the tests use. */
export interface AnyClient {
  connect(transport: unknown): Promise<void>;
  close(): Promise<void>;
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(params: {
    name: string;
    arguments?: Record<string, unknown>;
    _meta?: Record<string, unknown>;
  }): Promise<{
    isError?: boolean;
    content?: unknown[];
  }>;
  getPrompt(params: { name: string; arguments?: Record<string, string> }): Promise<unknown>;
  /** Any JSON-RPC request, a method outside the protocol's vocabulary included. */
  request(
    request: { method: string; params?: Record<string, unknown> },
    resultSchema: unknown,
  ): Promise<unknown>;
  readResource(params: { uri: string }): Promise<unknown>;
  ping(): Promise<unknown>;
}

export function newMcpServer(line: SdkLine): AnyMcpServer {
  const info = { name: 'kit-test-server', version: '1.0.0' };
  return (line === '1.x' ? new McpServer1(info) : new McpServer2(info)) as unknown as AnyMcpServer;
}

export function newClient(line: SdkLine, name = 'kit-test-client', version = '0.9.1'): AnyClient {
  return (line === '1.x'
    ? new Client1({ name, version })
    : new Client2({ name, version })) as unknown as AnyClient;
}

export interface Connection {
  client: AnyClient;
  close(): Promise<void>;
}

/** A client-side transport over a pair of streams, speaking the stdio framing of the SDK. */
class StreamClientTransport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly buffer = new ReadBuffer();
  private readonly input: PassThrough;
  private readonly output: PassThrough;

  constructor(input: PassThrough, output: PassThrough) {
    this.input = input;
    this.output = output;
  }

  async start(): Promise<void> {
    this.input.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (let message = this.buffer.readMessage(); message; message = this.buffer.readMessage())
        this.onmessage?.(message);
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.output.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    this.output.end();
    this.onclose?.();
  }
}

async function listen(
  handler: Parameters<typeof createServer>[1],
): Promise<{ http: HttpServer; url: string }> {
  const http = createServer(handler);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp` };
}

/**
 * Connects a real client to a server built by `makeServer` over `kind`. Stateless HTTP builds a fresh
 * server and transport per request, as the SDKs recommend, so `makeServer` is called per request.
 */
export async function connect(
  line: SdkLine,
  kind: TransportKind,
  makeServer: () => AnyMcpServer,
  client: AnyClient = newClient(line),
  /** HTTP headers the client sends with every request (HTTP transports only). */
  headers: Record<string, string> = {},
): Promise<Connection> {
  if (kind === 'in-memory') {
    const [clientSide, serverSide] = (line === '1.x' ? InMemory1 : InMemory2).createLinkedPair();
    const server = makeServer();
    await server.connect(serverSide);
    await client.connect(clientSide);
    return {
      client,
      close: async () => {
        await client.close();
        await server.close();
      },
    };
  }
  if (kind === 'stdio') {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const server = makeServer();
    await server.connect(line === '1.x' ? new Stdio1(toServer, toClient) : new Stdio2(toServer, toClient));
    await client.connect(new StreamClientTransport(toClient, toServer));
    return {
      client,
      close: async () => {
        await client.close();
        await server.close();
      },
    };
  }
  const ServerTransport = line === '1.x' ? HttpServer1 : HttpServer2;
  const ClientTransport = line === '1.x' ? HttpClient1 : HttpClient2;
  if (kind === 'http') {
    const server = makeServer();
    const transport = new ServerTransport({ sessionIdGenerator: () => randomUUID() });
    await server.connect(transport);
    const { http, url } = await listen((req, res) => void transport.handleRequest(req, res));
    await client.connect(new ClientTransport(new URL(url), { requestInit: { headers } }));
    return {
      client,
      close: async () => {
        await client.close();
        await server.close();
        http.closeAllConnections();
        http.close();
      },
    };
  }
  const { http, url } = await listen(async (req, res) => {
    const server = makeServer();
    const transport = new ServerTransport({}); // no session id generator: stateless;
    res.on('close', () => void transport.close().then(() => server.close()));
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await client.connect(new ClientTransport(new URL(url), { requestInit: { headers } }));
  return {
    client,
    close: async () => {
      await client.close();
      http.closeAllConnections();
      http.close();
    },
  };
}

/** A well-formed `initialize` request body from a client of that name, for raw HTTP tests. */
export function initializeRequest(clientName: string): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: clientName, version: '1' },
    },
  });
}
