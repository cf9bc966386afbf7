// Requests an HTTP MCP server refuses before they reach MCP: a missing or wrong credential, a foreign
// Origin (the Streamable HTTP transport's DNS-rebinding defence). The kit cannot see them from the MCP
// server it wraps, and the HTTP server instrumentation does not see ESM applications' servers unless
// Node is started with a loader hook, so the application's auth layer reports them with one call.
import { metrics } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  INSTRUMENTATION_SCOPE,
  METRIC_DESCRIPTIONS,
  METRIC_MCPKIT_HTTP_REJECTIONS,
} from '../semconv.ts';
import type { HttpRejectionReason } from '../types.ts';

const REASONS = new Set<string>([
  'unauthorized',
  'forbidden',
  'forbidden_origin',
  'not_found',
  'unknown_session',
  'rate_limited',
  'payload_too_large',
  'bad_request',
  'forbidden_host',
  'too_many_sessions',
  'server_error',
]);

let counter: ReturnType<ReturnType<typeof metrics.getMeter>['createCounter']> | undefined;

/** Counts one refused HTTP request as `mcpkit.http.rejections{error.type=reason}`. */
export function recordHttpRejection(reason: HttpRejectionReason): void {
  // Created on first use, after the application has started telemetry.
  counter ??= metrics.getMeter(INSTRUMENTATION_SCOPE).createCounter(METRIC_MCPKIT_HTTP_REJECTIONS, {
    description: METRIC_DESCRIPTIONS[METRIC_MCPKIT_HTTP_REJECTIONS],
    unit: '{request}',
  });
  counter.add(1, { [ATTR_ERROR_TYPE]: REASONS.has(reason) ? reason : 'other' });
}
