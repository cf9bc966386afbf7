"""A polite client of the upstream locator, the port of ../detainee-locator/upstream-client.ts: bounded
concurrency, a cache partitioned per caller, retries that honour Retry-After with exponential backoff for
server errors, and a circuit breaker (purgatory) that stops calling a failing upstream. No evasion of any
kind: when the upstream says slow down, the client slows down. Its metrics carry the TypeScript client's
names (`locator.*`), so the same dashboards show either server.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Literal
from urllib.parse import quote, urlencode

import httpx2
from cachetools import TTLCache
from mcp_telemetry_kit.names import ATTR_MCPKIT_CACHE_RESULT
from opentelemetry import metrics, trace
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.semconv.attributes.http_attributes import HTTP_RESPONSE_STATUS_CODE
from opentelemetry.trace import StatusCode
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

UpstreamFailure = Literal["rate_limited", "unavailable", "circuit_open", "timeout"]

_tracer = trace.get_tracer("detainee-locator")
# The breaker's transitions, as the TypeScript client logs them: constant texts, nothing about a call.
_breaker_log = logging.getLogger("detainee-locator.upstream")


class UpstreamError(Exception):
    def __init__(self, kind: UpstreamFailure) -> None:
        super().__init__(f"upstream {kind}")
        self.kind = kind


class _Instruments:
    """Created on first use: a meter taken at import would be the no-op one if start_telemetry() comes later."""

    def __init__(self) -> None:
        meter = metrics.get_meter("detainee-locator")
        self.requests = meter.create_counter(
            "locator.upstream.requests",
            unit="{request}",
            description="Requests to the upstream locator, by HTTP status code or failure.",
        )
        self.retries = meter.create_counter(
            "locator.upstream.retries", unit="{retry}", description="Retries of upstream requests."
        )
        self.cache_lookups = meter.create_counter(
            "locator.cache.lookups",
            unit="{lookup}",
            description="Cache lookups before calling the upstream, by result (hit or miss).",
        )
        self.in_flight = meter.create_up_down_counter(
            "locator.upstream.in_flight",
            unit="{request}",
            description="Upstream requests in flight (the connection pool in use).",
        )


_instruments: _Instruments | None = None


def _instrument() -> _Instruments:
    global _instruments
    if _instruments is None:
        _instruments = _Instruments()
    return _instruments


class _RateLimited(Exception):
    """Rate limiting is the upstream asking us to slow down, not failing: it does not open the circuit."""


class UpstreamClient:
    def __init__(
        self,
        base_url: str,
        *,
        concurrency: int = 4,
        max_retries: int = 3,
        cache_ttl_seconds: float = 60,
        timeout_seconds: float = 5,
        max_retry_after_seconds: float = 5,
        breaker_failures: int = 5,
        breaker_reset_seconds: float = 10,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._max_retries = max_retries
        self._max_retry_after = max_retry_after_seconds
        self._http = httpx2.AsyncClient(timeout=timeout_seconds)
        # Whose entries a lookup reads: a cache shared across callers is a timing oracle (a lookup someone
        # else made a minute ago would answer at once, telling the caller who else is being looked for).
        self._cache: TTLCache[tuple[str, str], Any] = TTLCache(maxsize=1_000, ttl=cache_ttl_seconds)
        self._limit = asyncio.Semaphore(concurrency)
        self._breakers = AsyncCircuitBreakerFactory(
            default_threshold=breaker_failures, default_ttl=breaker_reset_seconds, exclude=[_RateLimited]
        )
        self._breakers.add_listener(self._breaker_changed)
        self._circuit_state = 0
        metrics.get_meter("detainee-locator").create_observable_gauge(
            "locator.upstream.circuit_state",
            callbacks=[lambda _options: [metrics.Observation(self._circuit_state)]],
            description="Circuit breaker state: 0 closed, 1 half-open, 2 open.",
        )

    _STATES = {"closed": (0, "closed"), "half-opened": (1, "half-open"), "opened": (2, "opened")}

    def _breaker_changed(self, _name: str, event_type: str, event: Any) -> None:
        if event_type != "state_changed":
            return
        self._circuit_state, said = self._STATES.get(event.state, (0, "closed"))
        _breaker_log.log(logging.WARNING if self._circuit_state == 2 else logging.INFO, "upstream circuit %s", said)

    @property
    def circuit_open(self) -> bool:
        return self._circuit_state == 2

    async def by_alien_number(self, alien_number: str, caller: str = "") -> dict[str, Any] | None:
        return await self._get(f"/v1/detainees/{quote(alien_number, safe='')}", caller)

    async def search(self, country: str, date_of_birth: str | None = None, caller: str = "") -> list[dict[str, Any]]:
        query = {"country": country, **({"date_of_birth": date_of_birth} if date_of_birth else {})}
        body = await self._get(f"/v1/search?{urlencode(query)}", caller)
        return (body or {}).get("results") or []

    async def close(self) -> None:
        await self._http.aclose()

    async def _get(self, path: str, caller: str) -> Any:
        """One lookup: the caller's cache first, then the upstream through the limiter and the breaker."""
        with _tracer.start_as_current_span("upstream lookup", record_exception=False) as span:
            try:
                key = (caller, path)
                cached = key in self._cache
                result = "hit" if cached else "miss"
                span.set_attribute(ATTR_MCPKIT_CACHE_RESULT, result)
                _instrument().cache_lookups.add(1, {ATTR_MCPKIT_CACHE_RESULT: result})
                if cached:
                    return self._cache[key]
                async with self._limit:
                    breaker = await self._breakers.get_breaker("upstream")
                    try:
                        async with breaker:
                            value = await self._fetch_with_retries(path)
                    except OpenedState:
                        _instrument().requests.add(1, {ERROR_TYPE: "circuit_open"})
                        raise UpstreamError("circuit_open") from None
                    except _RateLimited:
                        raise UpstreamError("rate_limited") from None
                self._cache[key] = value
                return value
            except UpstreamError as error:
                span.set_attribute(ERROR_TYPE, error.kind)
                span.set_status(StatusCode.ERROR)
                raise

    async def _fetch_with_retries(self, path: str) -> Any:
        attempt = 0
        while True:
            if attempt > 0:
                _instrument().retries.add(1)
            _instrument().in_flight.add(1)
            try:
                response = await self._http.get(f"{self._base_url}{path}")
            except httpx2.HTTPError:
                _instrument().requests.add(1, {ERROR_TYPE: "timeout"})
                if attempt >= self._max_retries:
                    raise UpstreamError("timeout") from None
                await asyncio.sleep(0.1 * 2**attempt)
                attempt += 1
                continue
            finally:
                _instrument().in_flight.add(-1)
            _instrument().requests.add(1, {HTTP_RESPONSE_STATUS_CODE: response.status_code})
            if response.is_success:
                return response.json()
            if response.status_code == 404:
                return None
            if response.status_code == 429:
                wait = float(response.headers.get("retry-after", "1"))
                if attempt >= self._max_retries or wait > self._max_retry_after:
                    raise _RateLimited()
                await asyncio.sleep(wait)
                attempt += 1
                continue
            if attempt >= self._max_retries:
                raise UpstreamError("unavailable")
            await asyncio.sleep(0.1 * 2**attempt)
            attempt += 1
