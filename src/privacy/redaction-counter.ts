// How often privacy layer 1 had to rewrite text (a PII pattern or a call's own argument found in a span
// name, an event name, a log body or an attribute value): the signal behind the privacy guard alert. Layer
// 1 caught each one, so nothing leaked; a steady stream means some code writes people's data into
// telemetry and relies on the guard, which a privacy officer wants to know before the guard ever misses.
// Only the count is exported, never what was replaced or where it was found.
import { metrics } from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPE, METRIC_DESCRIPTIONS, METRIC_MCPKIT_PRIVACY_REDACTIONS } from '../semconv.ts';

let counter: ReturnType<ReturnType<typeof metrics.getMeter>['createCounter']> | undefined;

/** Counts one value layer 1 rewrote; created on first use, after the application started telemetry. */
export function countRedaction(): void {
  counter ??= metrics.getMeter(INSTRUMENTATION_SCOPE).createCounter(METRIC_MCPKIT_PRIVACY_REDACTIONS, {
    description: METRIC_DESCRIPTIONS[METRIC_MCPKIT_PRIVACY_REDACTIONS],
    unit: '{value}',
  });
  counter.add(1);
}
