// Privacy layer 1 for spans: every span of the process, the kit's own and those of auto-instrumentations
// and application code, is handed on to the exporting processor only as a sanitized copy: allow-listed
// attributes, scrubbed name and event names, no status message (free text), sanitized resource.
import type { Context } from '@opentelemetry/api';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { INSTRUMENTATION_SCOPE } from '../mcp/semconv.ts';
import { type PrivacyGuard, privacyGuard } from './guard.ts';

const sanitizedResources = new WeakMap<Resource, Resource>();

export function sanitizeResource(resource: Resource, guard: PrivacyGuard): Resource {
  let sanitized = sanitizedResources.get(resource);
  if (!sanitized) {
    sanitized = resourceFromAttributes(guard.sanitizeAttributes(resource.attributes, 'resource'));
    sanitizedResources.set(resource, sanitized);
  }
  return sanitized;
}

export function sanitizeSpan(span: ReadableSpan, guard: PrivacyGuard): ReadableSpan {
  return {
    // The kit names its spans from validated parts (method, registered tool name); taint would only
    // mangle them. Every other span name is free text.
    name: guard.scrub(span.name, span.instrumentationScope.name !== INSTRUMENTATION_SCOPE),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext ? { parentSpanContext: span.parentSpanContext } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    ended: span.ended,
    status: { code: span.status.code },
    attributes: guard.sanitizeAttributes(span.attributes, 'record'),
    links: span.links.map((link) => ({
      context: link.context,
      attributes: guard.sanitizeAttributes(link.attributes, 'record'),
    })),
    events: span.events.map((event) => ({
      name: guard.scrub(event.name),
      time: event.time,
      attributes: guard.sanitizeAttributes(event.attributes, 'record'),
      droppedAttributesCount: event.droppedAttributesCount ?? 0,
    })),
    resource: sanitizeResource(span.resource, guard),
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

export class PrivacySpanProcessor implements SpanProcessor {
  private readonly next: SpanProcessor;
  private readonly guard: PrivacyGuard;

  constructor(next: SpanProcessor, guard: PrivacyGuard = privacyGuard()) {
    this.next = next;
    this.guard = guard;
  }

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.next.onEnd(sanitizeSpan(span, this.guard));
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
