// Every field of the OTLP data model that the three export requests reach, read from the vendored
// protobuf definitions (test/support/otlp-proto, opentelemetry-proto v1.11.0) rather than from a list
// anyone remembers: the privacy table in docs/privacy.md and the every-field producer both follow it.
import path from 'node:path';
import protobuf from 'protobufjs';

export const EXPORT_REQUESTS = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
} as const;

export type OtlpSignal = keyof typeof EXPORT_REQUESTS;

export interface OtlpField {
  /** `<Message>.<field>` with the message's name after `opentelemetry.proto.`, e.g. `trace.v1.Span.name`. */
  path: string;
  field: protobuf.Field;
}

let loaded: protobuf.Root | undefined;

/** The OTLP protobuf definitions, resolved. */
export function otlpRoot(): protobuf.Root {
  if (loaded) return loaded;
  const dir = path.join(import.meta.dirname, 'otlp-proto');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(dir, target);
  root.loadSync([
    'opentelemetry/proto/collector/trace/v1/trace_service.proto',
    'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
    'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  ]);
  root.resolveAll();
  loaded = root;
  return root;
}

/** The short name of a message type, as the privacy table writes it. */
export function shortName(type: protobuf.Type): string {
  return type.fullName.replace(/^\.opentelemetry\.proto\./, '');
}

/** Every field every export request reaches, each once, in the order of a depth-first walk. */
export function otlpFields(): OtlpField[] {
  const root = otlpRoot();
  const seen = new Set<string>();
  const fields: OtlpField[] = [];
  const walk = (type: protobuf.Type) => {
    if (seen.has(type.fullName)) return;
    seen.add(type.fullName);
    for (const field of type.fieldsArray) {
      field.resolve();
      // The export request envelopes themselves carry nothing but their one list.
      if (!type.fullName.includes('.collector.'))
        fields.push({ path: `${shortName(type)}.${field.name}`, field });
      if (field.resolvedType instanceof protobuf.Type) walk(field.resolvedType);
    }
  };
  for (const name of Object.values(EXPORT_REQUESTS)) walk(root.lookupType(name));
  return fields;
}
