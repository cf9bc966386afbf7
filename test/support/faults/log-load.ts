// A steady log record load for fault tests, made with the real SDK and its OTLP/HTTP exporter, in the
// manner of span-load.ts: every record carries its sequence number in the span id of its trace context
// (`<8 hex run tag><8 hex seq>`), which the collector passes untouched, so what was sent and what a fake
// Loki received are diffed record by record. `ageMs` backdates every record (a poison for a backend
// that refuses old entries).
import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordProcessor, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { steadyBatches } from './span-load.ts';

export interface LogLoad {
  tag: string;
  /** Every record's span id handed to the exporter, in order. */
  sentIds: string[];
  /** Ids of the records whose export failed after the exporter's retries. */
  failedIds: Set<string>;
  stop(): Promise<void>;
}

export function startLogLoad(options: {
  url: string;
  headers: Record<string, string>;
  recordsPerSecond: number;
  batchSize?: number;
  ageMs?: number;
}): LogLoad {
  const tag = randomBytes(4).toString('hex');
  let sequence = 0;
  let batch: ReadWriteLogRecord[] = [];
  const collect: LogRecordProcessor = {
    onEmit: (record) => void batch.push(record),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'fault-load' }),
    processors: [collect],
  });
  const logger = provider.getLogger('fault-load');
  const exporter = new OTLPLogExporter({ url: `${options.url}/v1/logs`, headers: options.headers });
  const load: LogLoad = { tag, sentIds: [], failedIds: new Set(), stop: async () => {} };
  const inFlight = new Set<Promise<void>>();
  const batchSize = options.batchSize ?? 20;

  const sendBatch = () => {
    for (let i = 0; i < batchSize; i++) {
      const spanId = `${tag}${(sequence++).toString(16).padStart(8, '0')}`;
      const context = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: randomBytes(16).toString('hex'),
        spanId,
        traceFlags: TraceFlags.SAMPLED,
      });
      logger.emit({
        body: 'upstream lookup answered',
        severityText: 'INFO',
        context,
        ...(options.ageMs ? { timestamp: Date.now() - options.ageMs } : {}),
      });
    }
    const records = batch;
    batch = [];
    const ids = records.map((record) => record.spanContext?.spanId ?? '');
    load.sentIds.push(...ids);
    const done = new Promise<void>((resolve) => {
      exporter.export(records, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) for (const id of ids) load.failedIds.add(id);
        resolve();
      });
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  const stopBatches = steadyBatches(
    options.recordsPerSecond,
    batchSize,
    () => load.sentIds.length,
    sendBatch,
  );
  load.stop = async () => {
    stopBatches();
    await Promise.all([...inFlight]);
    await exporter.shutdown();
  };
  return load;
}
