"""instrument_mcp_server() on a real FastMCP server, driven by FastMCP's real client (in memory).

What an operator gets per MCP method (the semantic-convention span and duration, the kit's analytics),
the error rules, `_meta` trace propagation, and what never leaves: the caller's arguments, typos and
client text, on any span, metric or log record the SDK exports.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from fastmcp import Client, FastMCP
from mcp.shared.exceptions import MCPError
from mcp_types import Request
from opentelemetry import trace
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, MetricsData
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from mcp_telemetry_kit import current_tool_call, instrument_mcp_server, start_telemetry

FIRST, LAST, BORN, A_NUMBER = "Consuelo", "Barrientos", "1987-03-14", "A-204-518-337"
CANARIES = [FIRST, LAST, BORN, "204518337", "204-518-337", "find maria lopez", "Abuela's laptop"]


class RecordingMetricExporter(MetricExporter):
    def __init__(self) -> None:
        super().__init__()
        self.exported: list[MetricsData] = []

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any) -> MetricExportResult:
        self.exported.append(metrics_data)
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        pass

    def points(self, name: str) -> list[Any]:
        found = []
        for data in self.exported[-1:]:
            for resource_metrics in data.resource_metrics:
                for scope in resource_metrics.scope_metrics:
                    for metric in scope.metrics:
                        if metric.name == name:
                            found.extend(metric.data.data_points)
        return found


logging.getLogger().setLevel(logging.INFO)  # the application's choice: the kit leaves it
spans = InMemorySpanExporter()
logs = InMemoryLogRecordExporter()
metrics = RecordingMetricExporter()
telemetry = start_telemetry(
    service_name="py-locator-test",
    pseudonym_key="k" * 32,
    span_exporter=spans,
    metric_exporter=metrics,
    log_exporter=logs,
    metric_export_interval_millis=3_600_000,
    host_metrics=True,
)
log = logging.getLogger("locator")

server = FastMCP("py-locator")


@server.tool
def search_detainee_by_name(first_name: str, last_name: str, country: str = "", date_of_birth: str = "") -> str:
    """Find a person held in immigration detention by name."""
    log.info("searching for %s %s born %s", first_name, last_name, date_of_birth)
    call = current_tool_call()
    assert call is not None
    if last_name == "Nobody":
        call.set_outcome("no_match")
        call.set_result_count(0)
        return "no match"
    call.set_result_count(1)
    call.set_result_attribute("match_type", "exact")
    return f"{first_name} {last_name}: held at the processing center"


@server.tool
def search_detainee_by_a_number(a_number: str) -> str:
    """Find a person by A-number."""
    raise RuntimeError(f"upstream refused {a_number}")


@server.prompt
def find_relative(name: str) -> str:
    """A prompt to look for a relative."""
    return f"Please find {name}"


@server.resource("locator://facilities")
def facilities() -> str:
    """The detention facilities."""
    return "Processing center"


instrument_mcp_server(
    server,
    tools={
        "search_detainee_by_name": {
            "arguments": {"country": {"enum": ["mx", "gt", "hn"]}, "date_of_birth": "boolean"},
            "results": {"match_type": {"enum": ["exact", "fuzzy"]}},
            "lookup_keys": lambda args: f"{args['first_name'].lower()}|{args['last_name'].lower()}",
        }
    },
)


async def _session() -> None:
    async with Client(server, client_info=None) as client:
        await client.list_tools()
        await client.call_tool(
            "search_detainee_by_name",
            {"first_name": FIRST, "last_name": LAST, "country": "mx", "date_of_birth": BORN},
        )
        await client.call_tool("search_detainee_by_name", {"first_name": FIRST, "last_name": LAST, "country": "Narnia"})
        await client.call_tool("search_detainee_by_name", {"first_name": "Ana", "last_name": "Nobody"})
        await client.call_tool_mcp("search_detainee_by_a_number", {"a_number": A_NUMBER})
        with pytest.raises(Exception):
            await client.call_tool("find maria lopez", {"name": f"{FIRST} {LAST}"})
        with pytest.raises(MCPError):
            await client.session.send_request(Request[dict, str](method="find maria lopez", params={"q": LAST}), dict)
        await client.list_prompts()
        await client.get_prompt("find_relative", {"name": f"{FIRST} {LAST}"})
        await client.read_resource("locator://facilities")


@pytest.fixture(scope="module")
def exported() -> dict[str, Any]:
    asyncio.run(_session())
    telemetry.force_flush()
    server_spans = [span for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER]
    return {"spans": server_spans, "all": spans.get_finished_spans(), "logs": logs.get_finished_logs()}


def _calls(exported: dict[str, Any], name: str) -> list[Any]:
    return [span for span in exported["spans"] if span.name == name]


def test_every_request_is_one_server_span_named_by_method_and_target(exported: dict[str, Any]) -> None:
    names = [span.name for span in exported["spans"]]
    assert "server/discover" in names  # FastMCP's client speaks the 2026-07-28 protocol: no initialize
    assert "tools/list" in names
    assert names.count("tools/call search_detainee_by_name") == 3
    # FastMCP's own spans are suppressed and the SDK's own middleware is gone: nothing else is SERVER.
    assert all(span.instrumentation_scope.name == "mcp-telemetry-kit" for span in exported["spans"])


def test_a_tool_call_carries_the_semantic_convention_attributes_and_the_kits_analytics(exported: dict[str, Any]) -> None:
    first = _calls(exported, "tools/call search_detainee_by_name")[0]
    attributes = dict(first.attributes)
    assert attributes["mcp.method.name"] == "tools/call"
    assert attributes["gen_ai.tool.name"] == "search_detainee_by_name"
    assert attributes["gen_ai.operation.name"] == "execute_tool"
    assert attributes["network.transport"] == "pipe"
    assert attributes["mcp.protocol.version"]
    assert attributes["jsonrpc.request.id"].isdigit()
    assert attributes["mcpkit.tool.outcome"] == "ok"
    assert attributes["mcpkit.tool.previous"] == "(start)"
    assert attributes["mcpkit.result.count"] == "1"
    assert attributes["mcpkit.result.match_type"] == "exact"
    assert attributes["mcpkit.arg.country"] == "mx"
    assert "mcpkit.arg.date_of_birth" not in attributes  # a string is not a boolean: nothing exported
    assert first.status.status_code == StatusCode.UNSET


def test_an_argument_outside_its_enum_is_exported_as_other(exported: dict[str, Any]) -> None:
    second = _calls(exported, "tools/call search_detainee_by_name")[1]
    assert second.attributes["mcpkit.arg.country"] == "other"


def test_a_tool_declares_its_outcome(exported: dict[str, Any]) -> None:
    third = _calls(exported, "tools/call search_detainee_by_name")[2]
    assert third.attributes["mcpkit.tool.outcome"] == "no_match"
    assert third.attributes["mcpkit.result.count"] == "0"


def test_a_failing_tool_is_a_tool_error_with_no_text_in_its_status(exported: dict[str, Any]) -> None:
    (failed,) = _calls(exported, "tools/call search_detainee_by_a_number")
    assert failed.attributes["error.type"] == "tool_error"
    assert failed.attributes["mcpkit.tool.outcome"] == "tool_error"
    assert failed.status.status_code == StatusCode.ERROR
    assert not failed.status.description


def test_a_tool_the_server_does_not_define_is_unknown(exported: dict[str, Any]) -> None:
    (unknown,) = _calls(exported, "tools/call (unknown)")
    assert unknown.attributes["gen_ai.tool.name"] == "(unknown)"
    assert "error.type" in unknown.attributes


def test_a_method_outside_the_protocol_is_other_and_a_client_error(exported: dict[str, Any]) -> None:
    (other,) = [span for span in _calls(exported, "other") if "error.type" in span.attributes]
    assert other.attributes["mcp.method.name"] == "other"
    assert other.attributes["error.type"] == "-32601"
    assert other.attributes["rpc.response.status_code"] == "-32601"
    assert other.status.status_code == StatusCode.UNSET


def test_a_prompt_is_named_and_a_resource_read_carries_no_uri(exported: dict[str, Any]) -> None:
    (prompt,) = _calls(exported, "prompts/get find_relative")
    assert prompt.attributes["gen_ai.prompt.name"] == "find_relative"
    (read,) = _calls(exported, "resources/read")
    assert "locator" not in json.dumps(dict(read.attributes))


def test_the_callers_trace_context_in_meta_parents_the_span(exported: dict[str, Any]) -> None:
    # The MCP SDK's client puts its CLIENT span's context in the request's _meta.
    first = _calls(exported, "tools/call search_detainee_by_name")[0]
    (sent,) = [
        span
        for span in exported["all"]
        if span.kind == SpanKind.CLIENT and span.name.startswith("MCP send") and span.context.trace_id == first.context.trace_id
    ]
    assert first.parent.span_id == sent.context.span_id
    assert first.parent.is_remote


def test_the_tool_span_is_active_in_the_tool_so_its_logs_join_the_trace(exported: dict[str, Any]) -> None:
    first = _calls(exported, "tools/call search_detainee_by_name")[0]
    records = [entry.log_record for entry in exported["logs"] if entry.log_record.trace_id == first.context.trace_id]
    assert records, "the tool's log record carries the tool call's trace"


def test_no_argument_or_caller_text_reaches_any_span_or_log_record(exported: dict[str, Any]) -> None:
    # The test's own client spans are the caller's side (they name what the caller typed), not the server's.
    exported_text = json.dumps(
        [
            [span.name, dict(span.attributes), [dict(e.attributes or {}) for e in span.events], span.status.description]
            for span in exported["all"]
            if span.kind != SpanKind.CLIENT
        ]
        + [[str(entry.log_record.body), dict(entry.log_record.attributes or {})] for entry in exported["logs"]],
        default=str,
    )
    leaks = [canary for canary in CANARIES if canary.lower() in exported_text.lower()]
    assert leaks == []


def test_metrics_count_calls_by_tool_and_outcome_and_lookups_by_novelty(exported: dict[str, Any]) -> None:
    telemetry.meter_provider.force_flush()
    durations = metrics.points("mcp.server.operation.duration")
    methods = {point.attributes["mcp.method.name"] for point in durations}
    assert {"server/discover", "tools/list", "tools/call", "other"} <= methods
    assert all("jsonrpc.request.id" not in point.attributes for point in durations)
    outcomes: dict[tuple[str, str], int] = {}
    for point in metrics.points("mcpkit.tool.calls"):
        key = (point.attributes["gen_ai.tool.name"], point.attributes["mcpkit.tool.outcome"])
        outcomes[key] = outcomes.get(key, 0) + point.value
    countries = {point.attributes.get("mcpkit.arg.country") for point in metrics.points("mcpkit.tool.calls")}
    assert {"mx", "other"} <= countries
    assert outcomes[("search_detainee_by_name", "ok")] == 2
    assert outcomes[("search_detainee_by_name", "no_match")] == 1
    assert outcomes[("search_detainee_by_a_number", "tool_error")] == 1
    novelty = {point.attributes["mcpkit.lookup.novelty"]: point.value for point in metrics.points("mcpkit.principal.lookups")}
    assert novelty == {"new": 2, "repeat": 1}
    exported_text = json.dumps([dict(point.attributes) for data in metrics.exported for rm in data.resource_metrics for s in rm.scope_metrics for m in s.metrics for point in m.data.data_points])
    assert [canary for canary in CANARIES if canary.lower() in exported_text.lower()] == []


def test_host_and_process_metrics_have_the_names_the_dashboards_read(exported: dict[str, Any]) -> None:
    telemetry.meter_provider.force_flush()
    for name in ("process.cpu.time", "process.memory.usage", "system.cpu.utilization", "system.memory.utilization", "system.network.io", "system.filesystem.utilization"):
        assert metrics.points(name), name
    assert trace.get_tracer_provider() is telemetry.tracer_provider


def test_the_sdk_counts_every_span_and_log_record_it_handles_as_the_typescript_side_does(exported: dict[str, Any]) -> None:
    telemetry.force_flush()

    def processed(name: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for point in metrics.points(name):
            key = str(point.attributes.get("error.type", "exported"))
            counts[key] = counts.get(key, 0) + point.value
            assert point.attributes["otel.component.type"].startswith("batching_")
        return counts

    # Nothing given up here, so every span and record handed to the SDK is counted as exported.
    assert processed("otel.sdk.processor.span.processed") == {"exported": len(spans.get_finished_spans())}
    assert processed("otel.sdk.processor.log.processed") == {"exported": len(logs.get_finished_logs())}


def test_the_mcp_sdks_own_server_is_instrumented_the_same_way() -> None:
    from mcp import Client as SdkClient
    from mcp.server.mcpserver import MCPServer

    sdk_server = MCPServer("py-locator-sdk")

    @sdk_server.tool()
    def lookup(alien_number: str) -> str:
        """Find a person by A-number."""
        log.info("lookup %s", alien_number)
        return "held"

    instrument_mcp_server(sdk_server)
    assert instrument_mcp_server(sdk_server) is sdk_server  # idempotent

    async def calls() -> None:
        async with SdkClient(sdk_server) as client:
            await client.call_tool("lookup", {"alien_number": A_NUMBER})

    spans.clear()
    asyncio.run(calls())
    telemetry.force_flush()
    server_spans = [span for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER]
    (call,) = [span for span in server_spans if span.name == "tools/call lookup"]
    assert call.attributes["gen_ai.tool.name"] == "lookup"
    assert call.attributes["mcpkit.tool.outcome"] == "ok"
    # The SDK's own span middleware is gone: one SERVER span per request, the kit's.
    assert {span.instrumentation_scope.name for span in server_spans} == {"mcp-telemetry-kit"}
    assert "204" not in json.dumps([dict(span.attributes) for span in server_spans])

