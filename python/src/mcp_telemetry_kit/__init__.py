"""mcp-telemetry-kit for Python MCP servers: privacy layer 1 from the same rules as the TypeScript library.

The package grows toward the TypeScript side's surface (issue #22). Today: the privacy core (PII patterns,
taint, keyed pseudonyms, the attribute allow-list), on which both languages agree byte for byte
(test/vectors/privacy.json), and the span and log processors that apply it to every span and log record.
"""

from .guard import PrivacyGuard
from .log_processor import PrivacyLogRecordProcessor
from .privacy import (
    PSEUDONYM_FORMAT,
    PseudonymKeyError,
    Pseudonymizer,
    TaintRegistry,
    scrub_text,
)
from .span_processor import PrivacySpanProcessor

__all__ = [
    "PSEUDONYM_FORMAT",
    "PrivacyGuard",
    "PrivacyLogRecordProcessor",
    "PrivacySpanProcessor",
    "PseudonymKeyError",
    "Pseudonymizer",
    "TaintRegistry",
    "scrub_text",
]
