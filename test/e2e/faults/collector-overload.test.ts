// Scenario 4 of the fault suite: three times a sustainable rate into the collector. The memory limiters
// of collector/config.yaml (an extension on the receivers, which refuses a request before decoding it,
// and the first processor of every pipeline) refuse data with a retryable status before the collector
// runs out of memory; the senders' OTLP exporters retry; whatever is lost in the end is counted, by the
// senders (failed exports) or by the collector (refused spans).
//
// The test lowers the memory limit, only here and only through a --config overlay that merges over the
// shared file: limit_mib replaces limit_percentage, which on this machine would mean gigabytes.
//
// It also checks that the refusals the probe saw are counted in the series the alert
// OtelcolMemoryLimiterRefusing reads, as the collector exposes them to Prometheus. The same scenario runs
// over OTLP/HTTP and over OTLP/gRPC (senders and probe alike): the two receivers refuse differently
// (429/503 against RESOURCE_EXHAUSTED/UNAVAILABLE) and are counted in different series.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, Client as GrpcClient, status as GrpcStatus, Metadata } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rssBytes } from '../../support/binary.ts';
import { newCaptureRoot } from '../../support/capture.ts';
import { scrapeCollector } from '../../support/collector-metrics.ts';
import { percent, recordFigures } from '../../support/faults/figures.ts';
import { phaseMs, timeoutFor } from '../../support/faults/mode.ts';
import { reconcile, type SpanLoad, startSpanLoad } from '../../support/faults/span-load.ts';
import { type KitCollector, startKitCollector } from '../../support/kit-collector.ts';
import { EXPORT_REQUESTS, otlpRoot } from '../../support/otlp-fields.ts';
import { type OtlpSink, startOtlpSink } from '../../support/sinks/otlp-sink.ts';

const limitMib = 64;
const spikeMib = 16;
// Spans per second, each with a 4 KiB attribute, in requests of 250 spans (1 MiB): no refusal at this
// rate. At 1,500 spans/s in 2 MiB requests the heap crossed the soft limit once at the base rate on a
// busy machine (CI rehearsal, 2026-12-07), so the base is lower and lighter and the overload is raised
// until refused instead.
const sustainable = 1_000;
const baseBatch = 250;
// At most 20 senders while the limiters have not refused yet (a quiet machine absorbed 12 senders of
// 2 KiB spans with the faster layer 2, so spans are now 4 KiB).
const maxSenders = 20;
const paddingBytes = 4096;
// The senders that join while nothing is refused make heavier requests: 800 spans of 4 KiB, under the
// receivers' 4 MiB request limit (collector/config.yaml), so each one holds more of the heap at once.
const heavyBatch = 800;
const baselineMs = phaseMs(4_000, 60_000);
/** Ten minutes over OTLP/HTTP in long mode (the memory limiter's endurance run), three over gRPC. */
const overloadMsFor = (protocol: Protocol) => phaseMs(10_000, protocol === 'OTLP/HTTP' ? 600_000 : 180_000);
// How much longer the overload goes on while the limiters have refused nothing yet: a quiet machine
// absorbed 13 senders for 10 s (CI, 2026-12-07), so the phase ends on the first refusal, not on a clock.
const untilRefusedMs = 60_000;
const mib = 1024 * 1024;
// Both memory limiters of collector/config.yaml (the receivers' extension and the pipelines' processor).
const lowLimit = {
  check_interval: '100ms',
  limit_mib: limitMib,
  spike_limit_mib: spikeMib,
  limit_percentage: 0,
  spike_limit_percentage: 0,
};

/** The expression of the alert that must fire while a memory limiter refuses data. */
function memoryLimiterAlertExpr(): string {
  const file = parse(
    readFileSync(new URL('../../../prometheus/rules/pipeline.rules.yml', import.meta.url), 'utf8'),
  ) as { groups: { rules: { alert?: string; expr: string }[] }[] };
  const rule = file.groups
    .flatMap((group) => group.rules)
    .find((candidate) => candidate.alert === 'OtelcolMemoryLimiterRefusing');
  return rule?.expr ?? '';
}

type Protocol = 'OTLP/HTTP' | 'OTLP/gRPC';

