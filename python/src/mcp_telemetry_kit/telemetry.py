"""start_telemetry(): the OpenTelemetry Python SDK wired for an MCP server, as startTelemetry() in TypeScript.

Traces, metrics and logs go over OTLP/HTTP (protobuf) to the collector, configured by the standard OTEL_*
variables the SDK's exporters read (endpoint, headers for the collector's bearer token, timeouts), plus
OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES, OTEL_SDK_DISABLED and OTEL_METRIC_EXPORT_INTERVAL. Privacy
layer 1 sits in front of every exporter, so nothing leaves the process unsanitized; without a pseudonym
key (MCP_KIT_PSEUDONYM_KEY or _FILE) it refuses to start, in one line.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from opentelemetry import metrics, propagate, trace
from opentelemetry._logs import set_logger_provider
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExporter, MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.environment_variables import OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED
from opentelemetry.sdk.metrics.view import View
from opentelemetry.sdk.resources import (
    OTELResourceDetector,
    ProcessResourceDetector,
    Resource,
    get_aggregated_resources,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from .export_outages import ExportOutages
from .guard import PrivacyGuard
from .host_metrics import start_host_metrics
from .log_processor import PrivacyLogRecordProcessor
from .metric_exporter import AllowedMetricKeys, PrivacyMetricExporter
from .privacy import Pseudonymizer, pseudonym_secret
from .span_processor import PrivacySpanProcessor

_guard: PrivacyGuard | None = None


def privacy_guard() -> PrivacyGuard:
    """The process's privacy layer 1: the one start_telemetry() configured, else one from the environment."""
    global _guard
    if _guard is None:
        _guard = PrivacyGuard(Pseudonymizer(pseudonym_secret()))
    return _guard


@dataclass
class TelemetryHandle:
    """What start_telemetry() started: flush before a short-lived process exits, shut down at the end."""

    tracer_provider: TracerProvider | None = None
    meter_provider: MeterProvider | None = None
    logger_provider: LoggerProvider | None = None

    def force_flush(self, timeout_millis: int = 30_000) -> None:
        # Metrics last: they count the spans and log records the other flushes gave up.
        for provider in (self.tracer_provider, self.logger_provider, self.meter_provider):
            if provider is not None:
                provider.force_flush(timeout_millis)

    def shutdown(self) -> None:
        for provider in (self.tracer_provider, self.logger_provider, self.meter_provider):
            if provider is not None:
                provider.shutdown()


def _flush_on_termination(handle: TelemetryHandle) -> None:
    """On SIGTERM, export what is buffered, then terminate as SIGTERM would.

    A server stopped by its supervisor otherwise loses its last spans, records and metric interval: the
    default action ends the process without exit handlers, and uvicorn, after its graceful shutdown,
    raises the signal it caught again under the handler it found. Installed only where nobody handles
    SIGTERM yet, from the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None):
        return

    def on_sigterm(signum: int, _frame: object) -> None:
        signal.signal(signum, signal.SIG_DFL)
        try:
            handle.shutdown()
        finally:
            os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, on_sigterm)


def _resource(service_name: str | None, service_version: str | None, environment: str | None) -> Resource:
    own: dict[str, str] = {}
    if service_name:
        own["service.name"] = service_name
    if service_version:
        own["service.version"] = service_version
    if environment:
        own["deployment.environment.name"] = environment
    # process.pid tells one start from the next (the restart alert); the allow-list keeps what it may.
    # OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES come last, as in TypeScript: the operator's word wins.
    return get_aggregated_resources([ProcessResourceDetector(), OTELResourceDetector()], Resource.create(own))


def start_telemetry(
    *,
    service_name: str | None = None,
    service_version: str | None = None,
    environment: str | None = None,
    pseudonym_key: str | bytes | None = None,
    ephemeral_pseudonyms: bool | None = None,
    known_clients: list[str] | None = None,
    allow_attributes: list[str] | None = None,
    metric_prefixes: list[str] | None = None,
    host_metrics: bool = True,
    log_handler: bool = True,
    flush_on_sigterm: bool = True,
    span_exporter: SpanExporter | None = None,
    metric_exporter: MetricExporter | None = None,
    log_exporter: LogRecordExporter | None = None,
    metric_export_interval_millis: float | None = None,
    env: Mapping[str, str] = os.environ,
) -> TelemetryHandle:
    """Starts the OpenTelemetry SDK with privacy layer 1 in front of every exporter; sets it globally.

    Call it once, first thing (after `logging.basicConfig()`, which does nothing once the root logger has a
    handler). `log_handler` bridges Python `logging` (the root logger, INFO and up, as far as its level lets
    records through) to OTLP logs; `flush_on_sigterm` exports what is buffered when the process is told to stop; the exporters default
    to OTLP/HTTP from OTEL_*; the others mirror the TypeScript options.
    """
    global _guard
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return TelemetryHandle()
    guard = PrivacyGuard(
        Pseudonymizer(pseudonym_secret(pseudonym_key, ephemeral_pseudonyms, env)),
        extra_attributes=allow_attributes,
        known_clients=known_clients,
    )
    _guard = guard
    resource = _resource(service_name, service_version, environment)

    # One line when a signal's export starts failing and one when it recovers, not one per failed batch.
    outages = ExportOutages()
    interval = metric_export_interval_millis or float(env.get("OTEL_METRIC_EXPORT_INTERVAL", "60000"))
    reader: MetricReader = PeriodicExportingMetricReader(
        PrivacyMetricExporter(
            outages.watch("metrics", metric_exporter or OTLPMetricExporter()), guard, metric_prefixes
        ),
        export_interval_millis=interval,
    )
    meter_provider = MeterProvider(
        resource=resource,
        metric_readers=[reader],
        views=[View(instrument_name="*", attribute_keys=AllowedMetricKeys(guard))],
    )
    metrics.set_meter_provider(meter_provider)
    # The SDK counts the spans and log records it gives up (queue full, export failed after its retries)
    # on otel.sdk.processor.{span,log}.processed{error.type}, as the TypeScript side does; a process-wide
    # switch of the Python SDK, read as its processors and exporters are made, on unless the
    # application set it.
    if OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED not in env:
        os.environ.setdefault(OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED, "true")

    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(
        PrivacySpanProcessor(
            BatchSpanProcessor(
                outages.watch("traces", span_exporter or OTLPSpanExporter(meter_provider=meter_provider)),
                meter_provider=meter_provider,
            ),
            guard,
        )
    )
    trace.set_tracer_provider(tracer_provider)
    # Trace context goes out; the caller's baggage does not (it is caller text).
    propagate.set_global_textmap(CompositePropagator([TraceContextTextMapPropagator()]))

    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(
        PrivacyLogRecordProcessor(
            BatchLogRecordProcessor(
                outages.watch("logs", log_exporter or OTLPLogExporter(meter_provider=meter_provider)),
                meter_provider=meter_provider,
            ),
            guard,
        )
    )
    set_logger_provider(logger_provider)
    outages.hold_back_sdk_reports()
    if log_handler:
        # At the levels the application configured: the root logger's level stays the application's.
        logging.getLogger().addHandler(LoggingHandler(level=logging.INFO, logger_provider=logger_provider))
    if host_metrics:
        start_host_metrics()
    handle = TelemetryHandle(tracer_provider, meter_provider, logger_provider)
    if flush_on_sigterm:
        _flush_on_termination(handle)
    return handle
