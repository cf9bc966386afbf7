// Scenario 9 of the fault suite: a poison batch. While log records flow at a steady rate, a sender slips
// in records a backend refuses for good: a month old, where Loki refuses entries older than its
// `reject_old_samples_max_age` (a week by default). Loki ingests the other entries of the request and
// answers 400 ("entry with timestamp … ignored, reason: 'entry too far behind' … total ignored: N out of
// M"), which OTLP calls permanent, so the collector must not retry it; the fake Loki does the same.
// (Invalid UTF-8 and oversized values never reach a backend: privacy layer 2 cuts them, scenario 5.)
// The refused request must not block the queue behind it: every good record arrives, the records
// behind the poison included; the collector counts the refused request's records
// (otelcol_exporter_send_failed_log_records), so sent ≤ received + counted.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../../support/capture.ts';
import { drained, scrapeCollector } from '../../support/collector-metrics.ts';
import { percent, recordFigures } from '../../support/faults/figures.ts';
import { startLogLoad } from '../../support/faults/log-load.ts';
import { phaseMs, timeoutFor } from '../../support/faults/mode.ts';
import { reconcile } from '../../support/faults/span-load.ts';
import { startKitCollector } from '../../support/kit-collector.ts';
import { decodeOtlpRequest, type OtlpLogRecord } from '../../support/sinks/otlp/decode.ts';
import { type OtlpSink, startOtlpSink } from '../../support/sinks/otlp-sink.ts';

const exporter = 'otlp_http/loki';
const before = phaseMs(3_000, 30_000);
const after = phaseMs(5_000, 60_000);
const rate = 200; // records per second
const DAY_MS = 24 * 3600 * 1000;
/** Loki's default reject_old_samples_max_age. */
const MAX_AGE_NS = 7n * BigInt(DAY_MS) * 1_000_000n;

describe('a poison batch a backend refuses', () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it(
    'is dropped and counted, and the queue behind it still flows',
    async () => {
      const refused = { requests: 0, records: 0, ignored: 0 };
      const loki: OtlpSink = await startOtlpSink({
        name: 'loki',
        captureRoot: newCaptureRoot('fault-poison'),
        other: (request) => {
          if (!request.path.endsWith('/v1/logs')) return undefined;
          const { logRecords } = decodeOtlpRequest(
            'logs',
            request.body,
            String(request.headers['content-type']),
          );
          const oldest = BigInt(Date.now()) * 1_000_000n - MAX_AGE_NS;
          const tooOld = (record: OtlpLogRecord) => BigInt(record.timeUnixNano) < oldest;
          const ignored = logRecords.filter(tooOld).length;
          if (ignored === 0) return undefined;
          refused.requests++;
          refused.records += logRecords.length;
          refused.ignored += ignored;
          loki.logRecords.push(...logRecords.filter((record) => !tooOld(record)));
          return {
            status: 400,
            contentType: 'text/plain',
            body: `entry too far behind, total ignored: ${ignored} out of ${logRecords.length}`,
          };
        },
      });
      stops.push(() => loki.close());
      const backends = { tempo: loki.url, loki: `${loki.url}/otlp`, prometheus: `${loki.url}/api/v1/otlp` };
      const collector = await startKitCollector({ backends });
      stops.push(() => collector.stop());
      const sender = { url: collector.otlpHttpUrl, headers: collector.authHeaders };
      const good = startLogLoad({ ...sender, recordsPerSecond: rate });
      stops.push(() => good.stop());

      await sleep(before);
      const poison = startLogLoad({ ...sender, recordsPerSecond: 20, batchSize: 5, ageMs: 30 * DAY_MS });
      await sleep(1_000);
      await poison.stop();
      const goodBeforeAfterPhase = good.sentIds.length;
      await sleep(after);
      await good.stop();

      await drained(collector, exporter, () => loki.logRecords.length);
      const metrics = await scrapeCollector(collector);
      const sendFailed = metrics.value('otelcol_exporter_send_failed_log_records', { exporter });
      const received = loki.logRecords.map((record) => record.spanId);
      const all = reconcile([...good.sentIds, ...poison.sentIds], received);
      const goodResult = reconcile(good.sentIds, received);
      const goodAfter = good.sentIds.slice(goodBeforeAfterPhase);
      const goodAfterMissing = reconcile(goodAfter, received).missing.length;
      const counted = sendFailed + good.failedIds.size + poison.failedIds.size;

      recordFigures('9-poison-batch', {
        order: 9,
        scenario: `Month-old log records among ${rate} records/s; Loki ignores them and answers 400`,
        sent: all.sent,
        received: all.received,
        deliveredPercent: percent(all.received, all.sent),
        countedDrops: counted,
        duplicates: all.duplicates,
        notes:
          `${poison.sentIds.length} poison records sent; ${refused.requests} request(s) answered 400, holding ` +
          `${refused.records} records of which Loki ignored ${refused.ignored} and kept the rest; the collector ` +
          `counted the whole request(s) as failed to send (${sendFailed}, an overcount by ` +
          `${sendFailed - refused.ignored}) and retried none; ${goodResult.missing.length} good records missing, ` +
          `${goodAfterMissing} of the ${goodAfter.length} sent after the poison; queue afterwards: ` +
          `${metrics.value('otelcol_exporter_queue_size', { exporter })} bytes`,
      });

      expect(collector.alive()).toBe(true);
      expect(refused.ignored, 'the poison reached the backend and was ignored').toBe(poison.sentIds.length);
      expect(refused.requests, 'a permanent error is not retried').toBeLessThanOrEqual(poison.sentIds.length);
      expect(goodAfterMissing, 'the records behind the poison arrive').toBe(0);
      expect(goodResult.missing, 'no good record is lost').toEqual([]);
      expect(sendFailed, 'the refused requests are counted whole').toBe(refused.records);
      expect(all.received + counted, 'sent ≤ received + counted').toBeGreaterThanOrEqual(all.sent);
    },
    timeoutFor(before + after),
  );
});
