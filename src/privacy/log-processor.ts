// Privacy layer 1 for log records: the exporting processor receives a sanitized copy with allow-listed
// attributes, a scrubbed body (patterns and tainted values) and a sanitized resource.
import type { AnyValue, Attributes, Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { ATTR_MCPKIT_BODY_SCRUBBED } from '../semconv.ts';
import { type PrivacyGuard, privacyGuard } from './guard.ts';
import { sanitizeResource } from './span-processor.ts';

export function sanitizeLogRecord(record: ReadWriteLogRecord, guard: PrivacyGuard): ReadWriteLogRecord {
  const attributes: Attributes = guard.sanitizeAttributes(record.attributes, 'record');
  // The collector keeps text bodies only from records this layer scrubbed.
  if (record.body !== undefined) attributes[ATTR_MCPKIT_BODY_SCRUBBED] = true;
  const copy: ReadWriteLogRecord = {
    hrTime: record.hrTime,
    hrTimeObserved: record.hrTimeObserved,
    ...(record.spanContext ? { spanContext: record.spanContext } : {}),
    resource: sanitizeResource(record.resource, guard),
    instrumentationScope: record.instrumentationScope,
    attributes,
    ...(record.severityText !== undefined ? { severityText: record.severityText } : {}),
    ...(record.severityNumber !== undefined ? { severityNumber: record.severityNumber } : {}),
    ...(record.body !== undefined ? { body: guard.scrubValue(record.body) } : {}),
    ...(record.eventName !== undefined ? { eventName: guard.scrub(record.eventName) } : {}),
    droppedAttributesCount: record.droppedAttributesCount,
    // Setters for processors after this one; what they set is sanitized the same way.
    setAttribute(key: string, value?: AnyValue) {
      Object.assign(attributes, guard.sanitizeAttributes({ [key]: value as never }, 'record'));
      return copy;
    },
    setAttributes(more: Attributes) {
      Object.assign(attributes, guard.sanitizeAttributes(more, 'record'));
      return copy;
    },
    setBody(body: AnyValue) {
      copy.body = guard.scrubValue(body);
      attributes[ATTR_MCPKIT_BODY_SCRUBBED] = true;
      return copy;
    },
    setEventName(name: string) {
      copy.eventName = guard.scrub(name);
      return copy;
    },
    setSeverityNumber(severityNumber) {
      copy.severityNumber = severityNumber;
      return copy;
    },
    setSeverityText(severityText: string) {
      copy.severityText = severityText;
      return copy;
    },
  };
  return copy;
}

export class PrivacyLogRecordProcessor implements LogRecordProcessor {
  private readonly next: LogRecordProcessor;
  private readonly guard: PrivacyGuard;

  constructor(next: LogRecordProcessor, guard: PrivacyGuard = privacyGuard()) {
    this.next = next;
    this.guard = guard;
  }

  onEmit(record: ReadWriteLogRecord, context?: Context): void {
    this.next.onEmit(sanitizeLogRecord(record, this.guard), context);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