/** One small, valid span: an empty request never reaches the pipeline, so it is never refused. */
const probeSpan = {
  resourceSpans: [
    {
      scopeSpans: [
        {
          spans: [
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              name: 'probe',
              startTimeUnixNano: '1',
              endTimeUnixNano: '2',
            },
          ],
        },
      ],
    },
  ],
};

/**
 * Sends the probe span the way a sender of this protocol would; resolves to what a refusal looks like
 * to it (an HTTP status, a gRPC status name), or undefined when it was accepted.
 */
function prober(
  protocol: Protocol,
  collector: KitCollector,
): { probe(): Promise<string | undefined>; close(): void } {
  if (protocol === 'OTLP/HTTP') {
    const body = JSON.stringify(probeSpan);
    return {
      async probe() {
        const response = await fetch(`${collector.otlpHttpUrl}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...collector.authHeaders },
          body,
        }).catch(() => undefined);
        await response?.body?.cancel();
        return response && response.status !== 200 ? String(response.status) : undefined;
      },
      close() {},
    };
  }
  const TraceRequest = otlpRoot().lookupType(EXPORT_REQUESTS.traces);
  const bytes = Buffer.from(
    TraceRequest.encode(
      TraceRequest.fromObject({
        resourceSpans: probeSpan.resourceSpans.map((resourceSpans) => ({
          scopeSpans: resourceSpans.scopeSpans.map((scopeSpans) => ({
            spans: scopeSpans.spans.map((span) => ({
              ...span,
              traceId: Buffer.from(span.traceId, 'hex'),
              spanId: Buffer.from(span.spanId, 'hex'),
            })),
          })),
        })),
      }),
    ).finish(),
  );
  const client = new GrpcClient(collector.otlpGrpcAddress, credentials.createInsecure());
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(collector.authHeaders)) metadata.set(key, value);
  return {
    probe: () =>
      new Promise((resolve) => {
        client.makeUnaryRequest(
          '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          (body: Buffer) => body,
          (body: Buffer) => body,
          bytes,
          metadata,
          { deadline: Date.now() + 10_000 },
          (error) => resolve(error ? (GrpcStatus[error.code] as string) : undefined),
        );
      }),
    close: () => client.close(),
  };
}

describe('the collector under three times a sustainable load', () => {
  let sink: OtlpSink | undefined;
  let collector: KitCollector | undefined;
  const loads: SpanLoad[] = [];

  afterEach(async () => {
    await Promise.all(loads.splice(0).map((load) => load.stop()));
    await collector?.stop();
    await sink?.close();
  });

  const overload = async (protocol: Protocol) => {
    sink = await startOtlpSink({ name: 'tempo', captureRoot: newCaptureRoot('fault-overload') });
    const tempo = sink;
    const running = await startKitCollector({
      backends: { tempo: sink.url, loki: `${sink.url}/otlp`, prometheus: `${sink.url}/api/v1/otlp` },
      overlays: [
        {
          extensions: { memory_limiter: lowLimit },
          processors: { memory_limiter: lowLimit },
        },
      ],
      // As compose sets it (collector/README.md): the Go runtime's soft limit at the limiters' hard limit.
      env: { GOMEMLIMIT: `${limitMib}MiB` },
    });
    collector = running;
    const sender = (spansPerSecond: number, batchSize = baseBatch) => {
      const load = startSpanLoad({
        url: running.otlpHttpUrl,
        ...(protocol === 'OTLP/gRPC' ? { grpcAddress: running.otlpGrpcAddress } : {}),
        headers: running.authHeaders,
        spansPerSecond,
        batchSize,
        padding: paddingBytes,
        timeoutMillis: phaseMs(10_000, 30_000),
      });
      loads.push(load);
      return load;
    };

    // Sustainable: one sender at the base rate, nothing refused.
    const baseline = sender(sustainable);
    await sleep(baselineMs);
    const refusedAtBaseline = (await scrapeCollector(running)).value('otelcol_receiver_refused_spans');

    // Overload: two more senders at the same rate, three times the load, while sampling memory and
    // probing the status a refused sender sees. A fast, idle machine absorbs three times the base rate
    // without reaching the limit, so while nothing has been refused one more sender of heavier requests
    // joins every second, up to maxSenders, and the phase lasts until the first refusal (at most
    // untilRefusedMs more): the scenario is the collector past its limit, whatever the machine.
    const extra = [sender(sustainable), sender(sustainable)];
    let refusalSeen = false;
    let heapMax = 0;
    let rssMax = 0;
    const probeRefusals = new Map<string, number>(); // status -> how many probes got it
    const until = Date.now() + overloadMsFor(protocol);
    const deadline = until + untilRefusedMs;
    const overloading = () => Date.now() < until || (!refusalSeen && Date.now() < deadline);
    const overloadStarted = Date.now();
    const sentAtOverload = baseline.sentIds.length;
    const probing = prober(protocol, running);
    let heapSamples = 0;
    // Memory is sampled on its own loop, so a slow probe never leaves a gap in the samples.
    const sampler = (async () => {
      while (overloading()) {
        rssMax = Math.max(rssMax, rssBytes(running.pid));
        const metrics = await scrapeCollector(running).catch(() => undefined);
        if (metrics) {
          heapSamples++;
          heapMax = Math.max(heapMax, metrics.value('otelcol_process_runtime_heap_alloc_bytes'));
          refusalSeen ||=
            metrics.value('otelcol_receiver_refused_spans') > 0 ||
            metrics.value('http_server_request_duration', { http_response_status_code: '429' }) > 0 ||
            metrics.value('rpc_server_call_duration', { rpc_response_status_code: 'RESOURCE_EXHAUSTED' }) > 0;
        }
        await sleep(250);
      }
    })();
    const escalation = (async () => {
      while (overloading() && !refusalSeen && probeRefusals.size === 0 && extra.length < maxSenders - 1) {
        await sleep(1_000);
        if (!refusalSeen && probeRefusals.size === 0) extra.push(sender(sustainable, heavyBatch));
      }
    })();
    while (overloading()) {
      const refusal = await probing.probe();
      if (refusal) probeRefusals.set(refusal, (probeRefusals.get(refusal) ?? 0) + 1);
      await sleep(200);
    }
    probing.close();
    await Promise.all([sampler, escalation]);
    const overloadSeconds = (Date.now() - overloadStarted) / 1000;
    const offeredRate =
      (baseline.sentIds.length - sentAtOverload + extra.reduce((sum, load) => sum + load.sentIds.length, 0)) /
      overloadSeconds;
    await Promise.all([baseline, ...extra].map((load) => load.stop()));
    const refusalLog = running.logs().match(/above soft limit|refusing data|data refused/gi)?.length ?? 0;

    // Let the queues drain, then reconcile every sender's span ids with what Tempo received.
    const sentIds = [baseline, ...extra].flatMap((load) => load.sentIds);
    const senderDrops = [baseline, ...extra].reduce((sum, load) => sum + load.failedIds.size, 0);
    await tempo
      .waitFor(
        () =>
          reconcile(
            sentIds,
            tempo.spans.map((span) => span.spanId),
          ).missing.length <= senderDrops,
        120_000,
      )
      .catch(() => {});
    const metrics = await scrapeCollector(running);
    const result = reconcile(
      sentIds,
      tempo.spans.map((span) => span.spanId),
    );
    const refused = metrics.value('otelcol_receiver_refused_spans');
    const grpc = protocol === 'OTLP/gRPC';
    // The receivers' memory limiter refuses whole requests before they are decoded, so no span count
    // exists for them; the collector's server metrics count the answers (HTTP 429 in the histogram
    // http_server_request_duration, gRPC RESOURCE_EXHAUSTED in rpc_server_call_duration, whose _count
    // series the alert reads).
    const refusedRequests = grpc
      ? metrics.value('rpc_server_call_duration', { rpc_response_status_code: 'RESOURCE_EXHAUSTED' })
      : metrics.value('http_server_request_duration', { http_response_status_code: '429' });
    // The pipelines' memory limiter counts the decoded spans it refuses (the receiver answers 503).
    const processorRefused = metrics.value('otelcol_processor_memory_limiter_refused_spans');
    const collectorDrops =
      metrics.value('otelcol_exporter_enqueue_failed_spans', { exporter: 'otlp_http/tempo' }) +
      metrics.value('otelcol_exporter_send_failed_spans', { exporter: 'otlp_http/tempo' });
    const undecodedStatus = grpc ? 'RESOURCE_EXHAUSTED' : '429';
    const decodedStatus = grpc ? 'UNAVAILABLE' : '503';
    recordFigures(grpc ? '4-collector-overload-grpc' : '4-collector-overload', {
      order: 4,
      scenario: `3× load or more (${3 * sustainable} spans/s of ${paddingBytes / 1024} KiB spans, raised until refused) over ${protocol} into a collector limited to ${limitMib} MiB`,
      sent: result.sent,
      received: result.received,
      deliveredPercent: percent(result.received, result.sent),
      countedDrops: senderDrops + collectorDrops,
      duplicates: result.duplicates,
      notes:
        `${1 + extra.length} senders (${Math.max(0, extra.length - 2)} of ${heavyBatch}-span requests); offered ${offeredRate.toFixed(0)} spans/s for ${overloadSeconds.toFixed(0)}s after ${sustainable} spans/s without a refusal; ` +
        `${refusedRequests} requests refused undecoded (${undecodedStatus}) by the receivers' memory limiter, ${refused} spans refused by ` +
        `the pipelines' (probe saw: ${[...probeRefusals].map(([status, count]) => `${count}× ${status}`).join(', ') || 'no refusal'}), ` +
        `${refusalLog} refusal log lines; senders gave up on ${senderDrops} spans ${grpc ? 'at once (the JS gRPC exporter never retries)' : 'after retrying'}; ` +
        (heapSamples > 0
          ? `heap max ${(heapMax / mib).toFixed(0)} MiB over ${heapSamples} samples (limit ${limitMib})`
          : 'heap not sampled (metrics endpoint too slow under load)') +
        `, RSS max ${(rssMax / mib).toFixed(0)} MiB`,
    });

    expect(refusedAtBaseline, 'the base rate is sustainable: nothing refused').toBe(0);
    expect(running.alive(), 'the collector did not die').toBe(true);
    expect(refused + refusedRequests, 'the memory limiters refused data').toBeGreaterThan(0);
    // Retryable, so a sender backs off and tries again rather than dropping at once.
    for (const status of probeRefusals.keys()) expect([undecodedStatus, decodedStatus]).toContain(status);
    // Every refusal the probe saw is counted in a series OtelcolMemoryLimiterRefusing reads, so the
    // alert cannot stay silent while a limiter refuses.
    const alertExpr = memoryLimiterAlertExpr();
    expect(alertExpr).toContain(
      grpc
        ? 'rpc_server_call_duration_count{job="otelcol",rpc_response_status_code="RESOURCE_EXHAUSTED"}'
        : 'http_server_request_duration_count{job="otelcol",http_response_status_code="429"}',
    );
    expect(alertExpr).toContain('otelcol_processor_memory_limiter_refused_(spans|');
    expect(
      refusedRequests,
      `the probe's ${undecodedStatus} answers are counted where the alert reads them`,
    ).toBeGreaterThanOrEqual(probeRefusals.get(undecodedStatus) ?? 0);
    expect(
      processorRefused,
      `the probe's ${decodedStatus} answers are counted where the alert reads them`,
    ).toBeGreaterThanOrEqual(probeRefusals.get(decodedStatus) ?? 0);
    expect(refusedRequests + processorRefused, 'the alert has refusals to read').toBeGreaterThan(0);
    // Memory is reported, not asserted: on a saturated 2-core machine the metrics endpoint is often not
    // sampled in time (heapSamples), so a bound checked on it would be noise. See docs/reliability.md.
    expect(result.missing.length, 'spans missing but not counted as dropped').toBeLessThanOrEqual(
      senderDrops + collectorDrops,
    );
  };

  it(
    'refuses with a retryable status over OTLP/HTTP, stays alive, and counts what it lost',
    () => overload('OTLP/HTTP'),
    timeoutFor(baselineMs + overloadMsFor('OTLP/HTTP') + untilRefusedMs),
  );

  it(
    'does the same over OTLP/gRPC',
    () => overload('OTLP/gRPC'),
    timeoutFor(baselineMs + overloadMsFor('OTLP/gRPC') + untilRefusedMs),
  );
});
