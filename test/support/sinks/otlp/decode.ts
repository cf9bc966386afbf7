// Decodes OTLP export request bodies (protobuf or JSON) into flat records that tests can assert on.
import type protobuf from 'protobufjs';
import { EXPORT_REQUESTS, otlpRoot } from '../../otlp-fields.ts';

export type Signal = 'traces' | 'metrics' | 'logs';
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  traceState: string;
  parentSpanId: string;
  kind: number;
  attributes: Attributes;
  resource: Attributes;
  scope: { name: string; version: string };
  events: { name: string; attributes: Attributes }[];
  links: { traceId: string; spanId: string; traceState: string; attributes: Attributes }[];
  status: { code: number; message: string };
}

export interface OtlpDataPoint {
  metric: string;
  description: string;
  unit: string;
  type: 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
  attributes: Attributes;
  resource: Attributes;
  scope: { name: string; version: string };
  /** Gauge and sum value; histogram and summary count. */
  value: number;
}

export interface OtlpLogRecord {
  body: AttributeValue;
  severityNumber: number;
  severityText: string;
  attributes: Attributes;
  resource: Attributes;
  scope: { name: string; version: string };
  traceId: string;
  spanId: string;
  /** When the event happened, nanoseconds since the epoch (0: not set), as a decimal string. */
  timeUnixNano: string;
}

export interface DecodedRequest {
  spans: OtlpSpan[];
  dataPoints: OtlpDataPoint[];
  logRecords: OtlpLogRecord[];
}

// The vendored OTLP definitions (test/support/otlp-proto), the same the every-field producer walks.
const requestTypes: Record<Signal, protobuf.Type> = {
  traces: otlpRoot().lookupType(EXPORT_REQUESTS.traces),
  metrics: otlpRoot().lookupType(EXPORT_REQUESTS.metrics),
  logs: otlpRoot().lookupType(EXPORT_REQUESTS.logs),
};

// Loosely typed on purpose: the same walker reads protobufjs objects and OTLP/JSON, which differ only
// in how ids (base64 vs hex) and 64-bit integers (string vs number) are written.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

export function decodeOtlpRequest(signal: Signal, body: Uint8Array, contentType: string): DecodedRequest {
  const json = contentType.includes('json');
  const message: Json = json
    ? JSON.parse(Buffer.from(body).toString('utf8'))
    : requestTypes[signal].toObject(requestTypes[signal].decode(body), {
        longs: String,
        bytes: String,
        oneofs: false,
      });
  const id = (value: unknown) =>
    typeof value !== 'string' ? '' : json ? value : Buffer.from(value, 'base64').toString('hex');
  const result: DecodedRequest = { spans: [], dataPoints: [], logRecords: [] };

  for (const rs of message.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        result.spans.push({
          name: span.name ?? '',
          traceId: id(span.traceId),
          spanId: id(span.spanId),
          traceState: span.traceState ?? '',
          parentSpanId: id(span.parentSpanId),
          kind: Number(span.kind ?? 0),
          attributes: attributes(span.attributes),
          resource: attributes(rs.resource?.attributes),
          scope: scope(ss.scope),
          events: (span.events ?? []).map((e: Json) => ({
            name: e.name ?? '',
            attributes: attributes(e.attributes),
          })),
          links: (span.links ?? []).map((l: Json) => ({
            traceId: id(l.traceId),
            spanId: id(l.spanId),
            traceState: l.traceState ?? '',
            attributes: attributes(l.attributes),
          })),
          status: { code: Number(span.status?.code ?? 0), message: span.status?.message ?? '' },
        });
      }
    }
  }
  for (const rm of message.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const type = (['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const).find(
          (t) => metric[t],
        );
        if (!type) continue;
        for (const point of metric[type].dataPoints ?? []) {
          result.dataPoints.push({
            metric: metric.name ?? '',
            description: metric.description ?? '',
            unit: metric.unit ?? '',
            type,
            attributes: attributes(point.attributes),
            resource: attributes(rm.resource?.attributes),
            scope: scope(sm.scope),
            value: Number(point.asDouble ?? point.asInt ?? point.count ?? 0),
          });
        }
      }
    }
  }
  for (const rl of message.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const record of sl.logRecords ?? []) {
        result.logRecords.push({
          body: anyValue(record.body),
          severityNumber: Number(record.severityNumber ?? 0),
          severityText: record.severityText ?? '',
          attributes: attributes(record.attributes),
          resource: attributes(rl.resource?.attributes),
          scope: scope(sl.scope),
          traceId: id(record.traceId),
          spanId: id(record.spanId),
          timeUnixNano: String(record.timeUnixNano ?? '0'),
        });
      }
    }
  }
  return result;
}

function scope(value: Json): { name: string; version: string } {
  return { name: value?.name ?? '', version: value?.version ?? '' };
}

function attributes(list: Json): Attributes {
  return Object.fromEntries((list ?? []).map((kv: Json) => [kv.key, anyValue(kv.value)]));
}

function anyValue(value: Json): AttributeValue {
  if (value == null) return null;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('bytesValue' in value) return String(value.bytesValue);
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(anyValue);
  if ('kvlistValue' in value) return attributes(value.kvlistValue.values);
  return null;
}
