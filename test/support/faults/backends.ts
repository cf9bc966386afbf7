// Fake Tempo, Loki and Prometheus OTLP backends that can go down together (their ports close, as in a
// real outage: connection refused) and come back on the same ports, for the collector to retry against.
import type { Backends } from '../kit-collector.ts';
import type { OtlpSpan } from '../sinks/otlp/decode.ts';
import { type OtlpSink, startOtlpSink } from '../sinks/otlp-sink.ts';

export interface OutageBackends {
  urls: Backends;
  /** Every span Tempo received, across its lives. */
  spans(): OtlpSpan[];
  /** Every sink instance so far, for capture scans. */
  sinks(): OtlpSink[];
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startOutageBackends(captureRoot: string): Promise<OutageBackends> {
  const all: OtlpSink[] = [];
  let current: { tempo: OtlpSink; loki: OtlpSink; prometheus: OtlpSink } | undefined;
  let life = 0;
  const ports = { tempo: 0, loki: 0, prometheus: 0 };
  const start = async () => {
    life++;
    const sink = async (name: keyof typeof ports) => {
      // A new capture folder per life, so a restarted sink never overwrites what the last one recorded.
      const started = await startOtlpSink({
        name: `${name}-${life}`,
        captureRoot,
        ...(ports[name] ? { port: ports[name] } : {}),
      });
      ports[name] = Number(new URL(started.url).port);
      all.push(started);
      return started;
    };
    current = { tempo: await sink('tempo'), loki: await sink('loki'), prometheus: await sink('prometheus') };
  };
  await start();
  const first = current as NonNullable<typeof current>;
  const down = async () => {
    if (!current) return;
    const { tempo, loki, prometheus } = current;
    current = undefined;
    await Promise.all([tempo.close(), loki.close(), prometheus.close()]);
  };
  return {
    urls: {
      tempo: first.tempo.url,
      loki: `${first.loki.url}/otlp`,
      prometheus: `${first.prometheus.url}/api/v1/otlp`,
    },
    spans: () => all.filter((sink) => sink.name.startsWith('tempo')).flatMap((sink) => sink.spans),
    sinks: () => [...all],
    down,
    async up() {
      if (!current) await start();
    },
    close: down,
  };
}
