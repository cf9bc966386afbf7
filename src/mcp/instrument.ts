// instrumentMcpServer(): one SERVER span and one duration measurement per MCP request and
// notification, following the OpenTelemetry MCP semantic conventions, plus the kit's analytics.
//
// It hooks the transport, not the SDK's handlers: `connect(transport)` of the low-level Server (both
// SDK lines share the Protocol/Transport contract) is wrapped so every inbound JSON-RPC message and every
// outbound response passes through here. That sees every method kind, works for McpServer and Server,
// stdio and Streamable HTTP, stateful and stateless, and depends on no SDK internals (reading McpServer's
// registered tool names is a best-effort shortcut; names are also learned from tools/list responses).
import {
  type Attributes,
  context,
  type Link,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { interned } from '../metrics/interned-attributes.ts';
import { exportedArguments, isLowCardinality, resultCountBucket } from '../privacy/export-policy.ts';
import { type PrivacyGuard, privacyGuard } from '../privacy/guard.ts';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_MCP_SESSION_ID,
  ATTR_MCPKIT_CLIENT_NAME,
  ATTR_MCPKIT_CLIENT_VERSION,
  ATTR_MCPKIT_LOOKUP_BATCH,
  ATTR_MCPKIT_LOOKUP_NOVELTY,
  ATTR_MCPKIT_PRINCIPAL,
  ATTR_MCPKIT_RESULT_COUNT,
  ATTR_MCPKIT_TOOL_OUTCOME,
  ATTR_MCPKIT_TOOL_PREVIOUS,
  ATTR_NETWORK_TRANSPORT,
  ATTR_RPC_RESPONSE_STATUS_CODE,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  INSTRUMENTATION_SCOPE,
  KIT_VOCABULARY,
  MCPKIT_ARGUMENT_PREFIX,
  MCPKIT_RESULT_PREFIX,
  NETWORK_TRANSPORT_VALUE_TCP,
  SESSION_START,
  UNKNOWN,
} from '../semconv.ts';
import type { InstrumentMcpServerOptions, ToolOutcome } from '../types.ts';
import { classifyResponse } from './errors.ts';
import { globalPrincipalLookups, type Instruments, instruments } from './instruments.ts';
import { LookupLedger, lookupTargets } from './lookups.ts';
import { principalMetrics } from './principal-metrics.ts';
import { contextFromMeta, contextFromTransport } from './propagation.ts';
import { activeToolCall, ToolCall } from './tool-call.ts';
import {
  type Connectable,
  callerSuppliedValues,
  header,
  interceptHandler,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcMessage,
  type MessageExtra,
  networkTransportOf,
  requestHeaders,
  type Transport,
} from './transport-seam.ts';

const INSTRUMENTED = Symbol.for('mcp-telemetry-kit.instrumented');

/** Per-connection state: what initialize told us and the journey so far. */
interface SessionState {
  startedAt: number;
  clientName?: string;
  clientVersion?: string;
  protocolVersion?: string;
  previousTool: string;
  toolCalls: number;
  initialized: boolean;
}

/** One transport's connection: everything the handlers of its messages share. */
interface Connection {
  transport: Transport;
  session: SessionState;
  /** Requests answered by none of the responses sent yet, by JSON-RPC id. */
  pending: Map<string | number, PendingRequest>;
  networkTransport: string | undefined;
}

/** How a tool call ended, as its response tells. */
interface ToolCallEnding {
  call: ToolCall;
  span: Span;
  errorType: string | undefined;
  failed: boolean;
  message: JsonRpcMessage;
}

interface PendingRequest {
  span: Span;
  startedAt: number;
  method: string;
  metricAttributes: Attributes;
  toolCall?: ToolCall;
}

class ServerInstrumentation {
  private readonly options: InstrumentMcpServerOptions;
  private readonly guard: PrivacyGuard;
  private readonly tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  /** Names the server defines (registered or listed): the only tool and prompt names ever exported. */
  readonly knownNames = { tools: new Set<string>(), prompts: new Set<string>() };

  private readonly isRegistered: (kind: 'tools' | 'prompts', name: string) => boolean;
  private readonly lookups: LookupLedger;
  /** Names already declared to the taint registry as never personal (declaring is per word, not free). */
  private readonly protectedNames = new Set<string>();

  constructor(
    options: InstrumentMcpServerOptions,
    guard: PrivacyGuard,
    isRegistered: (kind: 'tools' | 'prompts', name: string) => boolean,
  ) {
    this.options = options;
    this.guard = guard;
    this.lookups = new LookupLedger(guard.pseudonymizer);
    this.isRegistered = isRegistered;
    guard.taint.protect(KIT_VOCABULARY);
    for (const [name, policy] of Object.entries(options.tools ?? {})) {
      this.knownNames.tools.add(name);
      guard.taint.protect([name]);
      for (const transform of [
        ...Object.values(policy.arguments ?? {}),
        ...Object.values(policy.results ?? {}),
      ]) {
        if (typeof transform === 'object') guard.taint.protect(transform.enum.map(String));
      }
    }
  }

