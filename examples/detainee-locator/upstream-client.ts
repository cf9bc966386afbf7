// A polite client of the upstream locator: bounded concurrency, a cache, retries that honour
// Retry-After with exponential backoff for server errors, and a circuit breaker that stops calling a
// failing upstream. No evasion of any kind: when the upstream says slow down, the client slows down.
import { logs, metrics, SeverityNumber, SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import { LRUCache } from 'lru-cache';
import CircuitBreaker from 'opossum';
import pLimit from 'p-limit';
import { ATTR_MCPKIT_CACHE_RESULT } from '../../src/index.ts';
import type { DetaineeRecord } from './dataset.ts';

const tracer = trace.getTracer('detainee-locator');

export type UpstreamFailure = 'rate_limited' | 'unavailable' | 'circuit_open' | 'timeout';

export class UpstreamError extends Error {
  readonly kind: UpstreamFailure;
  constructor(kind: UpstreamFailure) {
    super(`upstream ${kind}`);
    this.kind = kind;
  }
}

export interface UpstreamClientOptions {
  concurrency?: number;
  maxRetries?: number;
  cacheTtlMs?: number;
  timeoutMs?: number;
  /** Longest Retry-After the client waits in place before giving up the call as rate limited. */
  maxRetryAfterMs?: number;
  breaker?: { errorThresholdPercentage?: number; resetTimeout?: number; volumeThreshold?: number };
}

/**
 * The client's instruments, created on first use: a meter taken at import time would be the no-op one
 * whenever this module loads before the application calls startTelemetry().
 */
let instruments: ReturnType<typeof createInstruments> | undefined;
function createInstruments() {
  const meter = metrics.getMeter('detainee-locator');
  return {
    requests: meter.createCounter('locator.upstream.requests', {
      description: 'Requests to the upstream locator, by HTTP status code or failure.',
      unit: '{request}',
    }),
    retries: meter.createCounter('locator.upstream.retries', {
      description: 'Retries of upstream requests.',
      unit: '{retry}',
    }),
    cacheLookups: meter.createCounter('locator.cache.lookups', {
      description: 'Cache lookups before calling the upstream, by result (hit or miss).',
      unit: '{lookup}',
    }),
    inFlight: meter.createUpDownCounter('locator.upstream.in_flight', {
      description: 'Upstream requests in flight (the connection pool in use).',
      unit: '{request}',
    }),
    circuitState: meter.createObservableGauge('locator.upstream.circuit_state', {
      description: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.',
    }),
  };
}
const instrument = () => {
  instruments ??= createInstruments();
  return instruments;
};

export class UpstreamClient {
  private readonly baseUrl: string;
  private readonly options: Required<Omit<UpstreamClientOptions, 'breaker'>>;
  private readonly cache: LRUCache<string, { value: unknown }>;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly breaker: CircuitBreaker<[string], unknown>;
  /**
   * Whose cache entries this view reads and writes. A cache shared across callers is a timing oracle:
   * a lookup someone else made in the last minute would answer in a millisecond instead of a round trip
   * to the upstream, telling the caller who else is being looked for. Each caller hits only its own.
   */
  private cachePartition = '';

  constructor(baseUrl: string, options: UpstreamClientOptions = {}) {
    this.baseUrl = baseUrl;
    this.options = {
      concurrency: options.concurrency ?? 4,
      maxRetries: options.maxRetries ?? 3,
      cacheTtlMs: options.cacheTtlMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 5_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 5_000,
    };
    this.cache = new LRUCache({ max: 1_000, ttl: this.options.cacheTtlMs });
    this.limit = pLimit(this.options.concurrency);
    this.breaker = new CircuitBreaker((path: string) => this.fetchWithRetries(path), {
      timeout: false,
      errorThresholdPercentage: options.breaker?.errorThresholdPercentage ?? 50,
      resetTimeout: options.breaker?.resetTimeout ?? 10_000,
      volumeThreshold: options.breaker?.volumeThreshold ?? 5,
      // Rate limiting is the upstream asking us to slow down, not failing: it does not open the circuit;
      // unavailability and timeouts do.
      errorFilter: (error: unknown) => error instanceof UpstreamError && error.kind === 'rate_limited',
    });
    // The breaker's transitions are the operator's story of an outage, told as OpenTelemetry log records
    // (with the active trace, when a call tripped it). Constant bodies: nothing about a call or a caller.
    this.breaker.on('open', () => breakerLog(SeverityNumber.WARN, 'upstream circuit opened'));
    this.breaker.on('halfOpen', () => breakerLog(SeverityNumber.INFO, 'upstream circuit half-open'));
    this.breaker.on('close', () => breakerLog(SeverityNumber.INFO, 'upstream circuit closed'));
    instrument().circuitState.addCallback((result) =>
      result.observe(this.breaker.opened ? 2 : this.breaker.halfOpen ? 1 : 0),
    );
  }

  /** The same upstream, limiter, breaker and cache store, with cache entries only `caller` can hit. */
  forCaller(caller: string): UpstreamClient {
    const view = Object.create(this) as UpstreamClient;
    view.cachePartition = caller;
    return view;
  }

  get circuitOpen(): boolean {
    return this.breaker.opened;
  }

  byAlienNumber(alienNumber: string): Promise<DetaineeRecord | undefined> {
    return this.get(`/v1/detainees/${encodeURIComponent(alienNumber)}`) as Promise<
      DetaineeRecord | undefined
    >;
  }

  async search(country: string, dateOfBirth?: string): Promise<DetaineeRecord[]> {
    const query = new URLSearchParams({ country, ...(dateOfBirth ? { date_of_birth: dateOfBirth } : {}) });
    const body = (await this.get(`/v1/search?${query}`)) as { results?: DetaineeRecord[] } | undefined;
    return body?.results ?? [];
  }

  /** One lookup: the cache first, then the upstream through the limiter and the breaker. */
  private get(path: string): Promise<unknown> {
    return tracer.startActiveSpan('upstream lookup', async (span) => {
      try {
        const key = `${this.cachePartition}\0${path}`;
        const cached = this.cache.get(key);
        const result = cached ? 'hit' : 'miss';
        span.setAttribute(ATTR_MCPKIT_CACHE_RESULT, result);
        instrument().cacheLookups.add(1, { [ATTR_MCPKIT_CACHE_RESULT]: result });
        if (cached) return cached.value;
        if (this.breaker.opened) {
          instrument().requests.add(1, { [ATTR_ERROR_TYPE]: 'circuit_open' });
          throw new UpstreamError('circuit_open');
        }
        const value = await this.limit(() => this.breaker.fire(path));
        this.cache.set(key, { value });
        return value;
      } catch (error) {
        if (error instanceof UpstreamError) span.setAttribute(ATTR_ERROR_TYPE, error.kind);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async fetchWithRetries(path: string): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) instrument().retries.add(1);
      instrument().inFlight.add(1);
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch {
        instrument().requests.add(1, { [ATTR_ERROR_TYPE]: 'timeout' });
        if (attempt >= this.options.maxRetries) throw new UpstreamError('timeout');
        await sleep(100 * 2 ** attempt);
        continue;
      } finally {
        instrument().inFlight.add(-1);
      }
      instrument().requests.add(1, { [ATTR_HTTP_RESPONSE_STATUS_CODE]: response.status });
      if (response.ok) return response.json();
      await response.body?.cancel();
      if (response.status === 404) return undefined;
      if (response.status === 429) {
        const waitMs = Number(response.headers.get('retry-after') ?? '1') * 1000;
        if (attempt >= this.options.maxRetries || waitMs > this.options.maxRetryAfterMs)
          throw new UpstreamError('rate_limited');
        await sleep(waitMs);
        continue;
      }
      if (attempt >= this.options.maxRetries) throw new UpstreamError('unavailable');
      await sleep(100 * 2 ** attempt);
    }
  }
}

/** One record of the breaker's state; the logger is looked up per record, like the meter, for the same reason. */
function breakerLog(severityNumber: SeverityNumber, body: string): void {
  logs.getLogger('detainee-locator').emit({
    severityNumber,
    severityText: SeverityNumber[severityNumber],
    eventName: 'locator.upstream.circuit',
    body,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
