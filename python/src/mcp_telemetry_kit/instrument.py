"""instrument_mcp_server(): the port of src/mcp/instrument.ts for Python MCP servers.

One SERVER span and one `mcp.server.operation.duration` measurement per MCP request and notification,
following the OpenTelemetry MCP semantic conventions, plus the kit's analytics (`mcpkit.` names): tool
outcomes, result-count buckets, journeys, per-principal lookups, session length.

It hooks the MCP SDK's own seam: `Server.middleware` of the `mcp` 2.x low-level server, which FastMCP
(`fastmcp` 3+) and the SDK's `MCPServer` both run on. Every inbound request and notification, over stdio
and Streamable HTTP, passes through that chain with the raw method and params, before validation, and its
handler runs inside it, so the span is the active one in the tool's code. The SDK's own
`OpenTelemetryMiddleware` is taken out of the chain (it exports the caller's tool name and exception text
as they are) and FastMCP's own spans are suppressed under the kit's, so each request is one span.
"""

from __future__ import annotations

import contextvars
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import metrics, propagate, trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from . import names
from .export_policy import (
    ToolPolicy,
    apply_transform,
    exported_arguments,
    is_low_cardinality,
    lookup_targets,
    result_count_bucket,
)
from .guard import PrivacyGuard
from .lookups import LookupLedger

try:  # the MCP SDK validates params with pydantic; the privacy core alone does not need it
    from pydantic import ValidationError
except ImportError:  # pragma: no cover
    ValidationError = ()  # type: ignore[assignment,misc]

UNKNOWN = names.UNKNOWN
SESSION_START = names.SESSION_START
_INSTRUMENTED = "_mcp_telemetry_kit_instrumented"

_INVALID_PARAMS = -32602
_INTERNAL_ERROR = names.SERVER_ERROR_CODES["internalError"]


def is_server_error_code(code: int) -> bool:
    """The error rules of the MCP semantic conventions (src/privacy/rules.json `errors`): client mistakes and
    "not found" carry error.type but leave the span status unset; server errors set it."""
    if code in names.CLIENT_ERROR_CODES:
        return False
    server = names.SERVER_ERROR_CODES
    return code == _INTERNAL_ERROR or server["rangeFrom"] <= code <= server["rangeTo"]


class ToolCall:
    """The tool call being handled: what its code may declare about it (`current_tool_call()`)."""

    def __init__(self, tool_name: str, policy: ToolPolicy | None) -> None:
        self.tool_name = tool_name
        self.outcome: str | None = None
        self.result_count: int | None = None
        self.result_attributes: dict[str, str | int | bool] = {}
        self.exported_arguments: dict[str, str | int | bool] = {}
        self._policy = policy

    def set_outcome(self, outcome: str) -> None:
        """ok | no_match | tool_error | upstream_failure | rejected."""
        self.outcome = outcome

    def set_result_count(self, count: int) -> None:
        self.result_count = count

    def set_result_attribute(self, key: str, value: str | int | bool) -> None:
        transform = ((self._policy or {}).get("results") or {}).get(key)
        if transform is None:
            return  # not declared in the tool's policy: never exported
        safe = apply_transform(transform, value)
        if safe is not None:
            self.result_attributes[key] = safe


_active_tool_call: contextvars.ContextVar[ToolCall | None] = contextvars.ContextVar(
    "mcp_telemetry_kit_tool_call", default=None
)


def current_tool_call() -> ToolCall | None:
    """The tool call being handled in the current context, if any."""
    return _active_tool_call.get()


@dataclass
class _Session:
    started_at: float = field(default_factory=time.perf_counter)
    client_name: str | None = None
    client_version: str | None = None
    protocol_version: str | None = None
    previous_tool: str = SESSION_START
    tool_calls: int = 0
    ended: bool = False