  instrumentTransport(transport: Transport): void {
    const session: SessionState = {
      startedAt: performance.now(),
      previousTool: SESSION_START,
      toolCalls: 0,
      initialized: false,
    };
    const networkTransport = networkTransportOf(transport);
    const connection: Connection = { transport, session, pending: new Map(), networkTransport };
    const connectionIsSession = networkTransport !== NETWORK_TRANSPORT_VALUE_TCP;

    interceptHandler(
      transport,
      'onmessage',
      (handler: NonNullable<Transport['onmessage']>) => (message, extra) =>
        this.receive(connection, handler, message, extra),
    );
    interceptHandler(transport, 'onclose', (handler: NonNullable<Transport['onclose']>) => () => {
      if (session.initialized && (connectionIsSession || transport.sessionId)) this.recordSession(connection);
      handler();
    });
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
      if (isResponse(message)) this.respond(connection, message);
      return send(message, options);
    };
  }

  private receive(
    connection: Connection,
    handler: NonNullable<Transport['onmessage']>,
    message: JsonRpcMessage,
    extra: MessageExtra | undefined,
  ): void {
    const { transport, session, pending, networkTransport } = connection;
    if (!isRequest(message) && !isNotification(message)) {
      handler(message, extra);
      return;
    }
    const method = message.method as string;
    // A method outside the protocol's vocabulary is caller text ("find maria lopez"): it is exported,
    // and counted in series, only as `other`, so neither its words nor a flood of them get out.
    const exportedMethod = this.guard.closedValue(ATTR_MCP_METHOD_NAME, method);
    const params = message.params;
    if (method === 'initialize') {
      const clientInfo = params?.clientInfo as { name?: unknown; version?: unknown } | undefined;
      // clientInfo.name is whatever the caller typed ("Consuelo's family laptop"): known assistants only.
      if (typeof clientInfo?.name === 'string')
        session.clientName = this.guard.closedValue(ATTR_MCPKIT_CLIENT_NAME, clientInfo.name);
      // clientInfo.version is caller text too: a version number, else `other`.
      if (typeof clientInfo?.version === 'string')
        session.clientVersion = this.guard.formattedValue(ATTR_MCPKIT_CLIENT_VERSION, clientInfo.version);
      if (typeof params?.protocolVersion === 'string') session.protocolVersion = params.protocolVersion;
      session.initialized = true;
    }
    const tool = method === 'tools/call' ? this.knownName('tools', params?.name) : undefined;
    const prompt = method === 'prompts/get' ? this.knownName('prompts', params?.name) : undefined;
    // Remember what the caller typed, so it is removed wherever application code repeats it. The server's
    // own names are protected first; initialize carries client metadata, not personal data.
    if (tool !== undefined) this.protectName(tool);
    if (prompt !== undefined) this.protectName(prompt);
    if (method !== 'initialize') this.guard.taint.add(callerSuppliedValues(params));
    const protocolVersion = header(extra, 'mcp-protocol-version') ?? session.protocolVersion;

    // Built by assignment in a fixed order (interned() compares sets in insertion order).
    const metricAttributes: Attributes = { [ATTR_MCP_METHOD_NAME]: exportedMethod };
    if (tool) {
      metricAttributes[ATTR_GEN_AI_TOOL_NAME] = tool;
      metricAttributes[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL;
    }
    if (prompt) metricAttributes[ATTR_GEN_AI_PROMPT_NAME] = prompt;
    if (protocolVersion) metricAttributes[ATTR_MCP_PROTOCOL_VERSION] = protocolVersion;
    if (networkTransport) metricAttributes[ATTR_NETWORK_TRANSPORT] = networkTransport;
    const principal = this.options.identify?.({ authInfo: extra?.authInfo, sessionId: transport.sessionId });
    const principalPseudonym = principal
      ? this.guard.pseudonymizer.pseudonym('principal', principal)
      : undefined;
    const spanAttributes: Attributes = { ...metricAttributes };
    if (message.id !== undefined)
      spanAttributes[ATTR_JSONRPC_REQUEST_ID] =
        typeof message.id === 'number'
          ? String(message.id)
          : this.guard.pseudonymizer.pseudonym('request', message.id);
    if (transport.sessionId)
      spanAttributes[ATTR_MCP_SESSION_ID] = this.guard.pseudonymizer.pseudonym(
        'session',
        transport.sessionId,
      );
    if (principalPseudonym) spanAttributes[ATTR_MCPKIT_PRINCIPAL] = principalPseudonym;
    if (session.clientName) spanAttributes[ATTR_MCPKIT_CLIENT_NAME] = session.clientName;
    if (session.clientVersion) spanAttributes[ATTR_MCPKIT_CLIENT_VERSION] = session.clientVersion;
    const toolCall = tool ? new ToolCall(tool, this.options.tools?.[tool]) : undefined;
    if (toolCall) {
      spanAttributes[ATTR_MCPKIT_TOOL_PREVIOUS] = session.previousTool;
      toolCall.exportedArguments = exportedArguments(
        this.options.tools?.[toolCall.toolName],
        params?.arguments,
      );
      for (const [field, value] of Object.entries(toolCall.exportedArguments)) {
        spanAttributes[`${MCPKIT_ARGUMENT_PREFIX}${field}`] = value;
      }
      this.countLookups(toolCall.toolName, principalPseudonym, params?.arguments);
    }

    const active = contextFromTransport(extra, requestHeaders, context.active());
    const { parent, fromMeta } = contextFromMeta(params?._meta, active);
    const transportSpan = trace.getSpanContext(active);
    // Parented on the caller's trace from _meta; the transport's span (the HTTP request's, from its
    // headers or an HTTP server span) is then a link, so neither trace loses the other.
    const links: Link[] = fromMeta && transportSpan ? [{ context: transportSpan }] : [];
    const target = tool ?? prompt;
    const span = this.tracer.startSpan(
      target ? `${exportedMethod} ${target}` : exportedMethod,
      { kind: SpanKind.SERVER, attributes: spanAttributes, links },
      parent,
    );
    const startedAt = performance.now();
    const spanContext = trace.setSpan(parent, span);

    if (isNotification(message)) {
      try {
        context.with(spanContext, () => handler(message, extra));
      } finally {
        span.end();
        instruments().operationDuration.record(
          (performance.now() - startedAt) / 1000,
          interned(metricAttributes),
        );
      }
      return;
    }

    pending.set(message.id as string | number, {
      span,
      startedAt,
      method,
      metricAttributes,
      ...(toolCall ? { toolCall } : {}),
    });
    const dispatch = () => context.with(spanContext, () => handler(message, extra));
    if (toolCall) activeToolCall.run(toolCall, dispatch);
    else dispatch();
  }

  /** Counts the call's lookups as new or repeat for its principal; the targets themselves stay here. */
  private countLookups(tool: string, principal: string | undefined, args: unknown): void {
    const targets = lookupTargets(this.options.tools?.[tool]?.lookupKeys, args);
    const batch = targets.length > 1 ? 'true' : 'false';
    // On the per-period provider startTelemetry() set up (principal-metrics.ts), else the global one.
    const perPeriod = principalMetrics();
    for (const target of targets) {
      const attributes = interned({
        [ATTR_GEN_AI_TOOL_NAME]: tool,
        [ATTR_MCPKIT_LOOKUP_NOVELTY]: this.lookups.record(principal ?? '', target),
        [ATTR_MCPKIT_LOOKUP_BATCH]: batch,
        ...(principal ? { [ATTR_MCPKIT_PRINCIPAL]: principal } : {}),
      });
      (perPeriod ?? globalPrincipalLookups()).addLookups(1, attributes);
    }
  }

  private respond(connection: Connection, message: JsonRpcMessage): void {
    const { session, pending } = connection;
    const id = message.id as string | number;
    const request = pending.get(id);
    if (!request) return;
    pending.delete(id);
    this.learnNames(request.method, message.result);
    const { errorType, statusCode, failed } = classifyResponse(message);
    const { span, metricAttributes } = request;
    if (errorType) {
      metricAttributes[ATTR_ERROR_TYPE] = errorType;
      span.setAttribute(ATTR_ERROR_TYPE, errorType);
    }
    if (statusCode) {
      metricAttributes[ATTR_RPC_RESPONSE_STATUS_CODE] = statusCode;
      span.setAttribute(ATTR_RPC_RESPONSE_STATUS_CODE, statusCode);
    }
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    const recorded = instruments();
    if (request.toolCall)
      this.finishToolCall(session, { call: request.toolCall, span, errorType, failed, message }, recorded);
    span.end();
    recorded.operationDuration.record(
      (performance.now() - request.startedAt) / 1000,
      interned(metricAttributes),
    );
  }

  private finishToolCall(session: SessionState, ending: ToolCallEnding, recorded: Instruments): void {
    const { call, span, errorType, failed, message } = ending;
    // Declared by the tool, else derived: a client error (bad params, unknown method) was rejected; a
    // tool error result or a server error is the tool's failure.
    const outcome: ToolOutcome =
      call.outcome ?? (errorType === undefined ? 'ok' : message.error && !failed ? 'rejected' : 'tool_error');
    const policy = this.options.tools?.[call.toolName];
    const analytics: Attributes = {
      [ATTR_GEN_AI_TOOL_NAME]: call.toolName,
      [ATTR_MCPKIT_TOOL_OUTCOME]: outcome,
    };
    if (session.clientName) analytics[ATTR_MCPKIT_CLIENT_NAME] = session.clientName;
    if (call.resultCount !== undefined)
      analytics[ATTR_MCPKIT_RESULT_COUNT] = resultCountBucket(call.resultCount);
    for (const [key, value] of Object.entries(call.resultAttributes))
      analytics[`${MCPKIT_RESULT_PREFIX}${key}`] = value;
    span.setAttributes(analytics);
    // Metric attributes: bounded vocabularies only (a `count` argument stays on the span).
    const metricAnalytics: Attributes = { ...analytics };
    for (const [field, value] of Object.entries(call.exportedArguments)) {
      const transform = policy?.arguments?.[field];
      if (transform && isLowCardinality(transform))
        metricAnalytics[`${MCPKIT_ARGUMENT_PREFIX}${field}`] = value;
    }
    recorded.toolCalls.add(1, interned(metricAnalytics));
    recorded.transitions.add(
      1,
      interned({ [ATTR_MCPKIT_TOOL_PREVIOUS]: session.previousTool, [ATTR_GEN_AI_TOOL_NAME]: call.toolName }),
    );
    session.previousTool = call.toolName;
    session.toolCalls++;
  }

  private recordSession({ session, networkTransport }: Connection): void {
    const attributes: Attributes = {
      ...(session.protocolVersion ? { [ATTR_MCP_PROTOCOL_VERSION]: session.protocolVersion } : {}),
      ...(networkTransport ? { [ATTR_NETWORK_TRANSPORT]: networkTransport } : {}),
      ...(session.clientName ? { [ATTR_MCPKIT_CLIENT_NAME]: session.clientName } : {}),
    };
    instruments().sessionDuration.record((performance.now() - session.startedAt) / 1000, attributes);
    instruments().sessionCalls.record(session.toolCalls, attributes);
  }

  private protectName(name: string): void {
    if (this.protectedNames.has(name)) return;
    if (this.protectedNames.size >= 10_000) this.protectedNames.clear();
    this.guard.taint.protect([name]);
    this.protectedNames.add(name);
  }

  /** A tool or prompt name the server defines, else `(unknown)`: a caller's typo is never exported. */
  private knownName(kind: 'tools' | 'prompts', name: unknown): string {
    if (typeof name !== 'string') return UNKNOWN;
    return this.knownNames[kind].has(name) || this.isRegistered(kind, name) ? name : UNKNOWN;
  }

  /** Names a server lists in tools/list and prompts/list responses are its own: remember them. */
  private learnNames(method: string, result: Record<string, unknown> | undefined): void {
    const kind = method === 'tools/list' ? 'tools' : method === 'prompts/list' ? 'prompts' : undefined;
    if (!kind || !Array.isArray(result?.[kind])) return;
    for (const item of result[kind] as { name?: unknown }[]) {
      if (typeof item?.name === 'string') {
        this.knownNames[kind].add(item.name);
        this.guard.taint.protect([item.name]);
      }
    }
  }
}

