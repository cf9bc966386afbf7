// The mcpcat / agentcat bridge: the vendor's MCP analytics SDK (agentcat is mcpcat renamed by the same
// authors; mcpcat is deprecated and gets no new features), set up so that by default nothing reaches the
// vendor. Loaded with a dynamic import only when called.
//
// - Telemetry-only by default: without a project id the SDK sends its events only to its exporters, and
//   its one exporter is OTLP to the kit's collector (privacy layer 2 applies there).
// - Diagnostics off (they go to the vendor's log intake by default).
// - `identify` returns only the kit's keyed pseudonym of the principal, the same `mcpkit.principal` the
//   kit's spans carry: the SDK exempts identity fields from its redaction hook, so nothing else may be
//   put there.
// - Its string redaction hook is privacy layer 1 (patterns and the words callers typed).
// - No injected `context` parameter (the SDK would ask the model to describe the user's intent in free
//   text), no `get_more_tools` tool (same), no tags or properties (exempt from redaction).
// - The request headers and auth info the SDK copies into events, the tool arguments and the results are
//   removed by agentcat's event-level hook before anything else sees them. mcpcat has no such hook, so
//   with mcpcat the bridge refuses vendor analytics and stays telemetry-only (docs/privacy.md).
import { diag } from '@opentelemetry/api';
import { registerVendorEgress } from '../privacy/egress.ts';
import { privacyGuard } from '../privacy/guard.ts';
import { privacyRules } from '../privacy/rules.ts';
import { otlpEndpointFromEnv, otlpHeadersFromEnv } from '../sdk-env.ts';
import { ATTR_MCPKIT_CLIENT_NAME } from '../semconv.ts';
import type { IdentifyInput } from '../types.ts';

export type McpcatPackage = 'agentcat' | 'mcpcat';

export interface McpcatBridgeOptions {
  /**
   * The vendor project id. Set, it sends events (without arguments, results, headers or identities) to
   * the vendor's analytics too: see docs/privacy.md. Default MCPCAT_PROJECT_ID; none means
   * telemetry-only.
   */
  projectId?: string;
  /** Which package to load; default the installed one, agentcat first. */
  package?: McpcatPackage;
  /** The same hook as instrumentMcpServer's: the caller's stable id, exported only as a pseudonym. */
  identify?: (input: IdentifyInput) => string | undefined;
  /** OTLP/HTTP traces URL; default OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  otlpEndpoint?: string;
  /** Headers for the collector (its bearer token); default OTEL_EXPORTER_OTLP_HEADERS. */
  otlpHeaders?: Record<string, string>;
}

/** The loaded bridge: which package, whether the vendor receives anything, and `track` for servers. */
export interface McpcatBridge {
  package: McpcatPackage;
  vendorAnalytics: boolean;
  /**
   * Tracks an McpServer or Server of @modelcontextprotocol/sdk (call it before registering tools, as the
   * vendor SDK asks; once per server, also per request for stateless servers). Returns the server.
   */
  track<S>(server: S): S;
}

/** The shape both packages share (read from their type definitions, dist/index.d.ts). */
interface McpcatModule {
  track(server: unknown, projectId: string | null, options?: Record<string, unknown>): unknown;
}

/** Every event field that can hold what a caller sent, who they are, or where they connect from. */
const CALLER_FIELDS = [
  'parameters',
  'response',
  'userIntent',
  'ipAddress',
  'identifyActorName',
  'identifyActorData',
  'identifyData',
  'tags',
  'properties',
] as const;

const NAME_SHAPE = new RegExp(privacyRules.names.shape);

/** A tool or prompt name as the collector's layer 2 keeps it: identifier-shaped, else `[redacted]`. */
function safeName(name: string): string {
  return NAME_SHAPE.test(name) ? name : '[redacted]';
}

