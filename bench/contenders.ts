// The benchmark's contenders: one MCP server with one simple tool (`echo`, a string in, the same string
// out, no I/O), set up without instrumentation, with the kit, or with a peer's MCP instrumentation.
// Every contender exports to the benchmark's local sink on loopback (BENCH_SINK_URL), so the cost of
// serializing and sending telemetry is part of what is measured. Each runs in its own process: they all
// install process-wide globals (tracer providers, handlers) that must not meet.
import { existsSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export const contenderNames = ['plain', 'kit', 'kit-all-bridges', 'sentry', 'mcpcat', 'shinzo'] as const;
export type ContenderName = (typeof contenderNames)[number];

/** Contenders the issue asks for that cannot run in this tree yet, and why (none now). */
export const pendingContenders: Record<string, string> = {};

export const contenderLabels: Record<ContenderName, string> = {
  plain: 'no instrumentation',
  kit: 'mcp-telemetry-kit (default setup)',
  'kit-all-bridges': 'mcp-telemetry-kit, every bridge on (dd-trace tracer, Sentry, agentcat)',
  sentry: 'Sentry wrapMcpServerWithSentry (@sentry/node)',
  mcpcat: 'mcpcat, telemetry-only (OTLP exporter)',
  shinzo: '@shinzolabs/instrumentation-mcp (OTLP/HTTP)',
};

export interface Contender {
  /** A fresh instrumented server with the `echo` tool (the HTTP benchmark makes one per session). */
  createServer(): McpServer;
  /** Sends everything the contender holds (batches, queues): its deferred cost, counted per call. */
  flush(): Promise<void>;
  /**
   * A flush during warm-up, so one-time costs of the first export (lazy loading, JIT) are not counted
   * per call; a no-op where flushing is final (mcpcat drops events after it, Shinzo's is a shutdown).
   */
  warmUpFlush(): Promise<void>;
  /** Stops the contender's telemetry. */
  shutdown(): Promise<void>;
}

/**
 * The kit as applications load it: the bundle `npm run bench` builds first (scripts/build.ts), not the
 * TypeScript sources, whose module loading and type stripping would be charged to its start-up.
 */
async function importKit(): Promise<typeof import('../src/index.ts')> {
  const entry = new URL('../dist/index.js', import.meta.url);
  if (!existsSync(entry)) throw new Error(`${entry.pathname} is missing: run \`npm run build\` first`);
  return (await import(entry.href)) as typeof import('../src/index.ts');
}

/** The sink's public key in the Sentry DSN; the sink accepts anything, so it only has to parse. */
const sentryKey = 'benchpublickey0123456789abcdef01';

const echo = async ({ text }: { text: string }) => ({ content: [{ type: 'text' as const, text }] });

function registerEcho(server: McpServer): McpServer {
  server.registerTool('echo', { inputSchema: { text: z.string() } }, echo);
  return server;
}

/** The same tool through the SDK's older `tool()` method: the only one Shinzo's wrapper instruments. */
function registerEchoLegacy(server: McpServer): McpServer {
  server.tool('echo', { text: z.string() }, echo);
  return server;
}

const newServer = () => new McpServer({ name: 'bench', version: '1.0.0' });

/** Flushes the global tracer provider's span processors (the OpenTelemetry SDK's provider has forceFlush). */
async function flushSpans(): Promise<void> {
  const { trace } = await import('@opentelemetry/api');
  const provider = trace.getTracerProvider() as {
    forceFlush?: () => Promise<void>;
    getDelegate?: () => unknown;
  };
  const sdk = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
  await sdk.forceFlush?.();
}

/**
 * Sets up a contender in this process. Each peer is configured the way its README shows, exporting to
 * the sink; options that add tools or change schemas (mcpcat's context parameter and report-missing
 * tool) are off, so every contender serves the same tool list.
 */
export async function setupContender(name: ContenderName, sinkUrl: string): Promise<Contender> {
  switch (name) {
    case 'plain':
      return {
        createServer: () => registerEcho(newServer()),
        flush: async () => {},
        warmUpFlush: async () => {},
        shutdown: async () => {},
      };
    case 'kit': {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sinkUrl;
      process.env.MCP_KIT_PSEUDONYM_KEY ??= 'bench-pseudonym-key-0123456789abcdef';
      const { instrumentMcpServer, startTelemetry } = await importKit();
      const telemetry = startTelemetry({ serviceName: 'bench' });
      return {
        createServer: () =>
          instrumentMcpServer(registerEcho(newServer()), {
            tools: { echo: { arguments: { text: 'size' } } },
          }),
        // The spans' batch (what each call adds), not the metric reader: metrics are collected on an
        // interval whatever the call rate, so forcing a collection would charge a periodic cost to calls.
        flush: flushSpans,
        warmUpFlush: () => telemetry.forceFlush(),
        shutdown: () => telemetry.shutdown(),
      };
    }
    case 'kit-all-bridges': {
      // The kit with dd-trace as its tracer, the Sentry bridge and the agentcat bridge, as README's
      // "Vendor bridges" shows, all exporting to the sink (dd-trace OTLP/JSON traces, Sentry envelopes,
      // agentcat OTLP). dd-trace starts here, after the MCP SDK was imported, not first in the process:
      // its MCP and module patches see less, so this is, if anything, a lower bound of its cost.
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sinkUrl;
      process.env.MCP_KIT_PSEUDONYM_KEY ??= 'bench-pseudonym-key-0123456789abcdef';
      const { host } = new URL(sinkUrl);
      const { instrumentMcpServer, startMcpcatBridge, startTelemetry } = await importKit();
      const telemetry = startTelemetry({
        serviceName: 'bench',
        tracer: 'dd-trace',
        sentry: { dsn: `http://${sentryKey}@${host}/4242` },
      });
      await telemetry.ready();
      const mcpcat = await startMcpcatBridge();
      return {
        createServer: () =>
          registerEcho(
            instrumentMcpServer(mcpcat.track(newServer()), {
              tools: { echo: { arguments: { text: 'size' } } },
            }),
          ),
        // dd-trace's and Sentry's queues through the kit's flush (it also collects metrics once, a cost
        // per run, not per call), and agentcat's queue the way the mcpcat contender drains it.
        flush: async () => {
          await telemetry.forceFlush();
          process.emit('beforeExit', 0);
          await new Promise((resolve) => setTimeout(resolve, 5000));
        },
        warmUpFlush: () => telemetry.forceFlush(),
        shutdown: () => telemetry.shutdown(),
      };
    }
    case 'sentry': {
      const Sentry = await import('@sentry/node');
      const { host } = new URL(sinkUrl);
      Sentry.init({ dsn: `http://${sentryKey}@${host}/4242`, tracesSampleRate: 1.0 });
      return {
        createServer: () => registerEcho(Sentry.wrapMcpServerWithSentry(newServer())),
        flush: async () => void (await Sentry.flush(5000)),
        warmUpFlush: async () => void (await Sentry.flush(5000)),
        shutdown: async () => void (await Sentry.close(5000)),
      };
    }
    case 'mcpcat': {
      const mcpcat = await import('mcpcat');
      return {
        createServer: () => {
          const server = newServer();
          mcpcat.track(server, null, {
            exporters: { otlp: { type: 'otlp', endpoint: `${sinkUrl}/v1/traces` } },
            disableDiagnostics: true,
            enableToolCallContext: false,
            enableReportMissing: false,
          });
          return registerEcho(server);
        },
        // mcpcat queues events and POSTs them five at a time; it drains its queue (up to 5 s) on
        // beforeExit, with no API to await, so the benchmark triggers that and waits as long.
        flush: async () => {
          process.emit('beforeExit', 0);
          await new Promise((resolve) => setTimeout(resolve, 5000));
        },
        warmUpFlush: async () => {},
        shutdown: async () => {},
      };
    }
    case 'shinzo': {
      const { instrumentServer } = await import('@shinzolabs/instrumentation-mcp');
      const instances: { shutdown(): Promise<void> }[] = [];
      return {
        createServer: () => {
          const server = newServer();
          instances.push(
            instrumentServer(server as never, {
              serverName: 'bench',
              serverVersion: '1.0.0',
              exporterEndpoint: `${sinkUrl}/v1`,
            }),
          );
          return registerEchoLegacy(server);
        },
        // No flush in its API: shutting its SDK down flushes the batch.
        flush: async () => void (await Promise.all(instances.map((instance) => instance.shutdown()))),
        warmUpFlush: async () => {},
        shutdown: async () => {},
      };
    }
  }
}
