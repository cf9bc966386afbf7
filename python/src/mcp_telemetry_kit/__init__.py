"""mcp-telemetry-kit for Python MCP servers: privacy layer 1 from the same rules as the TypeScript library.

The package grows toward the TypeScript side's surface (issue #22); today it holds the privacy core (patterns, taint, pseudonyms, the attribute allow-list) and
the span and log processors that apply it to every span and log record
(mcp_telemetry_kit.span_processor, mcp_telemetry_kit.log_processor) that
both languages must agree on byte for byte (test/vectors/privacy.json).
"""

from .guard import PrivacyGuard
from .privacy import (
    PSEUDONYM_FORMAT,
    PseudonymKeyError,
    Pseudonymizer,
    TaintRegistry,
    scrub_text,
)

__all__ = ["PSEUDONYM_FORMAT", "PrivacyGuard", "PseudonymKeyError", "Pseudonymizer", "TaintRegistry", "scrub_text"]
