"""Privacy layer 1 for logs: a careless server's `logging` lines reach the exporter scrubbed and marked."""

import logging

from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource

from mcp_telemetry_kit import PrivacyGuard, Pseudonymizer
from mcp_telemetry_kit.log_processor import PrivacyLogRecordProcessor

SECRET = "log-processor-test-secret-0123456789abcd"


def exported_records():
    exporter = InMemoryLogRecordExporter()
    guard = PrivacyGuard(Pseudonymizer(SECRET), known_clients=[])
    provider = LoggerProvider(resource=Resource({"service.name": "py-locator", "enduser.id": "maria@example.org"}))
    provider.add_log_record_processor(PrivacyLogRecordProcessor(SimpleLogRecordProcessor(exporter), guard))
    logger = logging.getLogger("careless-locator")
    logger.propagate = False
    handler = LoggingHandler(logger_provider=provider)
    logger.addHandler(handler)
    try:
        guard.taint.add({"first_name": "Xochitl", "last_name": "Quetzalcoatl"})
        logger.warning("search_detainee_by_name first_name=%s last_name=%s dob=%s", "Xochitl", "Quetzalcoatl", "1987-03-04")
        try:
            raise RuntimeError("upstream refused Xochitl Quetzalcoatl, call 555-123-4567")
        except RuntimeError:
            logger.exception("free-text search failed for 'Xochitl Quetzalcoatl'")
    finally:
        logger.removeHandler(handler)
        provider.shutdown()
    return [data.log_record for data in exporter.get_finished_logs()]


def test_scrubs_the_bodies_of_logging_lines_and_marks_them_scrubbed():
    first, second = exported_records()
    assert first.body == "search_detainee_by_name first_name=[redacted] last_name=[redacted] dob=[date_numeric]"
    assert second.body == "free-text search failed for '[redacted] [redacted]'"
    assert first.attributes["mcpkit.body.scrubbed"] is True


def test_keeps_no_exception_message_stack_or_code_location():
    _, failure = exported_records()
    text = repr(dict(failure.attributes))
    for word in ("Xochitl", "Quetzalcoatl", "555", "Traceback", "code.", "exception.message"):
        assert word not in text
    assert failure.severity_text == "ERROR"


def test_keeps_only_allow_listed_resource_attributes():
    exporter = InMemoryLogRecordExporter()
    guard = PrivacyGuard(Pseudonymizer(SECRET), known_clients=[])
    provider = LoggerProvider(resource=Resource({"service.name": "py-locator", "enduser.id": "maria@example.org"}))
    provider.add_log_record_processor(PrivacyLogRecordProcessor(SimpleLogRecordProcessor(exporter), guard))
    provider.get_logger("app").emit(body="ok")
    provider.shutdown()
    [data] = exporter.get_finished_logs()
    assert dict(data.resource.attributes) == {"service.name": "py-locator"}


def test_leaves_the_body_unmarked_while_no_call_has_fed_taint_so_the_collector_redacts_it():
    exporter = InMemoryLogRecordExporter()
    guard = PrivacyGuard(Pseudonymizer(SECRET), known_clients=[])
    provider = LoggerProvider(resource=Resource({"service.name": "py-locator"}))
    provider.add_log_record_processor(PrivacyLogRecordProcessor(SimpleLogRecordProcessor(exporter), guard))
    provider.get_logger("app").emit(body="looking for Xochitl Quetzalcoatl")
    provider.shutdown()
    [data] = exporter.get_finished_logs()
    assert "mcpkit.body.scrubbed" not in data.log_record.attributes
