// The seam between the kit and an MCP SDK: the part of the Transport contract both SDK lines (1.x and
// 2.x) share, the JSON-RPC message shapes, and how a handler assigned later to a transport is wrapped.
// instrument.ts reads every message through it and depends on no SDK internals.
import type { TextMapGetter } from '@opentelemetry/api';
import { NETWORK_TRANSPORT_VALUE_PIPE, NETWORK_TRANSPORT_VALUE_TCP } from '../semconv.ts';

/** The part of the MCP SDK Transport contract (1.x and 2.x) the kit relies on. */
export interface Transport {
  send(message: JsonRpcMessage, options?: unknown): Promise<void>;
  onmessage?: ((message: JsonRpcMessage, extra?: MessageExtra) => void) | undefined;
  onclose?: (() => void) | undefined;
  sessionId?: string | undefined;
}

export interface JsonRpcMessage {
  jsonrpc?: string;
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code?: number; message?: string };
}

export interface MessageExtra {
  authInfo?: Record<string, unknown>;
  /** 1.x: the HTTP request's headers. */
  requestInfo?: { headers?: Record<string, string | string[] | undefined> };
  /** 2.x: the web-standard HTTP request. */
  request?: { headers?: { get(name: string): string | null } };
}

export interface Connectable {
  connect(transport: Transport): Promise<void>;
}

export function networkTransportOf(transport: object): string | undefined {
  const name = transport.constructor?.name ?? '';
  if (/stdio/i.test(name)) return NETWORK_TRANSPORT_VALUE_PIPE;
  if (/http|sse/i.test(name)) return NETWORK_TRANSPORT_VALUE_TCP;
  return undefined;
}

/** A request header, from Node's header object (1.x) or a web-standard Request (2.x). */
export function header(extra: MessageExtra | undefined, name: string): string | undefined {
  const fromRequest = extra?.request?.headers?.get(name);
  if (fromRequest) return fromRequest;
  const headers = extra?.requestInfo?.headers as
    | (Record<string, string | string[] | undefined> & { get?: (name: string) => string | null })
    | undefined;
  if (typeof headers?.get === 'function') return headers.get(name) ?? undefined;
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The HTTP request's headers as a propagation carrier (trace context when no HTTP span holds it). */
export const requestHeaders: TextMapGetter<MessageExtra | undefined> = {
  keys: () => [],
  get: (extra, key) => header(extra, key),
};

export function isRequest(message: JsonRpcMessage): boolean {
  return typeof message.method === 'string' && message.id !== undefined;
}

export function isNotification(message: JsonRpcMessage): boolean {
  return typeof message.method === 'string' && message.id === undefined;
}

export function isResponse(message: JsonRpcMessage): boolean {
  return (
    message.method === undefined && message.id !== undefined && ('result' in message || 'error' in message)
  );
}

/** Everything a request carries from the caller, except names the server itself defines. */
export function callerSuppliedValues(params: Record<string, unknown> | undefined): unknown[] {
  const values: unknown[] = [];
  if (!params) return values;
  for (const key in params) {
    if (key !== 'name' && key !== '_meta' && Object.hasOwn(params, key)) values.push(params[key]);
  }
  return values;
}

/**
 * Wraps whatever handler is later assigned to `transport[key]`. Transports that forward the property
 * to an inner transport through an accessor (the 2.x Node HTTP transport does) keep doing so.
 */
export function interceptHandler<K extends 'onmessage' | 'onclose'>(
  transport: Transport,
  key: K,
  wrap: (handler: NonNullable<Transport[K]>) => NonNullable<Transport[K]>,
): void {
  let owner: object | null = transport;
  let inherited: PropertyDescriptor | undefined;
  while (owner && !inherited) {
    inherited = Object.getOwnPropertyDescriptor(owner, key);
    owner = Object.getPrototypeOf(owner);
  }
  const accessor = inherited?.set ? inherited : undefined;
  let value = transport[key];
  Object.defineProperty(transport, key, {
    configurable: true,
    enumerable: true,
    get: () => (accessor?.get ? accessor.get.call(transport) : value),
    set: (handler: Transport[K]) => {
      const wrapped = handler ? wrap(handler as NonNullable<Transport[K]>) : handler;
      if (accessor?.set) accessor.set.call(transport, wrapped);
      else value = wrapped;
    },
  });
}
