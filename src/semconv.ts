// Every telemetry name the kit emits, in one place: the OpenTelemetry semantic conventions (stable ones
// imported, the MCP and GenAI ones copied here) and the kit's own names, all under the `mcpkit.`
// namespace documented in docs/telemetry.md.
export {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';

// The unstable (Development) names the kit uses, copied rather than imported: the package's incubating
// entry point may rename or drop them in any minor release, and its maintainers ask libraries to keep a
// local copy instead. test/unit/semconv-copies.test.ts compares each with the installed package, so an
// upgrade that renames one fails there rather than changing what the kit emits unnoticed.
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_JSONRPC_REQUEST_ID = 'jsonrpc.request.id';
export const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
export const ATTR_MCP_PROTOCOL_VERSION = 'mcp.protocol.version';
export const ATTR_MCP_SESSION_ID = 'mcp.session.id';
export const ATTR_NETWORK_TRANSPORT = 'network.transport';
export const ATTR_RPC_RESPONSE_STATUS_CODE = 'rpc.response.status_code';
export const GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL = 'execute_tool';
export const METRIC_MCP_SERVER_OPERATION_DURATION = 'mcp.server.operation.duration';
export const METRIC_MCP_SERVER_SESSION_DURATION = 'mcp.server.session.duration';
export const METRIC_SYSTEM_FILESYSTEM_UTILIZATION = 'system.filesystem.utilization';
export const NETWORK_TRANSPORT_VALUE_PIPE = 'pipe';
export const NETWORK_TRANSPORT_VALUE_TCP = 'tcp';

/** Bucket boundaries, in seconds, the MCP semantic conventions give for both duration histograms. */
export const MCP_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** `error.type` for a tool call whose result has `isError: true` (semantic conventions). */
export const ERROR_TYPE_TOOL_ERROR = 'tool_error';

// Kit-defined attributes (namespace `mcpkit.`). Low cardinality unless marked "spans only".
export const ATTR_MCPKIT_CLIENT_NAME = 'mcpkit.client.name';
export const ATTR_MCPKIT_CLIENT_VERSION = 'mcpkit.client.version';
/**
 * Pseudonym of the principal returned by the `identify` hook, on spans and logs; on metrics only on
 * `mcpkit.principal.lookups` (one series per caller, the unit enumeration alerts watch; callers the hook
 * does not name have no `mcpkit.principal` there and count together).
 */
export const ATTR_MCPKIT_PRINCIPAL = 'mcpkit.principal';
/** new | repeat: whether this principal looked this target up before in the current pseudonym period. */
export const ATTR_MCPKIT_LOOKUP_NOVELTY = 'mcpkit.lookup.novelty';
/** true when the call carried several lookups (a bulk search), else false. */
export const ATTR_MCPKIT_LOOKUP_BATCH = 'mcpkit.lookup.batch';
/** ok | no_match | tool_error | upstream_failure | rejected */
export const ATTR_MCPKIT_TOOL_OUTCOME = 'mcpkit.tool.outcome';
/** The tool called before this one in the same session, or `(start)`: the edge of a journey graph. */
export const ATTR_MCPKIT_TOOL_PREVIOUS = 'mcpkit.tool.previous';
/** Result-count bucket declared by the tool: 0, 1, 2-5, 6-20, 21+. */
export const ATTR_MCPKIT_RESULT_COUNT = 'mcpkit.result.count';
/** Whether a lookup was served from the application's cache: hit | miss (upstream health). */
export const ATTR_MCPKIT_CACHE_RESULT = 'mcpkit.cache.result';
/**
 * true on a log record whose body privacy layer 1 scrubbed: the collector keeps a text or list body
 * only with it (no pattern finds a name in a sentence, so unscrubbed text is `[redacted]` there).
 */
export const ATTR_MCPKIT_BODY_SCRUBBED = 'mcpkit.body.scrubbed';
/** Prefix of tool arguments exported through the per-tool policy (transformed, never raw). */
export const MCPKIT_ARGUMENT_PREFIX = 'mcpkit.arg.';
/** Prefix of outcome attributes a tool declares about its result (e.g. mcpkit.result.match_type). */
export const MCPKIT_RESULT_PREFIX = 'mcpkit.result.';

// Kit-defined metrics.
export const METRIC_MCPKIT_TOOL_CALLS = 'mcpkit.tool.calls';
export const METRIC_MCPKIT_TOOL_TRANSITIONS = 'mcpkit.tool.transitions';
export const METRIC_MCPKIT_SESSION_CALLS = 'mcpkit.session.calls';
export const METRIC_MCPKIT_PRINCIPAL_LOOKUPS = 'mcpkit.principal.lookups';
export const METRIC_MCPKIT_HTTP_REJECTIONS = 'mcpkit.http.rejections';
export const METRIC_MCPKIT_PRIVACY_REDACTIONS = 'mcpkit.privacy.redactions';

export const INSTRUMENTATION_SCOPE = 'mcp-telemetry-kit';

/** Words of the kit's own attribute values: never redacted, whatever a caller types. */
export const KIT_VOCABULARY = [
  ...'tools prompts resources templates completion logging notifications sampling elicitation roots'.split(
    ' ',
  ),
  ...'call list read get subscribe unsubscribe complete initialize initialized cancelled progress ping'.split(
    ' ',
  ),
  ...'server discover subscriptions listen acknowledged'.split(' '),
  ...'execute_tool tool_error no_match upstream_failure rejected unknown (unknown) start (start) other'.split(
    ' ',
  ),
];
/** A tool or prompt name the server does not define, as exported. */
export const UNKNOWN = '(unknown)';
/** `mcpkit.tool.previous` of a session's first tool call. */
export const SESSION_START = '(start)';

/**
 * What each metric the kit records says about itself (Prometheus's HELP). Privacy layer 1 exports these
 * and no other description; the collector empties every description and sets these again on the kit's
 * metrics (scope INSTRUMENTATION_SCOPE), whoever sent them.
 */
export const METRIC_DESCRIPTIONS = {
  [METRIC_MCP_SERVER_OPERATION_DURATION]:
    'Duration of an MCP request or notification as observed by the server.',
  [METRIC_MCP_SERVER_SESSION_DURATION]: 'Duration of an MCP session as observed by the server.',
  [METRIC_MCPKIT_SESSION_CALLS]: 'Tool calls made in one MCP session.',
  [METRIC_MCPKIT_TOOL_CALLS]:
    'Tool calls by tool, outcome, client and the attributes the tool policy exports.',
  [METRIC_MCPKIT_TOOL_TRANSITIONS]:
    'Consecutive tool calls within a session (from the previous tool to this one).',
  [METRIC_MCPKIT_PRINCIPAL_LOOKUPS]:
    'Lookups named by tool policies, per pseudonymous principal: first lookups of a target apart from repeats.',
  [METRIC_MCPKIT_HTTP_REJECTIONS]:
    'HTTP requests refused before MCP: missing or wrong credentials, a foreign Origin, and the like.',
  [METRIC_MCPKIT_PRIVACY_REDACTIONS]:
    'Values privacy layer 1 rewrote because they held a PII pattern or a call argument.',
  [METRIC_SYSTEM_FILESYSTEM_UTILIZATION]: 'Used share of the filesystem holding the working directory.',
} as const;
