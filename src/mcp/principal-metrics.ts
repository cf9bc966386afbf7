// Metrics keyed by a caller's pseudonym (`mcpkit.principal.lookups`, the enumeration alerts' input),
// on a MeterProvider of their own that is replaced when the pseudonym key period turns.
//
// Why not the application's MeterProvider: the OpenTelemetry SDK remembers every attribute set an
// observable instrument ever reported and never forgets one (DeltaMetricProcessor's cumulative memo),
// and past its cardinality limit it counts every new set under `otel.metric.overflow`. Pseudonyms change
// every key period, so a long-running server collected dead pseudonyms until a new caller's lookups
// overflowed: after about 2,000 earlier principal sets the enumeration alert went blind. The SDK offers
// no way to forget a set, so the kit drops the whole provider instead, once a period, when every
// pseudonym it holds has gone out of use anyway: the series of a period end with it, and the next
// period starts empty. Within a period the provider holds up to `maxSets` sets (default 10,000).
import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { type IMetricReader, MeterProvider } from '@opentelemetry/sdk-metrics';
import { PresummedCounter } from '../metrics/presummed-counter.ts';
import type { PrivacyGuard } from '../privacy/guard.ts';
import { INSTRUMENTATION_SCOPE, METRIC_DESCRIPTIONS, METRIC_MCPKIT_PRINCIPAL_LOOKUPS } from '../semconv.ts';

export const PRINCIPAL_METRIC_SETS = 10_000;

/** The description and unit of `mcpkit.principal.lookups`, wherever it is created. */
export const PRINCIPAL_LOOKUPS_OPTIONS = {
  description: METRIC_DESCRIPTIONS[METRIC_MCPKIT_PRINCIPAL_LOOKUPS],
  unit: '{lookup}',
};

/** Where lookups are counted. */
export interface PrincipalLookups {
  /** Counts lookups; `attributes` is an interned set (interned-attributes.ts). */
  addLookups(value: number, attributes: Attributes): void;
}

export interface PrincipalMetricsOptions {
  resource: Resource;
  guard: PrivacyGuard;
  /** A new reader for each period's provider (each exports on its own, as the main reader does). */
  reader: () => IMetricReader;
  maxSets?: number;
}

interface PeriodInstruments {
  period: number;
  provider: MeterProvider;
  lookups: PresummedCounter;
}

export class PrincipalMetrics implements PrincipalLookups {
  private readonly options: PrincipalMetricsOptions;
  private current: PeriodInstruments | undefined;
  /** Providers of past periods still flushing their last export. */
  private readonly retiring = new Set<Promise<void>>();
  private readonly timer: NodeJS.Timeout;

  constructor(options: PrincipalMetricsOptions) {
    this.options = options;
    // A period can turn while nobody looks anything up: its provider must not export dead pseudonyms
    // until the next lookup.
    this.timer = setInterval(() => {
      if (this.current) this.instruments();
    }, 60_000);
    this.timer.unref();
  }

  addLookups(value: number, attributes: Attributes): void {
    this.instruments().lookups.add(value, attributes);
  }

  private instruments(): PeriodInstruments {
    const period = this.options.guard.pseudonymizer.period();
    if (this.current?.period === period) return this.current;
    if (this.current) this.retire(this.current.provider);
    const maxSets = this.options.maxSets ?? PRINCIPAL_METRIC_SETS;
    const guard = this.options.guard;
    const provider = new MeterProvider({
      resource: this.options.resource,
      readers: [this.options.reader()],
      views: [
        {
          instrumentName: '*',
          attributesProcessors: [{ process: (attributes) => guard.sanitizeMetricAttributes(attributes) }],
          // Room for every set the counter keeps, the overflow set included, and the SDK's own.
          aggregationCardinalityLimit: maxSets + 2,
        },
      ],
    });
    const lookups = new PresummedCounter(
      provider.getMeter(INSTRUMENTATION_SCOPE),
      METRIC_MCPKIT_PRINCIPAL_LOOKUPS,
      PRINCIPAL_LOOKUPS_OPTIONS,
      () => guard,
      maxSets,
    );
    this.current = { period, provider, lookups };
    return this.current;
  }

  /** The last export of a past period's counts, then the provider is gone. */
  private retire(provider: MeterProvider): void {
    const done = provider
      .shutdown()
      .catch(() => undefined)
      .finally(() => this.retiring.delete(done));
    this.retiring.add(done);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.retiring, this.current?.provider.forceFlush()]);
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.retiring, this.current?.provider.shutdown()]);
  }
}

let configured: PrincipalMetrics | undefined;

/** Set by startTelemetry(); without it, per-principal metrics go to the global MeterProvider. */
export function configurePrincipalMetrics(metrics: PrincipalMetrics | undefined): void {
  configured = metrics;
}

export function principalMetrics(): PrincipalMetrics | undefined {
  return configured;
}