async function load(preferred: McpcatPackage | undefined): Promise<[McpcatPackage, McpcatModule]> {
  const order: McpcatPackage[] = preferred ? [preferred] : ['agentcat', 'mcpcat'];
  const failures: string[] = [];
  for (const name of order) {
    try {
      return [name, (await import(name)) as McpcatModule];
    } catch (error) {
      failures.push(`${name}: ${error}`);
    }
  }
  throw new Error(`mcp-telemetry-kit: neither agentcat nor mcpcat could be loaded (${failures.join('; ')})`);
}

/**
 * Loads agentcat or mcpcat (the installed one, agentcat first) and returns a bridge that tracks servers
 * safely. Instrument the servers with instrumentMcpServer too: the kit's spans are the operator's view,
 * the vendor SDK's events a second one.
 */
export async function startMcpcatBridge(options: McpcatBridgeOptions = {}): Promise<McpcatBridge> {
  const [name, sdk] = await load(options.package);
  // The guard is looked up per call: startTelemetry may configure it after the bridge starts.
  const requestedProject = options.projectId ?? process.env.MCPCAT_PROJECT_ID;
  let projectId = requestedProject?.trim() ? requestedProject.trim() : null;
  if (projectId && name === 'mcpcat') {
    diag.warn(
      'mcp-telemetry-kit: mcpcat cannot remove headers and arguments from its events; vendor analytics ' +
        'need agentcat (npm install agentcat). Running telemetry-only.',
    );
    projectId = null;
  }
  // Diagnostics also obey this variable, read when the SDK first starts.
  process.env.DISABLE_DIAGNOSTICS = 'true';
  // The SDK's own requests (to the collector, and to the vendor with a project id) carry no trace
  // headers and make no client spans.
  const endpoint = otlpEndpointFromEnv('traces', options.otlpEndpoint);
  registerVendorEgress(endpoint);
  registerVendorEgress(
    process.env.AGENTCAT_API_URL ??
      process.env.MCPCAT_API_URL ??
      (name === 'agentcat' ? 'https://api.agentcat.com' : 'https://api.mcpcat.io'),
  );
  const trackOptions = {
    disableDiagnostics: true,
    enableToolCallContext: false,
    enableReportMissing: false,
    enableTracing: true,
    identify: async (
      _request: unknown,
      extra?: { sessionId?: string; authInfo?: IdentifyInput['authInfo'] },
    ) => {
      const id = options.identify?.({ authInfo: extra?.authInfo, sessionId: extra?.sessionId });
      return id ? { userId: privacyGuard().pseudonymizer.pseudonym('principal', id) } : null;
    },
    redactSensitiveInformation: async (text: string) => privacyGuard().scrub(text),
    // agentcat only (mcpcat ignores it): runs first, on the raw event.
    redactEvent: (event: Record<string, unknown>) => {
      const copy = { ...event };
      for (const field of CALLER_FIELDS) delete copy[field];
      // The tool name is exempt from the string hook, and a caller can call a tool that does not exist,
      // named after a person: kept only if it has the shape of an identifier and was not typed by them.
      if (typeof copy.resourceName === 'string') {
        copy.resourceName = safeName(privacyGuard().scrub(copy.resourceName));
      }
      // clientInfo is caller text ("Consuelo's family laptop"): a known assistant's name or `other`, as
      // on the kit's spans; the version scrubbed.
      if (typeof copy.clientName === 'string')
        copy.clientName = privacyGuard().closedValue(ATTR_MCPKIT_CLIENT_NAME, copy.clientName);
      if (typeof copy.clientVersion === 'string')
        copy.clientVersion = privacyGuard().scrub(copy.clientVersion).slice(0, 32);
      return copy;
    },
    exporters: {
      collector: {
        type: 'otlp',
        endpoint,
        headers: options.otlpHeaders ?? otlpHeadersFromEnv('traces'),
      },
    },
  };
  return {
    package: name,
    vendorAnalytics: projectId !== null,
    track: (server) => {
      sdk.track(server, projectId, trackOptions);
      return server;
    },
  };
}
