"""mcp-telemetry-kit for Python MCP servers: the TypeScript library's surface, from the same rules.

    from mcp_telemetry_kit import instrument_mcp_server, start_telemetry
    start_telemetry(service_name="detainee-locator")
    instrument_mcp_server(server)  # a FastMCP, an MCPServer or an mcp 2.x low-level Server

start_telemetry() wires the OpenTelemetry SDK (OTLP/HTTP from OTEL_*, psutil host and process metrics)
with privacy layer 1 in front of every exporter; instrument_mcp_server() adds the MCP semantic-convention
spans and metrics and the kit's analytics. The privacy core (PII patterns, taint, keyed pseudonyms, the
attribute allow-list) agrees with TypeScript byte for byte (test/vectors/privacy.json).
"""

from .guard import PrivacyGuard
from .instrument import ToolCall, current_tool_call, instrument_mcp_server
from .log_processor import PrivacyLogRecordProcessor
from .privacy import (
    PSEUDONYM_FORMAT,
    PseudonymKeyError,
    Pseudonymizer,
    TaintRegistry,
    scrub_text,
)
from .span_processor import PrivacySpanProcessor
from .telemetry import TelemetryHandle, privacy_guard, start_telemetry

__all__ = [
    "PSEUDONYM_FORMAT",
    "PrivacyGuard",
    "PrivacyLogRecordProcessor",
    "PrivacySpanProcessor",
    "PseudonymKeyError",
    "Pseudonymizer",
    "TaintRegistry",
    "TelemetryHandle",
    "ToolCall",
    "current_tool_call",
    "instrument_mcp_server",
    "privacy_guard",
    "scrub_text",
    "start_telemetry",
]
