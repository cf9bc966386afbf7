// The kit's own collector configuration (collector/config.yaml + the generated privacy.yaml, plus
// overlays) running on the real collector, with its backends pointed at fake sinks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { type RunningCollector, startCollector } from './collector.ts';
import { freePort } from './ports.ts';

export const collectorConfigFiles = ['collector/config.yaml', 'collector/privacy.yaml'].map((file) =>
  path.join(repoRoot, file),
);

/**
 * The tool and prompt names the tests' servers define (test/support, examples/detainee-locator), which an
 * operator would list for the collector (MCP_KIT_KNOWN_TOOLS, MCP_KIT_KNOWN_PROMPTS): any other leaves as
 * `(unknown)`. A test of that passes its own env.
 */
export const testKnownNames = {
  MCP_KIT_KNOWN_TOOLS: [
    'search_detainee_by_name',
    'search_detainee_by_alien_number',
    'smart_detainee_search',
    'bulk_search_detainees',
    'generate_search_report',
    'search',
    'lookup',
    'echo',
    'peek',
    'fails',
    'failing',
    'ok',
    'throws',
  ].join('|'),
  MCP_KIT_KNOWN_PROMPTS: 'greet',
};

export const testCollectorSecrets = {
  MCP_KIT_COLLECTOR_TOKEN: 'test-collector-token-0123456789',
  MCP_KIT_COLLECTOR_HMAC_KEY: 'test-collector-hmac-key-0123456789abcdef',
};

export interface KitCollector extends RunningCollector {
  /** OTLP/HTTP base URL of the receiver, e.g. http://127.0.0.1:4318 */
  otlpHttpUrl: string;
  /** OTLP/gRPC address of the receiver, host:port. */
  otlpGrpcAddress: string;
  /** Headers a sender needs (the bearer token). */
  authHeaders: Record<string, string>;
  /** The standard variables that point an OpenTelemetry SDK (the kit's included) at this collector. */
  sdkEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: string; OTEL_EXPORTER_OTLP_HEADERS: string };
}

/** Base URLs of the backends: OTLP/HTTP endpoints (a fake sink's URL, with Loki's /otlp prefix etc.). */
export interface Backends {
  tempo: string;
  loki: string;
  prometheus: string;
}

export async function startKitCollector(options: {
  backends: Backends;
  /** Overlay files relative to the repository, or objects (test-only settings) merged after them. */
  overlays?: (string | Record<string, unknown>)[];
  env?: Record<string, string>;
  /** The OTLP/HTTP port, when a restarted collector must come back where senders expect it. */
  httpPort?: number;
  /** The persistent queues' folder, when a restarted collector must find what it queued. */
  queueDir?: string;
  /** Feature gate flags instead of the kit's (a collector started as a careless operator would). */
  featureGates?: string[];
  /** Runs the collector through this command (see CollectorOptions.launcher). */
  launcher?: string[];
}): Promise<KitCollector> {
  const [healthPort, grpcPort] = [await freePort(), await freePort()];
  const httpPort = options.httpPort ?? (await freePort());
  const collector = await startCollector({
    healthPort,
    ...(options.featureGates ? { featureGates: options.featureGates } : {}),
    ...(options.launcher ? { launcher: options.launcher } : {}),
    configs: [
      ...collectorConfigFiles,
      ...(options.overlays ?? []).map((overlay) =>
        typeof overlay === 'string' ? path.join(repoRoot, overlay) : overlay,
      ),
    ],
    env: {
      ...testCollectorSecrets,
      ...testKnownNames,
      OTELCOL_HEALTH_ENDPOINT: `127.0.0.1:${healthPort}`,
      OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpcPort}`,
      OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
      OTELCOL_QUEUE_DIR: options.queueDir ?? mkdtempSync(path.join(tmpdir(), 'mcp-kit-queues-')),
      TEMPO_OTLP_ENDPOINT: options.backends.tempo,
      LOKI_OTLP_ENDPOINT: options.backends.loki,
      PROMETHEUS_OTLP_ENDPOINT: options.backends.prometheus,
      OTELCOL_SPAN_METRICS_FLUSH_INTERVAL: '1s',
      // The reference server's own metrics, as compose lets them through (docker-compose.yml).
      MCP_KIT_METRIC_PREFIXES: 'locator[.]',
      ...options.env,
    },
  });
  const otlpHttpUrl = `http://127.0.0.1:${httpPort}`;
  const bearer = `Bearer ${testCollectorSecrets.MCP_KIT_COLLECTOR_TOKEN}`;
  return Object.assign(collector, {
    otlpHttpUrl,
    otlpGrpcAddress: `127.0.0.1:${grpcPort}`,
    authHeaders: { authorization: bearer },
    sdkEnv: {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttpUrl,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=${bearer}`,
    },
  });
}
