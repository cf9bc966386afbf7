"""Privacy layer 1 for spans: a careless server's spans reach the exporter with nothing of the person."""

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags, TraceState, set_span_in_context
from opentelemetry.trace import NonRecordingSpan

from mcp_telemetry_kit import PrivacyGuard, Pseudonymizer
from mcp_telemetry_kit.span_processor import PrivacySpanProcessor

SECRET = "span-processor-test-secret-0123456789ab"


def exported_spans(record):
    exporter = InMemorySpanExporter()
    guard = PrivacyGuard(Pseudonymizer(SECRET), known_clients=[])
    provider = TracerProvider(
        resource=Resource({"service.name": "py-locator", "enduser.id": "maria@example.org"}),
    )
    provider.add_span_processor(PrivacySpanProcessor(SimpleSpanProcessor(exporter), guard))
    record(provider.get_tracer("app"), guard)
    provider.shutdown()
    return exporter.get_finished_spans()


def careless_search(tracer, guard):
    arguments = {"first_name": "Xochitl", "last_name": "Quetzalcoatl", "date_of_birth": "1987-03-04"}
    guard.taint.add(arguments)
    caller = SpanContext(0xABC, 0xDEF, is_remote=True, trace_flags=TraceFlags(1), trace_state=TraceState([("who", "xochitl")]))
    with tracer.start_as_current_span(
        "tools/call search for Xochitl Quetzalcoatl",
        context=set_span_in_context(NonRecordingSpan(caller)),
        kind=SpanKind.SERVER,
        attributes={
            "mcp.method.name": "tools/call",
            "mcp.session.id": "0123456789abcdef",
            "detainee.name": "Xochitl Quetzalcoatl",
            "error.type": "no record for Xochitl",
            "mcpkit.arg.note": "call 555 123 4567",
        },
    ) as span:
        span.add_event("matched Quetzalcoatl born 1987-03-04", {"dob": "1987-03-04"})
        span.set_status(Status(StatusCode.ERROR, "upstream refused Xochitl Quetzalcoatl"))


def test_exports_a_careless_span_without_a_word_about_the_person():
    [span] = exported_spans(careless_search)
    text = repr((span.name, dict(span.attributes), [(e.name, dict(e.attributes)) for e in span.events], span.status.description))
    for word in ("Xochitl", "Quetzalcoatl", "1987", "555"):
        assert word.lower() not in text.lower()
    assert span.name == "tools/call search for [redacted] [redacted]"
    assert span.events[0].name == "matched [redacted] born [date_numeric]"
    assert dict(span.events[0].attributes) == {}


def test_keeps_allow_listed_attributes_and_pseudonymises_the_session():
    [span] = exported_spans(careless_search)
    attributes = dict(span.attributes)
    assert set(attributes) == {"mcp.method.name", "mcp.session.id", "mcpkit.arg.note"}
    assert attributes["mcp.method.name"] == "tools/call"
    assert attributes["mcp.session.id"].startswith("ps_")
    assert attributes["mcpkit.arg.note"] == "call [phone]"


def test_drops_the_status_message_the_trace_state_and_resource_attributes_off_the_list():
    [span] = exported_spans(careless_search)
    assert span.status.status_code == StatusCode.ERROR
    assert span.status.description is None
    assert not span.parent.trace_state
    assert dict(span.resource.attributes) == {"service.name": "py-locator"}
