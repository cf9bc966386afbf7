"""An MCP server in Python, set up as a user of the plan's stack sets one up.

FastMCP (or the MCP SDK's own MCPServer), OpenTelemetry from the standard OTEL_* variables (the SDK's
OTLP/HTTP exporters for traces, metrics and logs), Python `logging` bridged to OTLP logs, and careless
application code: it logs what callers ask for, and its errors name the person. Nothing here knows the
kit, except in the `kit` variant: FastMCP with the kit's Python package (python/, on PYTHONPATH) as its
README says, start_telemetry() and instrument_mcp_server(), so privacy layer 1 runs before the collector.

Started by test/e2e/python-servers.test.ts with the venv of test/support/python/requirements.txt:
    python mcp_server.py <variant> <port>
where <variant> picks the MCP tracing: `kit` (the kit's), `fastmcp` (FastMCP's own), `mcp-sdk` (the MCP SDK's own, on its
MCPServer), `openinference` (openinference-instrumentation-mcp on FastMCP), or `openllmetry`
(opentelemetry-instrumentation-mcp on the MCP SDK 1.x's FastMCP, in the venv of requirements-mcp1.txt:
it fails at import on mcp 2.x). Every third tool call fails.
"""

import logging
import sys

from opentelemetry import metrics, trace
from opentelemetry._logs import set_logger_provider
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

variant, port = sys.argv[1], int(sys.argv[2])
logging.basicConfig(level=logging.INFO)

if variant == "kit":
    from mcp_telemetry_kit import current_tool_call, instrument_mcp_server, start_telemetry

    # The pseudonym key, the collector and its token, the service name: all from the environment.
    start_telemetry(metric_export_interval_millis=1000)
else:
    # The OpenTelemetry SDK as its documentation sets it up: endpoint, headers and service name from OTEL_*.
    resource = Resource.create()
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(tracer_provider)
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))
    set_logger_provider(logger_provider)
    metrics.set_meter_provider(
        MeterProvider(
            resource=resource,
            metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter(), export_interval_millis=1000)],
        )
    )
    logging.getLogger().addHandler(LoggingHandler(level=logging.INFO, logger_provider=logger_provider))

if variant == "openllmetry":
    from opentelemetry.instrumentation.mcp import McpInstrumentor

    McpInstrumentor().instrument()
elif variant == "openinference":
    from openinference.instrumentation.mcp import MCPInstrumentor

    MCPInstrumentor().instrument()

log = logging.getLogger("locator")
searches = metrics.get_meter("locator").create_counter("locator.searches")
calls = 0


def search_detainee_by_name(first_name: str, last_name: str, date_of_birth: str = "") -> str:
    """Find a person held in immigration detention by name and date of birth."""
    global calls
    calls += 1
    log.info("search_detainee_by_name first_name=%s last_name=%s dob=%s", first_name, last_name, date_of_birth)
    searches.add(1, {"last_name": last_name})
    if calls % 3 == 0:
        log.error("free-text search failed for '%s %s'", first_name, last_name)
        raise RuntimeError(f"upstream refused the search for {first_name} {last_name} born {date_of_birth}")
    if variant == "kit":
        # What the tool knows about its answer, declared through the kit (exported only as its policy allows).
        call = current_tool_call()
        call.set_result_count(1)
        call.set_result_attribute("match_type", "exact" if calls % 2 else "fuzzy")
        if calls % 4 == 0:
            call.set_outcome("no_match")
    return f"{first_name} {last_name}, born {date_of_birth}: held at the processing center"


if variant == "openllmetry":
    from mcp.server.fastmcp import FastMCP as SdkFastMCP

    sdk1_server = SdkFastMCP("py-locator", host="127.0.0.1", port=port)
    sdk1_server.tool()(search_detainee_by_name)
    sdk1_server.run("streamable-http")
elif variant == "mcp-sdk":
    from mcp.server.mcpserver import MCPServer

    sdk_server = MCPServer("py-locator")
    sdk_server.tool()(search_detainee_by_name)
    sdk_server.run("streamable-http", host="127.0.0.1", port=port)
else:
    from fastmcp import FastMCP

    server = FastMCP("py-locator")
    server.tool(search_detainee_by_name)
    if variant == "kit":
        instrument_mcp_server(
            server,
            tools={
                "search_detainee_by_name": {
                    "results": {"match_type": {"enum": ["exact", "fuzzy"]}},
                    "lookup_keys": lambda args: f"{args.get('first_name', '')}|{args.get('last_name', '')}".lower(),
                }
            },
        )
    server.run("http", host="127.0.0.1", port=port, show_banner=False)