class _Instruments:
    def __init__(self) -> None:
        meter = metrics.get_meter(names.INSTRUMENTATION_SCOPE)
        described = names.METRIC_DESCRIPTIONS
        self.operation_duration = meter.create_histogram(
            names.MCP_SERVER_OPERATION_DURATION,
            unit="s",
            description=described[names.MCP_SERVER_OPERATION_DURATION],
            explicit_bucket_boundaries_advisory=names.MCP_DURATION_BUCKETS,
        )
        self.session_duration = meter.create_histogram(
            names.MCP_SERVER_SESSION_DURATION,
            unit="s",
            description=described[names.MCP_SERVER_SESSION_DURATION],
            explicit_bucket_boundaries_advisory=names.MCP_DURATION_BUCKETS,
        )
        self.session_calls = meter.create_histogram(
            names.METRIC_MCPKIT_SESSION_CALLS,
            unit="{call}",
            description=described[names.METRIC_MCPKIT_SESSION_CALLS],
            explicit_bucket_boundaries_advisory=[0, 1, 2, 3, 5, 10, 20, 50, 100],
        )
        self.tool_calls = meter.create_counter(
            names.METRIC_MCPKIT_TOOL_CALLS, unit="{call}", description=described[names.METRIC_MCPKIT_TOOL_CALLS]
        )
        self.transitions = meter.create_counter(
            names.METRIC_MCPKIT_TOOL_TRANSITIONS,
            unit="{call}",
            description=described[names.METRIC_MCPKIT_TOOL_TRANSITIONS],
        )
        self.principal_lookups = meter.create_counter(
            names.METRIC_MCPKIT_PRINCIPAL_LOOKUPS,
            unit="{lookup}",
            description=described[names.METRIC_MCPKIT_PRINCIPAL_LOOKUPS],
        )


_instruments: _Instruments | None = None


def _recorded() -> _Instruments:
    # Created on first use: the API's proxy meter forwards to whichever provider is set later, so
    # instrument_mcp_server() before start_telemetry() still records.
    global _instruments
    if _instruments is None:
        _instruments = _Instruments()
    return _instruments


_tracers: dict[int, trace.Tracer] = {}


def _tracer() -> trace.Tracer:
    # One per tracer provider (the API's proxy until start_telemetry() sets one): get_tracer() is not free.
    provider = trace.get_tracer_provider()
    found = _tracers.get(id(provider))
    if found is None:
        found = _tracers[id(provider)] = provider.get_tracer(names.INSTRUMENTATION_SCOPE)
    return found


def _header(request: object, name: str) -> str | None:
    headers = getattr(request, "headers", None)
    if headers is None:
        return None
    value = headers.get(name)
    return value if isinstance(value, str) and value else None


def _caller_supplied_values(params: Mapping[str, Any] | None) -> list[object]:
    """Everything a request carries from the caller, except names the server itself defines."""
    if not params:
        return []
    return [value for key, value in params.items() if key not in ("name", "_meta")]


def _wire_dict(result: object) -> Mapping[str, Any] | None:
    if isinstance(result, Mapping):
        return result
    dump = getattr(result, "model_dump", None)
    if callable(dump):
        try:
            return dump(by_alias=True, exclude_none=True)
        except Exception:
            return None
    return None


def _error_code(error: BaseException) -> int:
    """The JSON-RPC code the SDK answers an exception out of the chain with."""
    data = getattr(error, "error", None)
    code = getattr(data, "code", None)
    if isinstance(code, int):
        return code
    if isinstance(error, ValidationError):
        return _INVALID_PARAMS  # the SDK answers malformed params with INVALID_PARAMS
    return _INTERNAL_ERROR


Identify = Callable[[Mapping[str, Any]], "str | None"]


