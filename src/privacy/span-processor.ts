// Privacy layer 1 for spans: every span of the process, the kit's own and those of auto-instrumentations
// and application code, is handed on to the exporting processor only as a sanitized copy: allow-listed
// attributes, scrubbed name and event names, no status message and no trace state (free text),
// sanitized resource.
import type { Attributes, Context, HrTime, SpanContext } from '@opentelemetry/api';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { INSTRUMENTATION_SCOPE } from '../semconv.ts';
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

/**
 * A span context as exported: trace state is caller text (a client's tracer writes what it likes into
 * the `tracestate` of `_meta` or the HTTP header, and the kit's spans inherit it), so it never leaves.
 * The context keeps it for propagation within the process.
 */
function withoutTraceState(context: SpanContext): SpanContext {
  if (!context.traceState) return context;
  const { traceState: _dropped, ...rest } = context;
  return rest;
}

const NO_LINKS: ReadableSpan['links'] = Object.freeze([]) as never;
const NO_EVENTS: ReadableSpan['events'] = Object.freeze([]) as never;

/**
 * The sanitized copy the exporter gets. A class, so every copy has one shape (the serializer reads
 * thousands of them), and it keeps none of the original span: a queued copy holds only what is exported.
 */
class SanitizedSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: ReadableSpan['kind'];
  private readonly context: SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly ended: boolean;
  readonly status: ReadableSpan['status'];
  readonly attributes: Attributes;
  readonly links: ReadableSpan['links'];
  readonly events: ReadableSpan['events'];
  readonly resource: Resource;
  readonly instrumentationScope: ReadableSpan['instrumentationScope'];
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;

  constructor(span: ReadableSpan, guard: PrivacyGuard) {
    // The kit names its spans from validated parts (method, registered tool name); taint would only
    // mangle them. Every other span name is free text.
    this.name = guard.scrub(span.name, span.instrumentationScope.name !== INSTRUMENTATION_SCOPE);
    this.kind = span.kind;
    this.context = withoutTraceState(span.spanContext());
    if (span.parentSpanContext) this.parentSpanContext = withoutTraceState(span.parentSpanContext);
    this.startTime = span.startTime;
    this.endTime = span.endTime;
    this.duration = span.duration;
    this.ended = span.ended;
    this.status = { code: span.status.code };
    this.attributes = guard.sanitizeAttributes(span.attributes, 'record');
    this.links = span.links.length
      ? span.links.map((link) => ({
          context: withoutTraceState(link.context),
          attributes: guard.sanitizeAttributes(link.attributes, 'record'),
        }))
      : NO_LINKS;
    this.events = span.events.length
      ? span.events.map((event) => ({
          name: guard.scrub(event.name),
          time: event.time,
          attributes: guard.sanitizeAttributes(event.attributes, 'record'),
          droppedAttributesCount: event.droppedAttributesCount ?? 0,
        }))
      : NO_EVENTS;
    this.resource = sanitizeResource(span.resource, guard);
    this.instrumentationScope = span.instrumentationScope;
    this.droppedAttributesCount = span.droppedAttributesCount;
    this.droppedEventsCount = span.droppedEventsCount;
    this.droppedLinksCount = span.droppedLinksCount;
  }

  spanContext(): SpanContext {
    return this.context;
  }
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
    this.next.onEnd(new SanitizedSpan(span, this.guard));
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
