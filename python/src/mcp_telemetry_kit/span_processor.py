"""Privacy layer 1 for spans, the port of src/privacy/span-processor.ts.

Every span of the process, the kit's own and those of FastMCP, the MCP SDK, auto-instrumentations and
application code, reaches the exporting processor only as a sanitized copy: allow-listed attributes (on the
span, its events and links), scrubbed span and event names, no status message and no trace state (both free
text a caller or a careless line of code writes), a sanitized resource.
"""

from __future__ import annotations

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import Link, SpanContext, Status, TraceState

from .guard import PrivacyGuard

#: The instrumentation scope of the kit's own spans, named from validated parts: taint would only mangle them.
INSTRUMENTATION_SCOPE = "mcp-telemetry-kit"


def _without_trace_state(context: SpanContext | None) -> SpanContext | None:
    if context is None or not context.trace_state:
        return context
    return SpanContext(context.trace_id, context.span_id, context.is_remote, context.trace_flags, TraceState())


class PrivacySpanProcessor(SpanProcessor):
    """Hands `next` a sanitized copy of every ended span; keeps nothing of the original in that copy."""

    def __init__(self, next_processor: SpanProcessor, guard: PrivacyGuard) -> None:
        self._next = next_processor
        self._guard = guard

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self._next.on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        guard = self._guard
        scope = span.instrumentation_scope
        kit_span = scope is not None and scope.name == INSTRUMENTATION_SCOPE
        self._next.on_end(
            ReadableSpan(
                name=guard.scrub(span.name, taint=not kit_span),
                context=_without_trace_state(span.get_span_context()),
                parent=_without_trace_state(span.parent),
                resource=guard.sanitize_resource(span.resource),
                attributes=guard.sanitize_attributes(span.attributes, "record"),
                events=[
                    Event(
                        guard.scrub(event.name),
                        guard.sanitize_attributes(event.attributes, "record"),
                        event.timestamp,
                    )
                    for event in span.events
                ],
                links=[
                    Link(_without_trace_state(link.context), guard.sanitize_attributes(link.attributes, "record"))
                    for link in span.links
                ],
                kind=span.kind,
                status=Status(span.status.status_code),
                start_time=span.start_time,
                end_time=span.end_time,
                instrumentation_scope=scope,
            )
        )

    def shutdown(self) -> None:
        self._next.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._next.force_flush(timeout_millis)
