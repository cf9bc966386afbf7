"""Privacy layer 1 for metrics, the port of src/privacy/metric-exporter.ts and the TypeScript metric view.

A metric's name, unit and description are free text the application chose: a metric outside the known
namespaces (rules.json `metrics.namePrefixes`, plus MCP_KIT_METRIC_PREFIXES) or the lowercase dotted shape
is not exported; units only from the closed list; descriptions only the kit's own. Data point attributes
pass the allow-list of records without ids, as in TypeScript; the Python SDK's views cannot rewrite values,
so disallowed keys are dropped before aggregation (`allowed_metric_keys`) and values are sanitized here,
after it, points that then coincide being merged. Exemplars are not exported (their filtered attributes
are what the view removed).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator, Mapping, Set
from typing import Any

from opentelemetry.sdk.metrics.export import (
    Gauge,
    Histogram,
    HistogramDataPoint,
    Metric,
    MetricExporter,
    MetricExportResult,
    MetricsData,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
    Sum,
)

from .guard import METRIC_FORBIDDEN_IDS, PrivacyGuard
from .names import INSTRUMENTATION_SCOPE, METRIC_DESCRIPTIONS
from .privacy import RULES, javascript_regex

_NAME_SHAPE = javascript_regex(RULES["metrics"]["nameShape"], ignore_case=False)
_UNITS = set(RULES["metrics"]["units"])


def metric_prefixes_from_env(env: Mapping[str, str] = os.environ) -> list[str]:
    """MCP_KIT_METRIC_PREFIXES: regular expressions of the application's metric namespaces, `|`-separated."""
    return [entry.strip() for entry in env.get("MCP_KIT_METRIC_PREFIXES", "").split("|") if entry.strip()]


class AllowedMetricKeys(Set[str]):
    """The record allow-list as a View's `attribute_keys`: the SDK asks it only `key in keys`."""

    def __init__(self, guard: PrivacyGuard) -> None:
        self._guard = guard

    def __contains__(self, key: object) -> bool:
        return (
            isinstance(key, str)
            and key not in METRIC_FORBIDDEN_IDS
            and self._guard.is_allowed(key, "record")
        )

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _merged(first: Any, second: Any, monotonic_sum: bool) -> Any:
    if isinstance(first, HistogramDataPoint) and isinstance(second, HistogramDataPoint):
        if list(first.explicit_bounds) != list(second.explicit_bounds):
            return first
        return dataclasses.replace(
            first,
            count=first.count + second.count,
            sum=first.sum + second.sum,
            bucket_counts=[a + b for a, b in zip(first.bucket_counts, second.bucket_counts)],
            min=min(first.min, second.min),
            max=max(first.max, second.max),
        )
    if isinstance(first, NumberDataPoint) and isinstance(second, NumberDataPoint):
        return dataclasses.replace(first, value=first.value + second.value) if monotonic_sum else second
    return first


class PrivacyMetricExporter(MetricExporter):
    """Wraps an exporter (OTLP) so only allowed, sanitized metrics reach it."""

    def __init__(self, exporter: MetricExporter, guard: PrivacyGuard, metric_prefixes: list[str] | None = None) -> None:
        super().__init__(
            preferred_temporality=getattr(exporter, "_preferred_temporality", None),
            preferred_aggregation=getattr(exporter, "_preferred_aggregation", None),
        )
        self._exporter = exporter
        self._guard = guard
        known = [re.escape(prefix) for prefix in RULES["metrics"]["namePrefixes"]]
        prefixes = metric_prefixes if metric_prefixes is not None else metric_prefixes_from_env()
        self._namespaces = javascript_regex(f"^(?:{'|'.join([*known, *prefixes])})", ignore_case=False)

    def allows(self, name: str) -> bool:
        return bool(_NAME_SHAPE.search(name)) and bool(self._namespaces.search(name))

    def _points(self, points: Any, summed: bool) -> list[Any]:
        by_attributes: dict[tuple[tuple[str, str], ...], Any] = {}
        for point in points:
            attributes = self._guard.sanitize_metric_attributes(point.attributes)
            cleaned = dataclasses.replace(point, attributes=attributes, exemplars=[])
            key = tuple(sorted((k, repr(v)) for k, v in attributes.items()))
            found = by_attributes.get(key)
            by_attributes[key] = cleaned if found is None else _merged(found, cleaned, summed)
        return list(by_attributes.values())

    def _metric(self, metric: Metric, kit: bool) -> Metric:
        data = metric.data
        if isinstance(data, (Sum, Histogram, Gauge)):
            summed = isinstance(data, Sum) or isinstance(data, Histogram)
            data = dataclasses.replace(data, data_points=self._points(data.data_points, summed))
        else:  # an exponential histogram: attributes sanitized, no merge
            data = dataclasses.replace(
                data,
                data_points=[
                    dataclasses.replace(p, attributes=self._guard.sanitize_metric_attributes(p.attributes), exemplars=[])
                    for p in data.data_points
                ],
            )
        return Metric(
            name=metric.name,
            description=METRIC_DESCRIPTIONS.get(metric.name, "") if kit else "",
            unit=metric.unit if metric.unit in _UNITS else "",
            data=data,
        )

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any) -> MetricExportResult:
        sanitized = MetricsData(
            resource_metrics=[
                ResourceMetrics(
                    resource=self._guard.sanitize_resource(resource_metrics.resource),
                    scope_metrics=[
                        ScopeMetrics(
                            scope=scope.scope,
                            metrics=[
                                self._metric(metric, scope.scope.name == INSTRUMENTATION_SCOPE)
                                for metric in scope.metrics
                                if self.allows(metric.name)
                            ],
                            schema_url=scope.schema_url,
                        )
                        for scope in resource_metrics.scope_metrics
                    ],
                    schema_url=resource_metrics.schema_url,
                )
                for resource_metrics in metrics_data.resource_metrics
            ]
        )
        return self._exporter.export(sanitized, timeout_millis=timeout_millis, **kwargs)

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return self._exporter.force_flush(timeout_millis=timeout_millis)

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        self._exporter.shutdown(timeout_millis=timeout_millis, **kwargs)