/**
 * Instruments an MCP server: `McpServer` or the low-level `Server`, of `@modelcontextprotocol/sdk` 1.x or
 * the 2.x split packages. Call it before `connect()`. Idempotent: a second call returns the server as is.
 */
export function instrumentMcpServer<T extends object>(
  server: T,
  options: InstrumentMcpServerOptions = {},
): T {
  // McpServer delegates to its low-level Server: hook that one, so wrapping either (or both) is the same.
  const lowLevel = ((server as { server?: unknown }).server ?? server) as Connectable & {
    [INSTRUMENTED]?: true;
  };
  if (lowLevel[INSTRUMENTED] || typeof lowLevel.connect !== 'function') return server;
  const registry = server as { _registeredTools?: object; _registeredPrompts?: object };
  const instrumentation = new ServerInstrumentation(options, privacyGuard(), (kind, name) =>
    Object.hasOwn((kind === 'tools' ? registry._registeredTools : registry._registeredPrompts) ?? {}, name),
  );

  const connect = lowLevel.connect.bind(lowLevel);
  lowLevel.connect = (transport: Transport) => {
    instrumentation.instrumentTransport(transport);
    return connect(transport);
  };
  Object.defineProperty(lowLevel, INSTRUMENTED, { value: true });
  return server;
}
