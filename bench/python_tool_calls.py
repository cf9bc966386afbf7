"""One contender of the Python overhead benchmark (bench/python.ts): tool calls over the in-memory transport.

    python python_tool_calls.py <contender> <calls> <otlp-endpoint>

Contenders, each exporting OTLP/HTTP to the benchmark's sink on loopback when it traces:
  fastmcp-plain      FastMCP 4, no OpenTelemetry SDK (its own tracing is then a no-op)
  fastmcp-native     FastMCP 4 with the OpenTelemetry SDK: FastMCP's and the MCP SDK's own spans
  fastmcp-kit        FastMCP 4 with the kit: start_telemetry() and instrument_mcp_server()
  sdk1-plain         the MCP SDK 1.x's FastMCP (the venv of requirements-mcp1.txt), no SDK
  sdk1-openllmetry   the same with the OpenTelemetry SDK and OpenLLMetry's opentelemetry-instrumentation-mcp
Prints one JSON line: per-call wall-clock percentiles and CPU per call of this process (client and server
share it, as in the TypeScript in-memory benchmark).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time

contender, calls, endpoint = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
os.environ.setdefault("OTEL_SERVICE_NAME", f"bench-{contender}")
WARMUP = 300


def sdk_tracing() -> object:
    """The OpenTelemetry SDK as its documentation sets it up (traces and metrics over OTLP/HTTP)."""
    from opentelemetry import metrics, trace
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter())]))
    return provider


def echo(text: str) -> str:
    """Echo the text back."""
    return text


async def measure(call) -> dict[str, float]:
    for _ in range(WARMUP):
        await call()
    durations = []
    cpu_start = time.process_time()
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        durations.append(time.perf_counter() - started)
    cpu = time.process_time() - cpu_start
    durations.sort()
    return {
        "contender": contender,
        "calls": calls,
        "p50Us": durations[len(durations) // 2] * 1e6,
        "p99Us": durations[int(len(durations) * 0.99)] * 1e6,
        "meanUs": statistics.fmean(durations) * 1e6,
        "cpuUsPerCall": cpu / calls * 1e6,
    }


async def fastmcp_run() -> dict[str, float]:
    from fastmcp import Client, FastMCP

    if contender == "fastmcp-native":
        sdk_tracing()
    elif contender == "fastmcp-kit":
        from mcp_telemetry_kit import start_telemetry

        start_telemetry(ephemeral_pseudonyms=True)
    server = FastMCP("bench")
    server.tool(echo)
    if contender == "fastmcp-kit":
        from mcp_telemetry_kit import instrument_mcp_server

        instrument_mcp_server(server)
    async with Client(server) as client:
        return await measure(lambda: client.call_tool("echo", {"text": "hello"}))


async def sdk1_run() -> dict[str, float]:
    if contender == "sdk1-openllmetry":
        sdk_tracing()
        from opentelemetry.instrumentation.mcp import McpInstrumentor

        McpInstrumentor().instrument()
    from mcp.server.fastmcp import FastMCP
    from mcp.shared.memory import create_connected_server_and_client_session

    server = FastMCP("bench")
    server.tool()(echo)
    async with create_connected_server_and_client_session(server._mcp_server) as session:
        return await measure(lambda: session.call_tool("echo", {"text": "hello"}))


result = asyncio.run(sdk1_run() if contender.startswith("sdk1-") else fastmcp_run())
print(json.dumps(result), flush=True)
