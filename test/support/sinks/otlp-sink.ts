// A fake OTLP/HTTP backend standing in for Tempo and Loki (which cannot run here): accepts
// POST <any prefix>/v1/{traces,metrics,logs} in protobuf or JSON, any Content-Encoding, records the
// raw bytes (see recording-server.ts) and keeps the decoded spans, data points and log records.
import { setTimeout as sleep } from 'node:timers/promises';
import { type DecodedRequest, decodeOtlpRequest, type Signal } from './otlp/decode.ts';
import {
  type RecordedRequest,
  type RecordingServer,
  type Reply,
  startRecordingServer,
} from './recording-server.ts';

export interface OtlpSink extends RecordingServer, DecodedRequest {
  /** Resolves once `condition` holds for the decoded data; rejects after `timeoutMs`. */
  waitFor(condition: (sink: DecodedRequest) => boolean, timeoutMs?: number): Promise<void>;
}

const signalOfPath = /\/v1\/(traces|metrics|logs)$/;

export interface OtlpSinkOptions {
  name: string;
  captureRoot: string;
  /** Answer 401 to requests this rejects (a vendor checking its credentials); still recorded. */
  authorize?: (request: RecordedRequest) => boolean;
  /** Serves requests that are not OTLP (a vendor's own endpoints); undefined falls through to OTLP. */
  other?: (request: RecordedRequest) => Reply | undefined;
  /** A fixed port (a backend coming back after an outage). */
  port?: number;
  /** Listen address; 127.0.0.1 unless given. */
  host?: string;
}

export async function startOtlpSink(options: OtlpSinkOptions): Promise<OtlpSink> {
  const decoded: DecodedRequest = { spans: [], dataPoints: [], logRecords: [] };
  const server = await startRecordingServer({
    name: options.name,
    captureRoot: options.captureRoot,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    handler: (request) => {
      const answered = options.other?.(request);
      if (answered) return answered;
      const signal = signalOfPath.exec(request.path.split('?')[0] ?? '')?.[1] as Signal | undefined;
      if (request.method !== 'POST' || !signal) return { status: 404 };
      if (options.authorize && !options.authorize(request)) return { status: 401 };
      const contentType = String(request.headers['content-type'] ?? '');
      const batch = decodeOtlpRequest(signal, request.body, contentType);
      decoded.spans.push(...batch.spans);
      decoded.dataPoints.push(...batch.dataPoints);
      decoded.logRecords.push(...batch.logRecords);
      // An empty Export*ServiceResponse: zero bytes in protobuf, {} in JSON.
      return contentType.includes('json')
        ? { status: 200, contentType: 'application/json', body: '{}' }
        : { status: 200, contentType: 'application/x-protobuf', body: new Uint8Array() };
    },
  });
  return Object.assign(server, decoded, {
    async waitFor(condition: (sink: DecodedRequest) => boolean, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!condition(decoded)) {
        if (Date.now() > deadline) {
          throw new Error(
            `${options.name}: condition not met within ${timeoutMs} ms; received ${decoded.spans.length} spans, ` +
              `${decoded.dataPoints.length} data points, ${decoded.logRecords.length} log records`,
          );
        }
        await sleep(50);
      }
    },
  });
}
