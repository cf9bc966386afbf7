// Trace context that arrives in a request's `params._meta` (traceparent, tracestate, baggage), as the
// MCP semantic conventions specify, or in the HTTP request's headers, read with the globally configured
// propagators.
import { type Context, propagation, type TextMapGetter, trace } from '@opentelemetry/api';

const metaGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

/** The context to parent a request's span on: `_meta`'s when it carries a valid trace, else `active`. */
export function contextFromMeta(meta: unknown, active: Context): { parent: Context; fromMeta: boolean } {
  if (!meta || typeof meta !== 'object') return { parent: active, fromMeta: false };
  const extracted = propagation.extract(active, meta as Record<string, unknown>, metaGetter);
  const fromMeta = trace.getSpanContext(extracted) !== trace.getSpanContext(active);
  return { parent: extracted, fromMeta };
}

/**
 * The context of the transport: the active one when something (an HTTP server span) already holds a
 * span, else what the transport's carrier (the HTTP request's headers, none over stdio) propagates.
 */
export function contextFromTransport<Carrier>(
  carrier: Carrier,
  getter: TextMapGetter<Carrier>,
  active: Context,
): Context {
  return trace.getSpanContext(active) ? active : propagation.extract(active, carrier, getter);
}
