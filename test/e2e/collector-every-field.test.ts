// Privacy layer 2 over the whole OTLP data model: the every-field producer (generated from the protobuf
// definitions) puts canary records into every string and bytes field, attribute list and value kind of
// every signal and metric type, over OTLP/HTTP protobuf, OTLP/HTTP JSON and OTLP/gRPC, into the real
// collector with the kit's configuration. Tempo and Loki stand-ins and the real Prometheus (behind a
// recording proxy) must hold none of it: the raw bytes each received, and what Prometheus answers
// about its series names and metadata afterwards.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CanaryRecord, type Leak, loadCanaries, NeedleScanner } from '../support/canaries.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { eventually } from '../support/eventually.ts';
import { sendEveryField } from '../support/fixtures/every-field-producer.ts';
import { type KitCollector, startKitCollector } from '../support/kit-collector.ts';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';
import { startRecordingProxy } from '../support/sinks/recording-proxy.ts';
import type { RecordingServer } from '../support/sinks/recording-server.ts';

const corpus = loadCanaries();
const records = corpus.records.slice(0, 8);
describe('privacy layer 2 against a producer that fills every field of OTLP', () => {
  const captureRoot = newCaptureRoot('every-field');
  let tempo: OtlpSink;
  let loki: OtlpSink;
  let prometheus: RunningPrometheus;
  let prometheusProxy: RecordingServer;
  let collector: KitCollector;
  const statuses: string[] = [];
  const leaks: Leak[] = [];
  let seriesNames: string[] = [];

  beforeAll(async () => {
    tempo = await startOtlpSink({ name: 'tempo', captureRoot });
    loki = await startOtlpSink({ name: 'loki', captureRoot });
    prometheus = await startPrometheus({
      config: { global: { scrape_interval: '15s' } },
      extraArgs: ['--web.enable-otlp-receiver'],
    });
    prometheusProxy = await startRecordingProxy({ name: 'prometheus', captureRoot, target: prometheus.url });
    collector = await startKitCollector({
      backends: {
        tempo: tempo.url,
        loki: `${loki.url}/otlp`,
        prometheus: `${prometheusProxy.url}/api/v1/otlp`,
      },
    });
    for (const [index, record] of records.entries())
      statuses.push(...(await sendEveryField(collector, record as CanaryRecord, index)));
    await tempo.waitFor((data) => data.spans.length >= records.length * 3);
    await loki.waitFor((data) => data.logRecords.length >= records.length * 3);
    seriesNames = await eventually(async () => {
      const names = (await fetch(`${prometheus.url}/api/v1/label/__name__/values`).then((r) => r.json())) as {
        data: string[];
      };
      return names.data.some((name) => name.startsWith('locator_every_field')) ? names.data : undefined;
    }, 60_000);
    // What Prometheus now answers about what it stores, scanned like the bytes it received.
    const answers = await Promise.all(
      ['/api/v1/label/__name__/values', '/api/v1/metadata', '/api/v1/labels'].map((api) =>
        fetch(`${prometheus.url}${api}`).then((r) => r.text()),
      ),
    );
    const scanner = new NeedleScanner(
      corpus.needles.filter((needle) => records.some((record) => record.id === needle.record)),
    );
    for (const sink of [tempo, loki, prometheusProxy])
      for (const file of readdirSync(sink.captureDir))
        leaks.push(...scanner.scan(readFileSync(path.join(sink.captureDir, file)), `${sink.name}/${file}`));
    for (const [i, answer] of answers.entries())
      leaks.push(...scanner.scan(Buffer.from(answer), `prometheus api ${i}`));
  }, 300_000);

  afterAll(async () => {
    await collector?.stop();
    await prometheus?.stop();
    await Promise.all([tempo, loki, prometheusProxy].map((sink) => sink?.close()));
  });

  it('accepts every request, over every transport', () => {
    expect(statuses.filter((status) => !/: (200|OK)$/.test(status))).toEqual([]);
    expect(statuses).toHaveLength(records.length * 9);
  });

  it('delivers what operators need: spans, logs and metrics of every type under known names', () => {
    expect(tempo.spans.length).toBeGreaterThanOrEqual(records.length * 3);
    expect(loki.logRecords.length).toBeGreaterThanOrEqual(records.length * 3);
    for (const type of ['gauge', 'sum', 'histogram', 'exponentialhistogram', 'summary'])
      expect(
        seriesNames.some((name) => name.startsWith(`locator_every_field_${type}`)),
        type,
      ).toBe(true);
  });

  it('lets none of the canaries reach Tempo, Loki or Prometheus, nor Prometheus’s names and metadata', () => {
    const byField = new Map<string, number>();
    for (const leak of leaks) {
      const key = `${leak.where.split('/')[0]} ${fieldOf(leak)}`;
      byField.set(key, (byField.get(key) ?? 0) + 1);
    }
    console.log(`every-field producer: ${leaks.length} needle occurrences`, Object.fromEntries(byField));
    expect(
      leaks
        .slice(0, 10)
        .map(
          (leak) =>
            `${fieldOf(leak)}: ${leak.needle.entity} "${leak.needle.value}" in ${leak.where}: …${leak.context}…`,
        ),
    ).toEqual([]);
  });
});

/** The field a leak was found in: the producer tags each value `[<Message>.<field>]`. */
function fieldOf(leak: Leak): string {
  const tags = [...leak.context.matchAll(/\[([A-Za-z]+\.[A-Za-z]+)\]/g)];
  // The match starts 80 characters in (or sooner, near the start of a body): the last tag before it.
  const found = leak.context.toLowerCase().indexOf(leak.needle.value.toLowerCase());
  const at = found >= 0 ? found : Math.min(80, leak.context.length);
  const before = tags.filter((tag) => (tag.index ?? 0) < at);
  return (before.at(-1) ?? tags[0])?.[1] ?? '?';
}
