"""An export outage is logged once when it starts and once when it ends, as in TypeScript (issue #20)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export import SpanExportResult

from mcp_telemetry_kit.export_outages import ExportOutages

EXPORTER_LOG = "opentelemetry.exporter.otlp.proto.http.trace_exporter"
PROCESSOR_LOG = "opentelemetry.sdk._shared_internal"


class Backend:
    """An exporter whose results are scripted: down for a while, then back."""

    def __init__(self, results: list[SpanExportResult]) -> None:
        self.results: Iterator[SpanExportResult] = iter(results)
        self._preferred_temporality = {"counter": "delta"}

    def export(self, spans: object) -> SpanExportResult:
        logging.getLogger(EXPORTER_LOG).warning("Transient error ConnectionError encountered while exporting span batch")
        return next(self.results)


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def shown() -> Iterator[Recorder]:
    recorder = Recorder()
    for name in (EXPORTER_LOG, PROCESSOR_LOG):
        logging.getLogger(name).filters.clear()  # those of a start_telemetry() in another test
        logging.getLogger(name).addHandler(recorder)
    yield recorder
    for name in (EXPORTER_LOG, PROCESSOR_LOG):
        logger = logging.getLogger(name)
        logger.removeHandler(recorder)
        logger.filters.clear()


def test_an_outage_is_one_line_when_it_starts_and_one_when_it_ends(shown: Recorder) -> None:
    lines: list[str] = []
    clock = [0.0]
    outages = ExportOutages(lines.append, lambda: clock[0])
    outages.hold_back_sdk_reports()
    exporter = outages.watch("traces", Backend([SpanExportResult.FAILURE] * 5 + [SpanExportResult.SUCCESS] * 2))
    for _ in range(7):
        exporter.export([])
        clock[0] += 10
    assert lines == [
        "mcp-telemetry-kit: traces export failing (Transient error ConnectionError encountered while exporting "
        "span batch); what is given up is counted on otel.sdk.processor.span.processed{error.type}; one line "
        "again when it recovers",
        "mcp-telemetry-kit: traces export recovered after 5 failed export(s) over 50 s",
    ]
    assert shown.messages == [], "the exporter's own per-batch warnings are held back"


def test_a_full_queue_is_reported_unless_an_outage_is_open_and_then_counted(shown: Recorder) -> None:
    lines: list[str] = []
    outages = ExportOutages(lines.append, lambda: 0.0)
    outages.hold_back_sdk_reports()
    logging.getLogger(PROCESSOR_LOG).warning("Queue full, dropping span.")
    outages.observe("traces", False)
    logging.getLogger(PROCESSOR_LOG).warning("Queue full, dropping span.")
    outages.observe("traces", True)
    assert shown.messages == ["Queue full, dropping span."]
    assert lines[-1].endswith("; 1 SDK warning(s) held back")


def test_the_watched_exporter_keeps_what_the_metric_reader_reads_of_it() -> None:
    backend = Backend([])
    assert ExportOutages(lambda line: None).watch("metrics", backend)._preferred_temporality is backend._preferred_temporality
