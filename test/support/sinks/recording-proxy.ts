// A recording proxy in front of a real backend (Prometheus's OTLP receiver in the canary run): records
// every request like a fake sink does, then forwards it and returns the backend's answer, so the real
// program receives exactly what was captured.
import { type RecordingServer, startRecordingServer } from './recording-server.ts';

export async function startRecordingProxy(options: {
  name: string;
  captureRoot: string;
  /** Base URL of the real backend, e.g. http://127.0.0.1:9090 */
  target: string;
}): Promise<RecordingServer> {
  return startRecordingServer({
    name: options.name,
    captureRoot: options.captureRoot,
    handler: async (request) => {
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'authorization']) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      // The body is forwarded decompressed, so no Content-Encoding goes with it.
      const response = await fetch(`${options.target}${request.path}`, {
        method: request.method,
        headers,
        ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: request.body }),
      });
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
        body: new Uint8Array(await response.arrayBuffer()),
      };
    },
  });
}
