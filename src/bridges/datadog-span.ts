// Privacy layer 1 for the spans dd-trace exports itself (its plugins', the application's, and the kit's
// own when dd-trace is the tracer): the same guard as the OpenTelemetry span processor, applied to
// dd-trace's span format just before its OTLP exporter turns it into OTLP. Tags off the allow-list are
// dropped, id tags pseudonymised, free text scrubbed (patterns and the words callers typed), names
// scrubbed; dd-trace's structural tags (span kind, 128-bit trace id, links) and internal numeric
// metrics (sampling priority and the like, keys starting with `_`) are kept so the export stays valid.
import type { AttributeValue } from '@opentelemetry/api';
import type { PrivacyGuard } from '../privacy/guard.ts';

/** The fields of dd-trace's formatted span (packages/dd-trace/src/span_format.js) the guard touches. */
export interface DatadogFormattedSpan {
  name: string;
  resource: string;
  meta: Record<string, string>;
  metrics: Record<string, number>;
  meta_struct?: Record<string, unknown>;
  span_events?: { name: string; attributes?: Record<string, string | number | boolean> }[];
  [field: string]: unknown;
}

/** dd-trace's structural string tags: needed to build a valid OTLP span, free of caller data. */
const STRUCTURAL_META = new Set(['span.kind', '_dd.p.tid', '_dd.span_links']);

function sanitizeRecord(
  guard: PrivacyGuard,
  values: Record<string, AttributeValue | undefined>,
): Record<string, AttributeValue> {
  return guard.sanitizeAttributes(values, 'record') as Record<string, AttributeValue>;
}

export function sanitizeDatadogSpan(guard: PrivacyGuard, span: DatadogFormattedSpan): DatadogFormattedSpan {
  const { meta_struct: _struct, ...rest } = span;
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(sanitizeRecord(guard, span.meta))) meta[key] = String(value);
  for (const key of STRUCTURAL_META) {
    const value = span.meta[key];
    if (value !== undefined) meta[key] = value;
  }
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(span.metrics)) {
    if (key.startsWith('_')) metrics[key] = value;
  }
  for (const [key, value] of Object.entries(sanitizeRecord(guard, span.metrics))) {
    if (typeof value === 'number') metrics[key] = value;
  }
  return {
    ...rest,
    name: guard.scrub(span.name),
    resource: guard.scrub(span.resource),
    meta,
    metrics,
    ...(span.span_events
      ? {
          span_events: span.span_events.map((event) => ({
            ...event,
            name: guard.scrub(event.name),
            attributes: sanitizeRecord(guard, event.attributes ?? {}) as Record<
              string,
              string | number | boolean
            >,
          })),
        }
      : {}),
  };
}
