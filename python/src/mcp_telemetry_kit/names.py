"""Every telemetry name the Python side emits, in one place, as src/semconv.ts holds them for TypeScript.

The OpenTelemetry semantic conventions come from the `opentelemetry-semantic-conventions` package
(incubating MCP, GenAI, JSON-RPC, RPC and network names, so they track upstream renames); the kit's own
names (the `mcpkit.` namespace of docs/telemetry.md), bucket boundaries and metric descriptions come from
kit_names.json, which `npm run generate` writes from src/semconv.ts (a test fails on drift).
"""

from __future__ import annotations

import json
from importlib import resources

from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import (
    GEN_AI_OPERATION_NAME,
    GEN_AI_PROMPT_NAME,
    GEN_AI_TOOL_NAME,
    GenAiOperationNameValues,
)
from opentelemetry.semconv._incubating.attributes.jsonrpc_attributes import JSONRPC_REQUEST_ID
from opentelemetry.semconv._incubating.attributes.mcp_attributes import (
    MCP_METHOD_NAME,
    MCP_PROTOCOL_VERSION,
    MCP_SESSION_ID,
)
from opentelemetry.semconv._incubating.attributes.rpc_attributes import RPC_RESPONSE_STATUS_CODE
from opentelemetry.semconv._incubating.metrics.mcp_metrics import (
    MCP_SERVER_OPERATION_DURATION,
    MCP_SERVER_SESSION_DURATION,
)
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.semconv.attributes.network_attributes import NETWORK_TRANSPORT, NetworkTransportValues

_KIT = json.loads(resources.files(__package__).joinpath("kit_names.json").read_text(encoding="utf-8"))

EXECUTE_TOOL = GenAiOperationNameValues.EXECUTE_TOOL.value
TRANSPORT_PIPE = NetworkTransportValues.PIPE.value
TRANSPORT_TCP = NetworkTransportValues.TCP.value

INSTRUMENTATION_SCOPE: str = _KIT["INSTRUMENTATION_SCOPE"]
MCP_DURATION_BUCKETS: list[float] = _KIT["MCP_DURATION_BUCKETS"]
METRIC_DESCRIPTIONS: dict[str, str] = _KIT["METRIC_DESCRIPTIONS"]
ERROR_TYPE_TOOL_ERROR: str = _KIT["ERROR_TYPE_TOOL_ERROR"]
_ERRORS = json.loads(resources.files(__package__).joinpath("rules.json").read_text(encoding="utf-8"))["errors"]
#: JSON-RPC codes of client mistakes: error.type, but no Error status (the contract's `errors`).
CLIENT_ERROR_CODES: frozenset[int] = frozenset(_ERRORS["clientErrorCodes"])
#: JSON-RPC server errors: internal error, and the range from rangeFrom to rangeTo.
SERVER_ERROR_CODES: dict[str, int] = _ERRORS["serverErrorCodes"]
#: Words of the kit's own attribute values: never redacted, whatever a caller types.
KIT_VOCABULARY: list[str] = _KIT["KIT_VOCABULARY"]
UNKNOWN: str = _KIT["UNKNOWN"]
SESSION_START: str = _KIT["SESSION_START"]

ATTR_MCPKIT_BODY_SCRUBBED: str = _KIT["ATTR_MCPKIT_BODY_SCRUBBED"]
ATTR_MCPKIT_CACHE_RESULT: str = _KIT["ATTR_MCPKIT_CACHE_RESULT"]
ATTR_MCPKIT_CLIENT_NAME: str = _KIT["ATTR_MCPKIT_CLIENT_NAME"]
ATTR_MCPKIT_CLIENT_VERSION: str = _KIT["ATTR_MCPKIT_CLIENT_VERSION"]
ATTR_MCPKIT_LOOKUP_BATCH: str = _KIT["ATTR_MCPKIT_LOOKUP_BATCH"]
ATTR_MCPKIT_LOOKUP_NOVELTY: str = _KIT["ATTR_MCPKIT_LOOKUP_NOVELTY"]
ATTR_MCPKIT_PRINCIPAL: str = _KIT["ATTR_MCPKIT_PRINCIPAL"]
ATTR_MCPKIT_RESULT_COUNT: str = _KIT["ATTR_MCPKIT_RESULT_COUNT"]
ATTR_MCPKIT_TOOL_OUTCOME: str = _KIT["ATTR_MCPKIT_TOOL_OUTCOME"]
ATTR_MCPKIT_TOOL_PREVIOUS: str = _KIT["ATTR_MCPKIT_TOOL_PREVIOUS"]
MCPKIT_ARGUMENT_PREFIX: str = _KIT["MCPKIT_ARGUMENT_PREFIX"]
MCPKIT_RESULT_PREFIX: str = _KIT["MCPKIT_RESULT_PREFIX"]
METRIC_MCPKIT_PRINCIPAL_LOOKUPS: str = _KIT["METRIC_MCPKIT_PRINCIPAL_LOOKUPS"]
METRIC_MCPKIT_SESSION_CALLS: str = _KIT["METRIC_MCPKIT_SESSION_CALLS"]
METRIC_MCPKIT_TOOL_CALLS: str = _KIT["METRIC_MCPKIT_TOOL_CALLS"]
METRIC_MCPKIT_TOOL_TRANSITIONS: str = _KIT["METRIC_MCPKIT_TOOL_TRANSITIONS"]

__all__ = [
    "ERROR_TYPE",
    "GEN_AI_OPERATION_NAME",
    "GEN_AI_PROMPT_NAME",
    "GEN_AI_TOOL_NAME",
    "JSONRPC_REQUEST_ID",
    "MCP_METHOD_NAME",
    "MCP_PROTOCOL_VERSION",
    "MCP_SERVER_OPERATION_DURATION",
    "MCP_SERVER_SESSION_DURATION",
    "MCP_SESSION_ID",
    "NETWORK_TRANSPORT",
    "RPC_RESPONSE_STATUS_CODE",
]
