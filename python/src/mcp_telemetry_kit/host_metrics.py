"""Process and host metrics from psutil, named and shaped as the TypeScript side exports them.

@opentelemetry/host-metrics (system.cpu.*, system.memory.*, system.network.*, process.cpu.*,
process.memory.usage) and the kit's system.filesystem.utilization (src/filesystem-metrics.ts): the same
names, units and attributes (the OpenTelemetry system and process semantic conventions), so the host
dashboard and the host alerts (prometheus/rules/host.rules.yml) work for a Python server unchanged.
Network devices are kept as the TypeScript side keeps them (system.device).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import psutil
from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

from .names import INSTRUMENTATION_SCOPE, METRIC_DESCRIPTIONS

_CPU_STATES = ("user", "system", "idle", "interrupt", "nice")


def start_host_metrics(path: str | None = None) -> None:
    """Observes the host and this process at every metric collection."""
    meter = metrics.get_meter(INSTRUMENTATION_SCOPE)
    process = psutil.Process()
    process.cpu_percent(None)  # the first call only starts the measurement interval
    where = path or os.getcwd()

    def cpu_time(_: CallbackOptions) -> Iterable[Observation]:
        for number, times in enumerate(psutil.cpu_times(percpu=True)):
            for state in _CPU_STATES:
                yield Observation(getattr(times, "irq" if state == "interrupt" else state, 0.0),
                                  {"system.cpu.state": state, "system.cpu.logical_number": number})

    def cpu_utilization(_: CallbackOptions) -> Iterable[Observation]:
        for number, shares in enumerate(psutil.cpu_times_percent(interval=None, percpu=True)):
            for state in _CPU_STATES:
                share = getattr(shares, "irq" if state == "interrupt" else state, 0.0) / 100
                yield Observation(share, {"system.cpu.state": state, "system.cpu.logical_number": number})

    def memory_usage(_: CallbackOptions) -> Iterable[Observation]:
        memory = psutil.virtual_memory()
        used = memory.total - memory.available
        yield Observation(used, {"system.memory.state": "used"})
        yield Observation(memory.available, {"system.memory.state": "free"})

    def memory_utilization(_: CallbackOptions) -> Iterable[Observation]:
        memory = psutil.virtual_memory()
        used = memory.total - memory.available
        yield Observation(used / memory.total, {"system.memory.state": "used"})
        yield Observation(memory.available / memory.total, {"system.memory.state": "free"})

    def network(field_in: str, field_out: str):
        def observe(_: CallbackOptions) -> Iterable[Observation]:
            for device, counters in psutil.net_io_counters(pernic=True).items():
                yield Observation(getattr(counters, field_in), {"system.device": device, "network.io.direction": "receive"})
                yield Observation(getattr(counters, field_out), {"system.device": device, "network.io.direction": "transmit"})

        return observe

    def process_cpu_time(_: CallbackOptions) -> Iterable[Observation]:
        times = process.cpu_times()
        yield Observation(times.user, {"process.cpu.state": "user"})
        yield Observation(times.system, {"process.cpu.state": "system"})

    def process_cpu_utilization(_: CallbackOptions) -> Iterable[Observation]:
        share = process.cpu_percent(None) / 100 / (psutil.cpu_count() or 1)
        yield Observation(share, {"process.cpu.state": "user"})

    def process_memory(_: CallbackOptions) -> Iterable[Observation]:
        yield Observation(process.memory_info().rss)

    def filesystem(_: CallbackOptions) -> Iterable[Observation]:
        try:
            usage = psutil.disk_usage(where)
        except OSError:
            return  # a filesystem that cannot be read reports nothing rather than a wrong number
        usable = usage.used + usage.free
        if usable > 0:
            yield Observation(usage.used / usable)

    meter.create_observable_counter("system.cpu.time", [cpu_time], unit="s", description="Cpu time in seconds")
    meter.create_observable_gauge("system.cpu.utilization", [cpu_utilization], description="Cpu usage time 0-1")
    meter.create_observable_gauge("system.memory.usage", [memory_usage], description="Memory usage in bytes")
    meter.create_observable_gauge("system.memory.utilization", [memory_utilization], description="Memory usage 0-1")
    meter.create_observable_counter("system.network.dropped", [network("dropin", "dropout")], description="Network dropped packets")
    meter.create_observable_counter("system.network.errors", [network("errin", "errout")], description="Network errors counter")
    meter.create_observable_counter("system.network.io", [network("bytes_recv", "bytes_sent")], description="Network transmit and received bytes")
    meter.create_observable_counter("process.cpu.time", [process_cpu_time], unit="s", description="Process Cpu time in seconds")
    meter.create_observable_gauge("process.cpu.utilization", [process_cpu_utilization], description="Process Cpu usage time 0-1")
    meter.create_observable_gauge("process.memory.usage", [process_memory], description="Process Memory usage in bytes")
    meter.create_observable_gauge(
        "system.filesystem.utilization",
        [filesystem],
        unit="1",
        description=METRIC_DESCRIPTIONS["system.filesystem.utilization"],
    )
