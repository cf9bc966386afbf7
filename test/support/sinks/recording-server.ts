// The pattern every fake backend follows: an HTTP server on loopback that records each request exactly
// as received (decompressed body bytes and headers) under <captureDir>/<sink>/ and hands the body to the
// fake's own decoder. Canary scans read those files, so what is scanned is what the sink was sent.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync, inflateSync, zstdDecompressSync } from 'node:zlib';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The body after Content-Encoding was undone. */
  body: Buffer;
  /** The capture file holding `body`. */
  file: string;
}

export interface Reply {
  status: number;
  contentType?: string;
  body?: string | Uint8Array;
}

export type RequestHandler = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface RecordingServer {
  name: string;
  /** Base URL, e.g. http://127.0.0.1:43123 */
  url: string;
  captureDir: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export function decompress(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? 'identity').toLowerCase()) {
    case 'identity':
      return body;
    case 'gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    case 'zstd':
      return zstdDecompressSync(body);
    default:
      throw new Error(`unsupported Content-Encoding ${encoding}`);
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startRecordingServer(options: {
  name: string;
  captureRoot: string;
  handler: RequestHandler;
  /** A fixed port, when a fake backend that went down must come back where its clients expect it. */
  port?: number;
  /** 127.0.0.1 unless given: a stand-in inside a container listens on its network (0.0.0.0). */
  host?: string;
  /** HTTPS with this key and certificate (PEM), for a SaaS endpoint whose real URL is https. */
  tls?: { key: Buffer; cert: Buffer };
}): Promise<RecordingServer> {
  const captureDir = path.join(options.captureRoot, options.name);
  mkdirSync(captureDir, { recursive: true });
  const requests: RecordedRequest[] = [];

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    let reply: Reply;
    try {
      const raw = await readBody(request);
      const body = decompress(raw, request.headers['content-encoding']);
      const stem = path.join(captureDir, `${String(requests.length + 1).padStart(5, '0')}`);
      writeFileSync(`${stem}.body`, body);
      writeFileSync(
        `${stem}.request.json`,
        JSON.stringify({ method: request.method, url: request.url, headers: request.headers }, null, 1),
      );
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
        file: `${stem}.body`,
      };
      requests.push(recorded);
      reply = await options.handler(recorded);
    } catch (error) {
      reply = { status: 400, contentType: 'text/plain', body: String(error) };
    }
    response.writeHead(reply.status, reply.contentType ? { 'content-type': reply.contentType } : {});
    response.end(reply.body ?? '');
  };

  const listener = (request: IncomingMessage, response: ServerResponse) => void serve(request, response);
  const server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    name: options.name,
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    captureDir,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
