"""Export outages, logged once each, as the TypeScript side's src/export-outages.ts does.

With the collector away, the SDK's OTLP exporters log every failed batch ("Transient error ... retrying",
"Failed to export span batch ..."), and the batch processors every full queue: a flood for a long outage.
The kit watches each exporter's results instead: the first failure of a signal is one line on stderr,
naming the error and the metric that counts what is given up; the first success after it is one line
saying how long it lasted and how many exports failed. The SDK's warnings from its exporters and batch
processors in between are held back (they are counted on the SDK's self-observability metrics).
Nothing in the SDK collapses its export errors this way, hence this module.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Where each signal's losses are counted, named in the line that opens an outage.
LOSS_COUNTER = {
    "traces": "otel.sdk.processor.span.processed",
    "logs": "otel.sdk.processor.log.processed",
    "metrics": "otel.sdk.exporter.metric_data_point.exported",
}

#: The OTLP exporters' loggers (this prefix): each retry and each failed export, before the export's result
#: is known. Always held back; a signal's first since its last outage line names the error of its next.
EXPORTER_LOGGERS = "opentelemetry.exporter."
#: The batch processors' and metric reader's loggers (a full queue, a failed export): held back only
#: while an outage is open, so a queue filling under load alone is still reported.
PROCESSOR_LOGGERS = ("opentelemetry.sdk._shared_internal", "opentelemetry.sdk.metrics._internal.export")


def _to_stderr(line: str) -> None:
    """Outage lines are warnings: shown unless OTEL_LOG_LEVEL asks for errors only or nothing."""
    if os.environ.get("OTEL_LOG_LEVEL", "").strip().lower() not in {"error", "none"}:
        sys.stderr.write(f"{line}\n")


@dataclass
class _Outage:
    since: float
    failed_exports: int = 1


class ExportOutages(logging.Filter):
    """Watches exporters; as a logging filter, holds back the SDK's export warnings while an outage is open."""

    def __init__(
        self, write: Callable[[str], None] = _to_stderr, now: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._write = write
        self._now = now
        self._outages: dict[str, _Outage] = {}
        self._lock = threading.Lock()
        self._first_reports: dict[str, str] = {}
        self._held_back = 0

    @property
    def ongoing(self) -> bool:
        return bool(self._outages)

    def watch(self, signal: str, exporter: Any) -> Any:
        """The exporter, unchanged except that its results are watched."""
        return _Watched(self, signal, exporter)

    def observe(self, signal: str, succeeded: bool, error: BaseException | None = None) -> None:
        with self._lock:
            outage = self._outages.get(signal)
            if succeeded:
                if outage is None:
                    return
                del self._outages[signal]
                seconds = round(self._now() - outage.since)
                held_back = f"; {self._held_back} SDK warning(s) held back" if self._held_back else ""
                self._held_back = 0
                line = (
                    f"mcp-telemetry-kit: {signal} export recovered after "
                    f"{outage.failed_exports} failed export(s) over {seconds} s{held_back}"
                )
            elif outage is not None:
                outage.failed_exports += 1
                return
            else:
                self._outages[signal] = _Outage(self._now())
                reason = _describe(error) if error is not None else self._first_reports.get(signal, "export failed")
                line = (
                    f"mcp-telemetry-kit: {signal} export failing ({reason}); what is given up is "
                    f"counted on {LOSS_COUNTER[signal]}{{error.type}}; one line again when it recovers"
                )
            self._first_reports.pop(signal, None)
        self._write(line)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        if record.name.startswith(EXPORTER_LOGGERS):
            signal = _signal_of(record.name)
            if signal:
                self._first_reports.setdefault(signal, record.getMessage().split("\n", 1)[0][:160])
            return False
        if self.ongoing:
            self._held_back += 1
            return False
        return True

    def hold_back_sdk_reports(self) -> None:
        """Filters the exporters' loggers (their modules are imported by now) and the processors'."""
        exporters = [name for name in logging.root.manager.loggerDict if name.startswith(EXPORTER_LOGGERS)]
        for name in (*exporters, *PROCESSOR_LOGGERS):
            logging.getLogger(name).addFilter(self)


def _signal_of(logger_name: str) -> str | None:
    """The signal of an exporter's logger (…trace_exporter, …_log_exporter, …metric_exporter)."""
    module = logger_name.rsplit(".", 1)[-1]
    for word, signal in (("trace", "traces"), ("log", "logs"), ("metric", "metrics")):
        if word in module:
            return signal
    return None


def _describe(error: BaseException) -> str:
    """One line of an error: its class and the first line of its message, short (no stack, no payload)."""
    message = str(error).split("\n", 1)[0][:160]
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


class _Watched:
    """Delegates everything to the exporter (the metric reader reads its temporality and aggregation)."""

    def __init__(self, outages: ExportOutages, signal: str, exporter: Any) -> None:
        self._outages = outages
        self._signal = signal
        self._exporter = exporter

    def export(self, batch: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = self._exporter.export(batch, *args, **kwargs)
        except Exception as error:
            self._outages.observe(self._signal, False, error)
            raise
        # SpanExportResult, LogRecordExportResult and MetricExportResult all name success SUCCESS.
        self._outages.observe(self._signal, getattr(result, "name", "") == "SUCCESS")
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._exporter, name)
