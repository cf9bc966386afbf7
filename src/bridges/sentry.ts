// The Sentry bridge: errors (and, if asked, logs) with @sentry/node for teams already on Sentry, safe by
// default. Loaded with a dynamic import only when a DSN is configured, so the package costs nothing to
// anyone else. Sentry shares the kit's OpenTelemetry setup instead of starting its own: it registers no
// tracer provider (the kit's is the only one) and `openTelemetryIntegration` attaches every error to the
// OpenTelemetry span active when it happened, so an error in Sentry has the trace id of its trace in
// Tempo. Tracing to Sentry stays on the collector's OTLP path (collector/overlays/sentry.yaml), after
// privacy layer 2: the SDK itself sends no transactions (no tracesSampleRate).
//
// Off, because each is a documented leak path and Sentry v11 collects them all by default: user info,
// cookies, headers, query strings and bodies of HTTP requests, MCP and gen-AI inputs and outputs,
// database and queue payloads, local variables in stack frames. What is left passes privacy layer 1 in beforeSend / beforeSendTransaction /
// beforeBreadcrumb / beforeSendLog / beforeSendMetric (src/bridges/sentry-event.ts).
import { diag } from '@opentelemetry/api';
import type { NodeOptions } from '@sentry/node';
import type { PrivacyGuard } from '../privacy/guard.ts';
import type { ServiceIdentity } from '../service-identity.ts';
import type { SentryBridgeOptions } from '../types.ts';
import {
  sanitizeBreadcrumb,
  sanitizeSentryEvent,
  sanitizeSentryLog,
  sanitizeSentryMetric,
} from './sentry-event.ts';

/** Default integrations the bridge removes (by Sentry's integration names). */
const REMOVED_INTEGRATIONS = new Set([
  'McpServer', // auto-wraps MCP servers and records tool inputs/outputs; the kit instruments MCP itself
  'LocalVariables', // captures the values a function held into stack frames
  'LocalVariablesAsync',
  'RequestData', // copies URL, headers, cookies, body and client IP of the incoming request
]);

export interface SentryBridge {
  flush(timeoutMs?: number): Promise<void>;
  close(timeoutMs?: number): Promise<void>;
}

/** The DSN the bridge uses, or undefined when Sentry is not configured. */
export function sentryDsn(options: SentryBridgeOptions | false | undefined): string | undefined {
  if (options === false) return undefined;
  const dsn = options?.dsn ?? process.env.SENTRY_DSN;
  return dsn?.trim() ? dsn.trim() : undefined;
}

/** The origin a DSN sends to (https://<key>@<host>/<project> -> https://<host>). */
export function sentryIngestUrl(dsn: string): string | undefined {
  try {
    const url = new URL(dsn);
    return `${url.protocol}//${url.host}`;
  } catch {
    return undefined;
  }
}

/** The options the bridge passes to Sentry.init (exported for tests and for reading). */
export function sentryInitOptions(
  dsn: string,
  guard: PrivacyGuard,
  identity: ServiceIdentity,
  extraIntegrations: ReturnType<typeof import('@sentry/node').openTelemetryIntegration>[],
): NodeOptions {
  return {
    dsn,
    ...(identity.environment ? { environment: identity.environment } : {}),
    ...(identity.version ? { release: `${identity.service}@${identity.version}` } : {}),
    initialScope: { tags: { service: identity.service } },
    // Sentry v11 collects all of these by default (its `dataCollection` replaced sendDefaultPii).
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      graphQL: { document: false, variables: false },
      genAI: { inputs: false, outputs: false },
      mcp: { inputs: false, outputs: false },
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
    },
    includeLocalVariables: false,
    // No tracesSampleRate: tracing in the SDK stays off, traces reach Sentry through the collector.
    // 'static' keeps beforeSendTransaction in force should a transaction ever be made.
    traceLifecycle: 'static',
    integrations: (defaults) => [
      ...defaults.filter((integration) => !REMOVED_INTEGRATIONS.has(integration.name)),
      ...extraIntegrations,
    ],
    beforeSend: (event) => sanitizeSentryEvent(guard, event),
    beforeSendTransaction: (event) => sanitizeSentryEvent(guard, event),
    beforeBreadcrumb: (breadcrumb) => sanitizeBreadcrumb(guard, breadcrumb),
    beforeSendLog: (log) => sanitizeSentryLog(guard, log),
    beforeSendMetric: (metric) => sanitizeSentryMetric(guard, metric),
  };
}

/** Loads @sentry/node and initialises it; resolves to undefined when the package is not installed. */
export async function startSentryBridge(
  dsn: string,
  guard: PrivacyGuard,
  identity: ServiceIdentity,
): Promise<SentryBridge | undefined> {
  let Sentry: typeof import('@sentry/node');
  try {
    Sentry = await import('@sentry/node');
  } catch (error) {
    diag.warn(`mcp-telemetry-kit: SENTRY_DSN is set but @sentry/node could not be loaded (${error})`);
    return undefined;
  }
  Sentry.init(sentryInitOptions(dsn, guard, identity, [Sentry.openTelemetryIntegration()]));
  return {
    flush: async (timeoutMs = 5000) => {
      await Sentry.flush(timeoutMs);
    },
    close: async (timeoutMs = 5000) => {
      await Sentry.close(timeoutMs);
    },
  };
}
