// Privacy layer 1 for what @sentry/node sends itself (error events, transactions, breadcrumbs, logs and
// metrics):
// the same guard as the kit's span and log processors, applied to Sentry's shapes. Free text is scrubbed
// (PII patterns and the words callers typed), user and request data are removed, stack frames lose their
// variables, tags and contexts keep their keys with scrubbed values, log and metric attributes pass the
// record allow-list. Sentry's own ids (event, trace and
// span ids) are kept as they are: they are random, and scrubbing their digit runs would break the
// correlation with the kit's traces.
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { Breadcrumb, Event, Log, Metric, StackFrame, Stacktrace } from '@sentry/node';
import type { PrivacyGuard } from '../privacy/guard.ts';

/** Contexts Sentry fills with ids that must stay joinable (trace and span ids), not free text. */
const ID_KEYS = new Set(['trace_id', 'span_id', 'parent_span_id', 'event_id', 'replay_id', 'profile_id']);

function scrubObject(guard: PrivacyGuard, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return guard.scrub(value);
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubObject(guard, item));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      guard.scrub(key),
      ID_KEYS.has(key) ? item : scrubObject(guard, item),
    ]),
  );
}

function sanitizeStacktrace(guard: PrivacyGuard, stacktrace: Stacktrace): Stacktrace {
  return stacktrace.frames ? { ...stacktrace, frames: sanitizeFrames(guard, stacktrace.frames) } : stacktrace;
}

function sanitizeFrames(guard: PrivacyGuard, frames: StackFrame[]): StackFrame[] {
  return frames.map((frame) => {
    // Local variables are the values a function held: exactly what must not leave.
    const { vars: _vars, ...rest } = frame;
    return {
      ...rest,
      ...(rest.context_line !== undefined ? { context_line: guard.scrub(rest.context_line) } : {}),
      ...(rest.pre_context ? { pre_context: rest.pre_context.map((line) => guard.scrub(line)) } : {}),
      ...(rest.post_context ? { post_context: rest.post_context.map((line) => guard.scrub(line)) } : {}),
    };
  });
}

export function sanitizeBreadcrumb(guard: PrivacyGuard, breadcrumb: Breadcrumb): Breadcrumb {
  return {
    ...breadcrumb,
    ...(breadcrumb.message !== undefined ? { message: guard.scrub(breadcrumb.message) } : {}),
    ...(breadcrumb.data ? { data: scrubObject(guard, breadcrumb.data) as Record<string, unknown> } : {}),
  };
}

/** A sanitized copy of an error or transaction event. */
export function sanitizeSentryEvent<E extends Event>(guard: PrivacyGuard, event: E): E {
  const {
    user: _user,
    request,
    extra,
    tags,
    contexts,
    breadcrumbs,
    exception,
    threads,
    message,
    logentry,
    transaction,
    fingerprint,
    spans,
    ...rest
  } = event;
  const sanitized = { ...rest } as Event;
  // The request's URL, query, headers, cookies, body and client address all identify or quote the caller;
  // its method is the only part an operator needs.
  if (request?.method) sanitized.request = { method: request.method };
  if (message !== undefined) sanitized.message = guard.scrub(message);
  if (logentry) {
    sanitized.logentry = {
      ...(logentry.message !== undefined ? { message: guard.scrub(logentry.message) } : {}),
      ...(logentry.params ? { params: logentry.params.map((param) => scrubObject(guard, param)) } : {}),
    };
  }
  if (transaction !== undefined) sanitized.transaction = guard.scrub(transaction);
  if (fingerprint) sanitized.fingerprint = fingerprint.map((part) => guard.scrub(part));
  if (exception?.values) {
    sanitized.exception = {
      ...exception,
      values: exception.values.map((value) => ({
        ...value,
        ...(value.type !== undefined ? { type: guard.scrub(value.type, false) } : {}),
        ...(value.value !== undefined ? { value: guard.scrub(value.value) } : {}),
        ...(value.stacktrace ? { stacktrace: sanitizeStacktrace(guard, value.stacktrace) } : {}),
      })),
    };
  }
  if (threads?.values) {
    sanitized.threads = {
      ...threads,
      values: threads.values.map((thread) => ({
        ...thread,
        ...(thread.stacktrace ? { stacktrace: sanitizeStacktrace(guard, thread.stacktrace) } : {}),
      })),
    };
  }
  if (breadcrumbs) sanitized.breadcrumbs = breadcrumbs.map((crumb) => sanitizeBreadcrumb(guard, crumb));
  if (tags) {
    sanitized.tags = Object.fromEntries(
      Object.entries(tags).map(([key, value]) => [
        guard.scrub(key),
        typeof value === 'string' ? guard.scrub(value) : value,
      ]),
    );
  }
  if (extra) sanitized.extra = scrubObject(guard, extra) as Record<string, unknown>;
  if (contexts) sanitized.contexts = scrubObject(guard, contexts) as NonNullable<Event['contexts']>;
  if (spans) {
    sanitized.spans = spans.map((span) => ({
      ...span,
      ...(span.description !== undefined ? { description: guard.scrub(span.description) } : {}),
      ...(span.data ? { data: scrubObject(guard, span.data) as typeof span.data } : {}),
    }));
  }
  return sanitized as E;
}

/**
 * Attributes Sentry's SDK puts on logs and metrics about itself, kept (scrubbed). Its others go: `user.*`
 * (the Sentry user) and `sentry.message.parameter.*` (the values a message template was filled with).
 */
const SENTRY_OWN_ATTRIBUTES = new Set([
  'sentry.environment',
  'sentry.release',
  'sentry.sdk.name',
  'sentry.sdk.version',
  'sentry.origin',
  'sentry.message.template',
  'sentry.trace.parent_span_id',
  'sentry.timestamp.sequence',
]);

/**
 * Log and metric attributes pass layer 1's record allow-list, as the kit's own log records do: an
 * application's `{ dob: … }` is dropped, not merely scrubbed.
 */
function sanitizeAttributes(guard: PrivacyGuard, attributes: Record<string, unknown> | undefined) {
  const own: Record<string, unknown> = {};
  const rest: Attributes = {};
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (SENTRY_OWN_ATTRIBUTES.has(key)) own[key] = scrubObject(guard, value);
    else if (guard.isAllowed(key, 'record')) {
      // Attribute values are primitives or arrays of them; anything else is scrubbed as free text.
      const primitive = value === null || typeof value !== 'object' || Array.isArray(value);
      rest[key] = (primitive ? value : JSON.stringify(value)) as AttributeValue;
    }
  }
  return { ...own, ...guard.sanitizeAttributes(rest, 'record') };
}

/**
 * Sentry logs keep their level; the message loses its template values and is scrubbed, attributes pass
 * the allow-list.
 */
export function sanitizeSentryLog(guard: PrivacyGuard, log: Log): Log {
  return {
    ...log,
    message: guard.scrub(String(log.message)),
    attributes: sanitizeAttributes(guard, log.attributes),
  };
}

/** Sentry metrics keep name and value; attributes as for logs. */
export function sanitizeSentryMetric(guard: PrivacyGuard, metric: Metric): Metric {
  return {
    ...metric,
    name: guard.scrub(metric.name),
    attributes: sanitizeAttributes(guard, metric.attributes),
  };
}
