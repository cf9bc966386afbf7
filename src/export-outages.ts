// Export outages, logged once each (issue #20). With the collector away, the SDK reports every failed
// batch to its global error handler (one line per batch when OTEL_LOG_LEVEL shows them, nothing at all
// when it is unset), so an operator saw either a flood or a silence. The kit watches each exporter's
// results instead: the first failure of a signal is one line on stderr, naming the error and the metric
// that counts what is given up; the first success after it is one line saying how long it lasted and how
// many exports failed. Failures the SDK reports in between are not logged again: they are counted on the
// semantic conventions' self-observability metrics (otel.sdk.processor.*.processed and
// otel.sdk.exporter.*.exported, with error.type), which startTelemetry() enables.
//
// Nothing in the SDK collapses its export errors this way; the watch is a Proxy so each exporter keeps
// every method and option of its own (the metric reader asks the exporter for temporality and aggregation).
import { DiagLogLevel } from '@opentelemetry/api';
import {
  diagLogLevelFromString,
  type ExportResult,
  ExportResultCode,
  getStringFromEnv,
  loggingErrorHandler,
} from '@opentelemetry/core';

export type TelemetrySignal = 'traces' | 'metrics' | 'logs';

/** Where each signal's losses are counted, named in the line that opens an outage. */
const LOSS_COUNTER: Record<TelemetrySignal, string> = {
  traces: 'otel.sdk.processor.span.processed',
  logs: 'otel.sdk.processor.log.processed',
  metrics: 'otel.sdk.exporter.metric_data_point.exported',
};

interface Outage {
  since: number;
  failedExports: number;
}

interface Exporter {
  export(items: never, resultCallback: (result: ExportResult) => void): void;
}

/** One line of an error: its class and the first line of its message, short (no stack, no payload). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'export failed';
  const message = error.message.split('\n', 1)[0]?.slice(0, 160) ?? '';
  return message ? `${error.name}: ${message}` : error.name;
}

/** Outage lines are warnings: shown unless OTEL_LOG_LEVEL asks for errors only or nothing. */
function warningsShown(): boolean {
  const level = getStringFromEnv('OTEL_LOG_LEVEL');
  const parsed = level ? diagLogLevelFromString(level) : undefined;
  return parsed === undefined || parsed >= DiagLogLevel.WARN;
}

export class ExportOutages {
  private readonly outages = new Map<TelemetrySignal, Outage>();
  /** SDK error reports held back while an outage was open, told in the next recovery line. */
  private heldBack = 0;
  private readonly fallback = loggingErrorHandler();
  private readonly write: (line: string) => void;
  private readonly now: () => number;

  constructor(
    write: (line: string) => void = (line) => {
      if (warningsShown()) process.stderr.write(`${line}\n`);
    },
    now: () => number = Date.now,
  ) {
    this.write = write;
    this.now = now;
  }

  /** The exporter, unchanged except that its results are watched. */
  watch<T extends Exporter>(signal: TelemetrySignal, exporter: T): T {
    return new Proxy(exporter, {
      get: (target, property, receiver) => {
        if (property === 'export')
          return (items: never, resultCallback: (result: ExportResult) => void) =>
            target.export(items, (result) => {
              this.observe(signal, result);
              resultCallback(result);
            });
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Whether some signal's exports are failing now. */
  get ongoing(): boolean {
    return this.outages.size > 0;
  }

  observe(signal: TelemetrySignal, result: ExportResult): void {
    const outage = this.outages.get(signal);
    if (result.code === ExportResultCode.SUCCESS) {
      if (!outage) return;
      this.outages.delete(signal);
      const seconds = Math.round((this.now() - outage.since) / 1000);
      const heldBack = this.heldBack > 0 ? `; ${this.heldBack} SDK error report(s) held back` : '';
      this.heldBack = 0;
      this.write(
        `mcp-telemetry-kit: ${signal} export recovered after ${outage.failedExports} failed export(s) over ${seconds} s${heldBack}`,
      );
      return;
    }
    if (outage) {
      outage.failedExports += 1;
      return;
    }
    this.outages.set(signal, { since: this.now(), failedExports: 1 });
    this.write(
      `mcp-telemetry-kit: ${signal} export failing (${describe(result.error)}); what is given up is counted on ` +
        `${LOSS_COUNTER[signal]}{error.type}; one line again when it recovers`,
    );
  }

  /**
   * The SDK's global error handler: while an outage is open, its reports (each failed batch, each
   * timed-out metric export) are the outage's, already logged once and counted; anything else is logged as
   * the SDK's own handler does.
   */
  readonly handleError = (error: unknown): void => {
    if (this.ongoing) {
      this.heldBack += 1;
      return;
    }
    this.fallback(error as Parameters<typeof this.fallback>[0]);
  };
}