class KitMiddleware:
    """The kit's `ServerMiddleware`: spans, metrics and analytics for every inbound MCP message."""

    def __init__(
        self,
        guard: PrivacyGuard,
        tools: Mapping[str, ToolPolicy] | None = None,
        identify: Identify | None = None,
        is_registered: Callable[[str, str], bool] = lambda kind, name: False,
    ) -> None:
        self._guard = guard
        self._tools = dict(tools or {})
        self._identify = identify
        self._is_registered = is_registered
        self.known_names: dict[str, set[str]] = {"tools": set(), "prompts": set()}
        self._sessions: weakref.WeakKeyDictionary[object, _Session] = weakref.WeakKeyDictionary()
        self._sessions_by_id: dict[str, _Session] = {}
        self._lookups = LookupLedger(guard.pseudonymizer)
        guard.taint.protect(names.KIT_VOCABULARY)
        for tool, policy in self._tools.items():
            self.known_names["tools"].add(tool)
            guard.taint.protect([tool])
            for transform in [*(policy.get("arguments") or {}).values(), *(policy.get("results") or {}).values()]:
                if isinstance(transform, Mapping):
                    guard.taint.protect([str(item) for item in transform.get("enum", [])])

    async def __call__(self, ctx: Any, call_next: Callable[[Any], Any]) -> Any:
        guard = self._guard
        method: str = ctx.method
        params: Mapping[str, Any] = ctx.params or {}
        request = getattr(ctx, "request", None)
        connection = getattr(ctx.session, "_connection", None) or ctx.session
        session_id = getattr(connection, "session_id", None) or _header(request, "mcp-session-id")
        # Stateful Streamable HTTP serves a session over many connections: its id keys the journey.
        session = self._session_of(session_id or connection)
        # A method outside the protocol's vocabulary is caller text: exported only as `other`.
        exported_method = guard.closed_value(names.MCP_METHOD_NAME, method)
        if method == "initialize":
            self._initialize(session, connection, params, request)
        elif session.client_name is None:
            # The 2026-07-28 protocol has no handshake: each request's _meta envelope names the client.
            self._client_from(session, getattr(connection, "client_params", None))
        tool = self._known_name("tools", params.get("name")) if method == "tools/call" else None
        prompt = self._known_name("prompts", params.get("name")) if method == "prompts/get" else None
        # Remember what the caller typed, so it is removed wherever application code repeats it (the
        # server's own names were protected when they became known); initialize carries client metadata.
        if method != "initialize":
            guard.taint.add(_caller_supplied_values(params))
            if UNKNOWN in (tool, prompt):
                guard.taint.add(params.get("name"))  # a name the server does not define is the caller's text
        protocol_version = (
            _header(request, "mcp-protocol-version") or session.protocol_version or getattr(ctx, "protocol_version", None)
        )
        network_transport = names.TRANSPORT_TCP if request is not None else names.TRANSPORT_PIPE

        metric_attributes: dict[str, Any] = {names.MCP_METHOD_NAME: exported_method}
        if tool:
            metric_attributes[names.GEN_AI_TOOL_NAME] = tool
            metric_attributes[names.GEN_AI_OPERATION_NAME] = names.EXECUTE_TOOL
        if prompt:
            metric_attributes[names.GEN_AI_PROMPT_NAME] = prompt
        if protocol_version:
            metric_attributes[names.MCP_PROTOCOL_VERSION] = protocol_version
        metric_attributes[names.NETWORK_TRANSPORT] = network_transport

        principal = self._principal(ctx, session_id)
        span_attributes = dict(metric_attributes)
        request_id = ctx.request_id
        if request_id is not None:
            span_attributes[names.JSONRPC_REQUEST_ID] = (
                str(request_id)
                if isinstance(request_id, int)
                else guard.pseudonymizer.pseudonym("request", str(request_id))
            )
        if session_id:
            span_attributes[names.MCP_SESSION_ID] = guard.pseudonymizer.pseudonym("session", session_id)
        if principal:
            span_attributes[names.ATTR_MCPKIT_PRINCIPAL] = principal
        if session.client_name:
            span_attributes[names.ATTR_MCPKIT_CLIENT_NAME] = session.client_name
        if session.client_version:
            span_attributes[names.ATTR_MCPKIT_CLIENT_VERSION] = session.client_version
        tool_call = ToolCall(tool, self._tools.get(tool)) if tool else None
        if tool_call is not None:
            span_attributes[names.ATTR_MCPKIT_TOOL_PREVIOUS] = session.previous_tool
            tool_call.exported_arguments = exported_arguments(self._tools.get(tool_call.tool_name), params.get("arguments"))
            for key, value in tool_call.exported_arguments.items():
                span_attributes[f"{names.MCPKIT_ARGUMENT_PREFIX}{key}"] = value
            self._count_lookups(tool_call.tool_name, principal, params.get("arguments"))

        active = otel_context.get_current()
        transport_span = trace.get_current_span(active).get_span_context()
        if not transport_span.is_valid and request is not None:
            active = propagate.extract(getattr(request, "headers", {}) or {}, context=active)
            transport_span = trace.get_current_span(active).get_span_context()
        meta = params.get("_meta")
        parent = propagate.extract(meta, context=active) if isinstance(meta, Mapping) else active
        from_meta = trace.get_current_span(parent).get_span_context() != transport_span
        # Parented on the caller's trace from _meta; the transport's span is then a link.
        links = [Link(transport_span)] if from_meta and transport_span.is_valid else []
        target = tool or prompt
        span = _tracer().start_span(
            f"{exported_method} {target}" if target else exported_method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes=span_attributes,
            links=links,
        )
        started = time.perf_counter()
        token = otel_context.attach(_without_fastmcp_spans(trace.set_span_in_context(span, parent)))
        call_token = _active_tool_call.set(tool_call)
        error_code: int | None = None
        result: Any = None
        try:
            result = await call_next(ctx)
            return result
        except BaseException as error:
            if isinstance(error, Exception):
                error_code = _error_code(error)
            raise
        finally:
            _active_tool_call.reset(call_token)
            otel_context.detach(token)
            self._finish(session, span, started, method, metric_attributes, tool_call, error_code, result)

    def _finish(
        self,
        session: _Session,
        span: trace.Span,
        started: float,
        method: str,
        metric_attributes: dict[str, Any],
        tool_call: ToolCall | None,
        error_code: int | None,
        result: Any,
    ) -> None:
        wire = _wire_dict(result) if error_code is None else None
        if wire is not None:
            self._learn_names(method, wire)
        error_type: str | None = None
        failed = False
        if error_code is not None:
            error_type = str(error_code)
            failed = is_server_error_code(error_code)
            metric_attributes[names.RPC_RESPONSE_STATUS_CODE] = error_type
            span.set_attribute(names.RPC_RESPONSE_STATUS_CODE, error_type)
        elif wire is not None and wire.get("isError") is True:
            error_type = names.ERROR_TYPE_TOOL_ERROR
            failed = True
        if error_type is not None:
            metric_attributes[names.ERROR_TYPE] = error_type
            span.set_attribute(names.ERROR_TYPE, error_type)
        if failed:
            span.set_status(Status(StatusCode.ERROR))  # no description: an exception's text is caller data
        recorded = _recorded()
        if tool_call is not None:
            self._finish_tool_call(session, tool_call, span, error_code, error_type, failed, recorded)
        span.end()
        recorded.operation_duration.record(time.perf_counter() - started, metric_attributes)

    def _finish_tool_call(
        self,
        session: _Session,
        call: ToolCall,
        span: trace.Span,
        error_code: int | None,
        error_type: str | None,
        failed: bool,
        recorded: _Instruments,
    ) -> None:
        # Declared by the tool, else derived: a client error was rejected; a tool error result or a server
        # error is the tool's failure.
        outcome = call.outcome or (
            "ok" if error_type is None else "rejected" if error_code is not None and not failed else "tool_error"
        )
        analytics: dict[str, Any] = {names.GEN_AI_TOOL_NAME: call.tool_name, names.ATTR_MCPKIT_TOOL_OUTCOME: outcome}
        if session.client_name:
            analytics[names.ATTR_MCPKIT_CLIENT_NAME] = session.client_name
        if call.result_count is not None:
            analytics[names.ATTR_MCPKIT_RESULT_COUNT] = result_count_bucket(call.result_count)
        for key, value in call.result_attributes.items():
            analytics[f"{names.MCPKIT_RESULT_PREFIX}{key}"] = value
        span.set_attributes(analytics)
        # Metric attributes: bounded vocabularies only (a `count` argument stays on the span).
        policy_arguments = (self._tools.get(call.tool_name) or {}).get("arguments") or {}
        metric_analytics = dict(analytics)
        for key, value in call.exported_arguments.items():
            transform = policy_arguments.get(key)
            if transform is not None and is_low_cardinality(transform):
                metric_analytics[f"{names.MCPKIT_ARGUMENT_PREFIX}{key}"] = value
        recorded.tool_calls.add(1, metric_analytics)
        recorded.transitions.add(
            1, {names.ATTR_MCPKIT_TOOL_PREVIOUS: session.previous_tool, names.GEN_AI_TOOL_NAME: call.tool_name}
        )
        session.previous_tool = call.tool_name
        session.tool_calls += 1

    def _session_of(self, key: object) -> _Session:
        if isinstance(key, str):
            found = self._sessions_by_id.get(key)
            if found is None:
                if len(self._sessions_by_id) >= 10_000:  # bounded: the oldest session is forgotten
                    self._sessions_by_id.pop(next(iter(self._sessions_by_id)))
                found = self._sessions_by_id[key] = _Session()
            return found
        try:
            found = self._sessions.get(key)
            if found is None:
                found = _Session()
                self._sessions[key] = found
            return found
        except TypeError:  # not weak-referenceable: a session of its own per message
            return _Session()

    def _client_from(self, session: _Session, client_params: object) -> None:
        info = getattr(client_params, "client_info", None)
        if info is not None:
            self._client(session, getattr(info, "name", None), getattr(info, "version", None))

    def _client(self, session: _Session, name: object, version: object) -> None:
        # clientInfo.name is whatever the caller typed ("Consuelo's family laptop"): known assistants only.
        if isinstance(name, str):
            session.client_name = self._guard.closed_value(names.ATTR_MCPKIT_CLIENT_NAME, name)
        # clientInfo.version is caller text too: a version number, else `other`.
        if isinstance(version, str):
            session.client_version = self._guard.formatted_value(names.ATTR_MCPKIT_CLIENT_VERSION, version)

    def _initialize(self, session: _Session, connection: object, params: Mapping[str, Any], request: object) -> None:
        client_info = params.get("clientInfo")
        if isinstance(client_info, Mapping):
            self._client(session, client_info.get("name"), client_info.get("version"))
        if isinstance(params.get("protocolVersion"), str):
            session.protocol_version = params["protocolVersion"]
        transport = names.TRANSPORT_TCP if request is not None else names.TRANSPORT_PIPE
        exit_stack = getattr(connection, "exit_stack", None)
        if exit_stack is not None and hasattr(exit_stack, "callback"):
            # The connection's own teardown (the SDK unwinds it when the session ends).
            exit_stack.callback(self._record_session, session, transport, getattr(connection, "session_id", None))

    def _record_session(self, session: _Session, transport: str, session_id: str | None = None) -> None:
        if session.ended:
            return
        session.ended = True
        if session_id is not None:
            self._sessions_by_id.pop(session_id, None)
        attributes: dict[str, Any] = {names.NETWORK_TRANSPORT: transport}
        if session.protocol_version:
            attributes[names.MCP_PROTOCOL_VERSION] = session.protocol_version
        if session.client_name:
            attributes[names.ATTR_MCPKIT_CLIENT_NAME] = session.client_name
        recorded = _recorded()
        recorded.session_duration.record(time.perf_counter() - session.started_at, attributes)
        recorded.session_calls.record(session.tool_calls, attributes)

    def _principal(self, ctx: Any, session_id: str | None) -> str | None:
        if self._identify is None:
            return None
        request = getattr(ctx, "request", None)
        auth_info = getattr(getattr(request, "scope", None) or {}, "get", lambda _key: None)("user")
        try:
            raw = self._identify({"auth_info": auth_info, "session_id": session_id, "request": request})
        except Exception:
            return None  # the application's hook must never break the call it observes
        return self._guard.pseudonymizer.pseudonym("principal", raw) if isinstance(raw, str) and raw else None

    def _count_lookups(self, tool: str, principal: str | None, args: object) -> None:
        """Counts the call's lookups as new or repeat for its principal; the targets themselves stay here."""
        targets = lookup_targets((self._tools.get(tool) or {}).get("lookup_keys"), args)
        batch = "true" if len(targets) > 1 else "false"
        for target in targets:
            attributes: dict[str, Any] = {
                names.GEN_AI_TOOL_NAME: tool,
                names.ATTR_MCPKIT_LOOKUP_NOVELTY: self._lookups.record(principal or "", target),
                names.ATTR_MCPKIT_LOOKUP_BATCH: batch,
            }
            if principal:
                attributes[names.ATTR_MCPKIT_PRINCIPAL] = principal
            _recorded().principal_lookups.add(1, attributes)

    def _known_name(self, kind: str, name: object) -> str:
        """A tool or prompt name the server defines, else `(unknown)`: a caller's typo is never exported."""
        if not isinstance(name, str):
            return UNKNOWN
        if name in self.known_names[kind]:
            return name
        if self._is_registered(kind, name):
            self._remember(kind, [name])
            return name
        return UNKNOWN

    def _remember(self, kind: str, found: Iterable[str]) -> None:
        known = self.known_names[kind]
        if len(known) >= 10_000:
            known.clear()
        for name in found:
            known.add(name)
            self._guard.taint.protect([name])

    def _learn_names(self, method: str, result: Mapping[str, Any]) -> None:
        """Names a server lists in tools/list and prompts/list responses are its own: remember them."""
        kind = "tools" if method == "tools/list" else "prompts" if method == "prompts/list" else None
        items = result.get(kind) if kind else None
        if kind and isinstance(items, list):
            self._remember(kind, [item["name"] for item in items if isinstance(item, Mapping) and isinstance(item.get("name"), str)])


