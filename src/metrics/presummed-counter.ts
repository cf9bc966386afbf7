// A counter the kit sums itself and reports through an ObservableCounter: tool calls, transitions and
// lookups are counted on every call, and a synchronous counter costs the SDK an attribute hash and a
// map lookup per add, on top of layer 1's attribute check. Here an add is one map update keyed by the
// sanitized set's identity (PrivacyGuard.sanitizeMetricAttributes interns its results for interned
// input), and the SDK sees each set once per collection. Sums are cumulative, as an ObservableCounter
// reports them; the SDK turns them into deltas for a delta exporter.
import type { Attributes, Meter, MetricOptions, ObservableResult } from '@opentelemetry/api';
import type { PrivacyGuard } from '../privacy/guard.ts';
import { contentKey } from './interned-attributes.ts';

/**
 * Distinct attribute sets kept by default, the overflow set included, within the SDK's default
 * cardinality limit (2000 sets, the SDK's own overflow set among them): the SDK never merges sets behind
 * the kit's back. A counter given more sets needs a view raising the SDK's limit as far.
 */
export const DEFAULT_MAX_SETS = 1998;
/**
 * Where counts go once the counter is full: the attribute the SDK marks its own overflow with (semantic
 * conventions), on the allow-list, so overflow is visible and alerted (MCPTelemetryOverflow) instead of
 * being counted with callers that have no attributes at all.
 */
export const OVERFLOW: Attributes = Object.freeze({ 'otel.metric.overflow': true });

export class PresummedCounter {
  private readonly sums = new Map<Attributes, number>();
  private readonly guard: () => PrivacyGuard;
  private readonly maxSets: number;

  constructor(
    meter: Meter,
    name: string,
    options: MetricOptions,
    guard: () => PrivacyGuard,
    maxSets = DEFAULT_MAX_SETS,
  ) {
    this.guard = guard;
    this.maxSets = maxSets;
    meter.createObservableCounter(name, options).addCallback((result) => this.observe(result));
  }

  /** Adds `value` under an interned attribute set (interned-attributes.ts). */
  add(value: number, attributes: Attributes): void {
    let key = this.guard().sanitizeMetricAttributes(attributes);
    let sum = this.sums.get(key);
    if (sum === undefined && this.sums.size >= this.maxSets) {
      key = OVERFLOW;
      sum = this.sums.get(key);
    }
    this.sums.set(key, (sum ?? 0) + value);
  }

  /**
   * Each set once, sanitized as of now and merged by content: the SDK keeps one value per observed set,
   * so two keys that now sanitize alike (a word tainted since, the interning table started over) must
   * be reported as one sum, never as two observations of which the second would replace the first.
   */
  private observe(result: ObservableResult): void {
    const guard = this.guard();
    const merged = new Map<string, { attributes: Attributes; sum: number }>();
    for (const [counted, sum] of this.sums) {
      const attributes = guard.sanitizeMetricAttributes(counted);
      const key = contentKey(attributes);
      const found = merged.get(key);
      if (found) found.sum += sum;
      else merged.set(key, { attributes, sum });
    }
    for (const { attributes, sum } of merged.values()) result.observe(sum, attributes);
  }
}
