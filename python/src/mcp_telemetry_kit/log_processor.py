"""Privacy layer 1 for log records, the port of src/privacy/log-processor.ts.

The exporting processor receives a sanitized copy of every record, Python `logging` bridged by the
OpenTelemetry SDK's LoggingHandler included: allow-listed attributes (the handler's code.* and exception.*
details off the list go), a scrubbed body (patterns and the values tool calls were given), marked
`mcpkit.body.scrubbed` once taint is fed (the collector keeps a text body only with that mark), a
scrubbed event name, no exception object, a sanitized resource.
"""

from __future__ import annotations

from opentelemetry._logs import LogRecord
from opentelemetry.sdk._logs import LogRecordProcessor, ReadWriteLogRecord

from .guard import PrivacyGuard

#: The mark the collector keeps a text body by (rules.json allow-lists it).
ATTR_MCPKIT_BODY_SCRUBBED = "mcpkit.body.scrubbed"


class PrivacyLogRecordProcessor(LogRecordProcessor):
    """Hands `next` a sanitized copy of every emitted log record."""

    def __init__(self, next_processor: LogRecordProcessor, guard: PrivacyGuard) -> None:
        self._next = next_processor
        self._guard = guard

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        guard = self._guard
        record = log_record.log_record
        attributes = guard.sanitize_attributes(record.attributes, "record")
        # The mark makes the collector keep the text, so it is given only where taint is fed (an
        # instrumented server adds each call's arguments): patterns alone find no name in a sentence, and
        # an unmarked body is replaced by `[redacted]` in the collector, the safe side.
        if record.body is not None and guard.taint.fed:
            attributes[ATTR_MCPKIT_BODY_SCRUBBED] = True
        copy = LogRecord(
            timestamp=record.timestamp,
            observed_timestamp=record.observed_timestamp,
            trace_id=record.trace_id,
            span_id=record.span_id,
            trace_flags=record.trace_flags,
            severity_text=record.severity_text,
            severity_number=record.severity_number,
            body=guard.scrub_value(record.body) if record.body is not None else None,
            attributes=attributes,
            event_name=guard.scrub(record.event_name) if record.event_name else record.event_name,
        )
        self._next.on_emit(
            ReadWriteLogRecord(
                copy,
                resource=guard.sanitize_resource(log_record.resource) if log_record.resource else None,
                instrumentation_scope=log_record.instrumentation_scope,
                limits=log_record.limits,
            )
        )

    def shutdown(self) -> None:
        self._next.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._next.force_flush(timeout_millis)