def _without_fastmcp_spans(ctx: otel_context.Context) -> otel_context.Context:
    """The context with FastMCP's own spans suppressed (its trace propagation stays): one span per request."""
    try:
        from fastmcp.telemetry import _SUPPRESS_KEY  # type: ignore[attr-defined]
    except Exception:
        return ctx
    return otel_context.set_value(_SUPPRESS_KEY, True, ctx)


def _registry_check(server: object) -> Callable[[str, str], bool]:
    """Whether a name is registered on a FastMCP or MCPServer (best effort; names are also learned from lists)."""

    def registered(kind: str, name: str) -> bool:
        try:
            local = getattr(server, "_local_provider", None)
            if local is not None:  # FastMCP: components keyed like "tool:search@" with a type of their own
                wanted = "Tool" if kind == "tools" else "Prompt"
                return any(
                    getattr(component, "name", None) == name and wanted in type(component).__name__
                    for component in getattr(local, "_components", {}).values()
                )
            manager = getattr(server, "_tool_manager" if kind == "tools" else "_prompt_manager", None)
            getter = getattr(manager, "get_tool" if kind == "tools" else "get_prompt", None)
            return getter is not None and getter(name) is not None
        except Exception:
            return False

    return registered


def _low_level_server(server: object) -> Any:
    for attribute in ("_mcp_server", "_lowlevel_server"):
        found = getattr(server, attribute, None)
        if found is not None and hasattr(found, "middleware"):
            return found
    if hasattr(server, "middleware") and isinstance(getattr(server, "middleware"), list):
        return server
    raise TypeError(
        "mcp-telemetry-kit: instrument_mcp_server() takes a FastMCP, an MCPServer or an MCP SDK 2.x low-level "
        f"Server; got {type(server).__name__}"
    )


def instrument_mcp_server(
    server: Any,
    *,
    tools: Mapping[str, ToolPolicy] | None = None,
    identify: Identify | None = None,
    guard: PrivacyGuard | None = None,
) -> Any:
    """Instruments a FastMCP server, an MCP SDK `MCPServer` or its low-level `Server` (mcp 2.x).

    `tools` is the per-tool export policy (export_policy.py); `identify` names the caller from
    `{"auth_info", "session_id", "request"}` (only its keyed pseudonym is ever exported). Call it before the
    server runs; idempotent: a second call returns the server as is.
    """
    low_level = _low_level_server(server)
    if getattr(low_level, _INSTRUMENTED, False):
        return server
    if guard is None:
        from .telemetry import privacy_guard

        guard = privacy_guard()
    middleware = KitMiddleware(guard, tools=tools, identify=identify, is_registered=_registry_check(server))
    # The SDK's own span middleware exports raw tool names and exception text: the kit's replaces it.
    low_level.middleware[:] = [
        item for item in low_level.middleware if type(item).__name__ != "OpenTelemetryMiddleware"
    ]
    low_level.middleware.insert(0, middleware)
    setattr(low_level, _INSTRUMENTED, True)
    return server
