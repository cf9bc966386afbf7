// The privacy proof (docs/privacy.md): `npm run canary [-- --records N --corpus FILE --capture DIR]`:
// the project's generated corpus (N records, default 200), with FILE's (or MCP_KIT_CANARIES's) beside it.
//
// Every record of the canary corpus goes through every channel into the real collector running the kit's
// configuration with every overlay on: the instrumented MCP path (a careless server using the library,
// so both privacy layers apply), a foreign producer that follows no kit rule (layer 2 alone), the
// every-field producer generated from the OTLP definitions (every field, every transport), and the
// vendor SDK bridges: @sentry/node (the careless code reports to Sentry), agentcat with a project id and
// mcpcat telemetry-only (tracking the careless server), and dd-trace as the tracer (in a process of its
// own, test/canary/datadog-channel.ts). The raw decompressed bytes each backend received (fake Tempo,
// Loki, Sentry and mcpcat/agentcat API; the real Prometheus behind a recording proxy) are scanned with
// the corpus's matching rules, and so are Prometheus's answers about what it stores (series and label
// names, metadata). Prints per-sink, per-channel and per-entity results; the last line is a
// JSON summary. Exits 1 on any leak, on any sink that received nothing, or on a fake Datadog agent or
// vendor diagnostics intake that received anything (no SDK may phone home).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as Sentry from '@sentry/node';
import { startMcpcatBridge, startTelemetry } from '../../src/index.ts';
import { type CanaryRecord, type Leak, loadCanaries, NeedleScanner } from '../support/canaries.ts';
import { isGeneratedRecordId } from '../support/canary-corpus.ts';
import { scrapeCollector } from '../support/collector-metrics.ts';
import { carelessSentry } from '../support/fixtures/careless-sentry.ts';
import { pushRecordThroughMcp, startEmptyUpstream } from '../support/fixtures/careless-server.ts';
import { sendEveryField } from '../support/fixtures/every-field-producer.ts';
import { foreignTelemetry } from '../support/fixtures/foreign-producer.ts';
import { type KitCollector, startKitCollector } from '../support/kit-collector.ts';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';
import { startRecordingProxy } from '../support/sinks/recording-proxy.ts';
import { type RecordingServer, startRecordingServer } from '../support/sinks/recording-server.ts';
import { startSentrySink } from '../support/sinks/sentry-sink.ts';

export interface SinkResult {
  requests: number;
  bytes: number;
  leaks: number;
}

export interface CanarySummary {
  canaries: number;
  needles: number;
  /** Records, needles and leaks of each corpus: the generated one, and the external one if added. */
  corpora: Record<string, { records: number; needles: number; leaks: number }>;
  sinks: Record<string, SinkResult>;
  /** What each vendor bridge delivered (so a channel that silently did nothing shows). */
  channels: Record<string, number>;
  /** Requests received by endpoints no SDK may call (a Datadog agent, the vendor diagnostics intake). */
  phoneHome: Record<string, number>;
  leaks: number;
  entities: Record<string, number>;
  /** Within one MCP session every span carries the same session pseudonym, and sessions differ. */
  pseudonymsJoin: boolean;
  collector: { cpuSeconds: number; rssMiB: number };
  captureDir: string;
}

/**
 * Waits until the sinks in `quiet` have received nothing new for `quietMs` and every sink in `fed` has
 * received something. Prometheus is fed but never quiet: span metrics are flushed to it periodically.
 */
async function settle(
  quiet: RecordingServer[],
  fed: RecordingServer[],
  quietMs = 2000,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const count = quiet.reduce((total, sink) => total + sink.requests.length, 0);
    if (count !== last) {
      last = count;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs && fed.every((sink) => sink.requests.length > 0)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function collectorUsage(collector: KitCollector): Promise<{ cpuSeconds: number; rssMiB: number }> {
  const metrics = await scrapeCollector(collector);
  return {
    cpuSeconds: Number(metrics.value('otelcol_process_cpu_seconds').toFixed(2)),
    rssMiB: Number((metrics.value('otelcol_process_memory_rss') / 1024 / 1024).toFixed(1)),
  };
}

export async function runCanary(
  options: { corpus?: string; records?: number; capture?: string } = {},
): Promise<{
  summary: CanarySummary;
  leaks: Leak[];
}> {
  const corpus = loadCanaries({ external: options.corpus, records: options.records });
  const captureDir = options.capture ?? path.join(tmpdir(), `mcp-kit-canary-${Date.now()}`);
  mkdirSync(captureDir, { recursive: true });
  // The corpus as it ran, kept with the captures (the dd-trace channel reads it too).
  const corpusFile = path.join(captureDir, 'corpus.json');
  writeFileSync(corpusFile, JSON.stringify(corpus));

  const tempo: OtlpSink = await startOtlpSink({ name: 'tempo', captureRoot: captureDir });
  const loki: OtlpSink = await startOtlpSink({ name: 'loki', captureRoot: captureDir });
  const sentry = await startSentrySink({ captureRoot: captureDir, publicKey: 'canarysentrykey' });
  const prometheus: RunningPrometheus = await startPrometheus({
    config: { global: { scrape_interval: '15s' } },
    extraArgs: ['--web.enable-otlp-receiver'],
  });
  const prometheusProxy = await startRecordingProxy({
    name: 'prometheus',
    captureRoot: captureDir,
    target: prometheus.url,
  });
  // The mcpcat/agentcat analytics API (agentcat with a project id sends here), and endpoints nothing may
  // call: a Datadog agent (dd-trace exports OTLP to the collector) and the vendor's diagnostics intake.
  const vendor = await startRecordingServer({
    name: 'mcpcat-vendor',
    captureRoot: captureDir,
    handler: () => ({ status: 200, contentType: 'application/json', body: '{}' }),
  });
  const phoneHome = await startRecordingServer({
    name: 'phone-home',
    captureRoot: captureDir,
    handler: () => ({ status: 200 }),
  });
  const collector = await startKitCollector({
    backends: {
      tempo: tempo.url,
      loki: `${loki.url}/otlp`,
      prometheus: `${prometheusProxy.url}/api/v1/otlp`,
    },
    overlays: ['collector/overlays/sentry.yaml'],
    env: { SENTRY_OTLP_TRACES_ENDPOINT: sentry.tracesEndpoint, SENTRY_PUBLIC_KEY: sentry.publicKey },
  });

  // The instrumented path: the library's default exporters, pointed at the collector as a user would.
  Object.assign(process.env, collector.sdkEnv);
  process.env.OTEL_RESOURCE_ATTRIBUTES = `operator.email=${corpus.records[0]?.searcher.email ?? ''}`;
  process.env.SENTRY_DSN = sentry.dsn;
  process.env.AGENTCAT_API_URL = vendor.url;
  process.env.MCPCAT_API_URL = vendor.url;
  process.env.DIAGNOSTICS_ENDPOINT = phoneHome.url;
  process.env.DD_TRACE_AGENT_URL = phoneHome.url;

  // The dd-trace channel runs beside the main one, in its own process.
  const datadogChannel = new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('./datadog-channel.ts', import.meta.url)), '--corpus', corpusFile],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(code) : reject(new Error(`dd-trace channel exited ${code}`)),
    );
  });

  const telemetry = startTelemetry({
    serviceName: 'canary-careless-server',
    pseudonymKey: 'canary-pseudonym-key-0123456789abcdef',
  });
  await telemetry.ready();
  const agentcat = await startMcpcatBridge({ package: 'agentcat', projectId: 'proj_canary' });
  const mcpcat = await startMcpcatBridge({ package: 'mcpcat' });
  const upstream = await startEmptyUpstream();

  let everyFieldRequests = 0;
  const started = Date.now();
  for (const [index, record] of corpus.records.entries()) {
    // A large corpus takes many minutes: say how far it got, on stderr (stdout ends with the summary).
    if (index > 0 && index % 100 === 0)
      console.error(
        `canary: ${index}/${corpus.records.length} records through every channel (${Math.round((Date.now() - started) / 1000)} s)`,
      );
    const bridge = index % 2 === 0 ? agentcat : mcpcat;
    await pushRecordThroughMcp(record, upstream.url, {
      track: (server) => bridge.track(server),
      ...carelessSentry(Sentry, record),
    });
    for (const [signal, body] of Object.entries(foreignTelemetry(record as CanaryRecord, index))) {
      const response = await fetch(`${collector.otlpHttpUrl}/v1/${signal}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...collector.authHeaders },
        body: JSON.stringify(body),
      });
      if (response.status !== 200) throw new Error(`collector refused foreign ${signal}: ${response.status}`);
    }
    // The careless producer generated from the OTLP data model: every field, every transport.
    const refused = (await sendEveryField(collector, record as CanaryRecord, index)).filter(
      (status) => !/: (200|OK)$/.test(status),
    );
    if (refused.length) throw new Error(`collector refused every-field requests: ${refused.join(', ')}`);
    everyFieldRequests += 9;
  }
  // Shutting the SDK down flushes everything it still holds; then the collector's batches (2 s) drain.
  await telemetry.shutdown();
  await datadogChannel;
  upstream.close();
  const sinks: RecordingServer[] = [tempo, loki, sentry, prometheusProxy, vendor];
  await settle([tempo, loki, sentry, vendor], sinks);
  const usage = await collectorUsage(collector);
  await collector.stop();
  // What Prometheus now answers about what it stores (series names, label names, HELP and units):
  // scanned like the bytes it received.
  const prometheusAnswers = await Promise.all(
    ['/api/v1/label/__name__/values', '/api/v1/labels', '/api/v1/metadata'].map(async (api) => ({
      api,
      body: Buffer.from(await fetch(`${prometheus.url}${api}`).then((r) => r.text())),
    })),
  );
  await prometheus.stop();
  await Promise.all([...sinks, phoneHome].map((sink) => sink.close()));

  const scanner = new NeedleScanner(corpus.needles);
  const leaks: Leak[] = [];
  const results: Record<string, SinkResult> = {};
  for (const sink of [...sinks, phoneHome]) {
    const result: SinkResult = { requests: sink.requests.length, bytes: 0, leaks: 0 };
    for (const file of readdirSync(sink.captureDir)) {
      const bytes = readFileSync(path.join(sink.captureDir, file));
      if (file.endsWith('.body')) result.bytes += bytes.length;
      const found = scanner.scan(bytes, `${sink.name}/${file}`);
      result.leaks += found.length;
      leaks.push(...found);
    }
    if (sink !== phoneHome) results[sink.name] = result;
  }
  const stored: SinkResult = { requests: prometheusAnswers.length, bytes: 0, leaks: 0 };
  for (const { api, body } of prometheusAnswers) {
    const found = scanner.scan(body, `prometheus-api${api}`);
    stored.bytes += body.length;
    stored.leaks += found.length;
    leaks.push(...found);
  }
  results['prometheus-api'] = stored;
  const channels = {
    sentry: sentry.envelopeItems.filter((item) => item.type === 'event').length,
    'dd-trace': tempo.spans.filter((span) => span.resource['telemetry.sdk.name'] === 'datadog').length,
    agentcat: tempo.spans.filter((span) => span.scope.name === 'agentcat').length + vendor.requests.length,
    mcpcat: tempo.spans.filter((span) => span.scope.name === 'mcpcat').length,
    'every-field producer': everyFieldRequests,
  };
  // Leaks per corpus: the generated one, and an external one beside it.
  const corpora: Record<string, { records: number; needles: number; leaks: number }> = {};
  const corpusOf = (record: string) => (isGeneratedRecordId(record) ? 'generated' : 'external');
  for (const record of corpus.records) {
    const name = corpusOf(record.id);
    corpora[name] ??= { records: 0, needles: 0, leaks: 0 };
    corpora[name].records++;
  }
  for (const needle of corpus.needles) {
    const entry = corpora[corpusOf(needle.record)];
    if (entry) entry.needles++;
  }
  for (const leak of leaks) {
    const entry = corpora[corpusOf(leak.needle.record)];
    if (entry) entry.leaks++;
  }
  const entities: Record<string, number> = Object.fromEntries(
    [...new Set(corpus.needles.map((n) => n.entity))].map((e) => [e, 0]),
  );
  for (const leak of leaks) entities[leak.needle.entity] = (entities[leak.needle.entity] ?? 0) + 1;

  // Each record is one MCP session: its kit spans share one pseudonym, and no two records share one.
  const sessionPseudonyms = new Set(
    tempo.spans
      .filter((span) => span.scope.name === 'mcp-telemetry-kit' && span.attributes['mcp.session.id'])
      .map((span) => String(span.attributes['mcp.session.id'])),
  );
  const pseudonymsJoin =
    sessionPseudonyms.size === corpus.records.length &&
    [...sessionPseudonyms].every((p) => p.startsWith('ps_'));

  return {
    summary: {
      canaries: corpus.records.length,
      needles: corpus.needles.length,
      corpora,
      sinks: results,
      channels,
      phoneHome: { [phoneHome.name]: phoneHome.requests.length },
      leaks: leaks.length,
      entities,
      pseudonymsJoin,
      collector: usage,
      captureDir,
    },
    leaks,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { corpus: { type: 'string' }, records: { type: 'string' }, capture: { type: 'string' } },
  });
  const records = values.records === undefined ? undefined : Number(values.records);
  if (records !== undefined && !(Number.isInteger(records) && records > 0)) {
    console.error(`--records: a whole number above 0, not "${values.records}"`);
    process.exit(2);
  }
  const { summary, leaks } = await runCanary({
    ...(values.corpus ? { corpus: path.resolve(values.corpus) } : {}),
    ...(records ? { records } : {}),
    ...(values.capture ? { capture: path.resolve(values.capture) } : {}),
  });
  for (const [name, sink] of Object.entries(summary.sinks)) {
    console.log(
      `sink ${name.padEnd(11)} requests ${String(sink.requests).padStart(5)}  bytes ${String(sink.bytes).padStart(9)}  leaks ${sink.leaks}`,
    );
  }
  for (const [channel, count] of Object.entries(summary.channels))
    console.log(`channel ${channel.padEnd(20)} delivered ${count}`);
  for (const [name, entry] of Object.entries(summary.corpora))
    console.log(
      `corpus ${name.padEnd(10)} records ${entry.records}  needles ${entry.needles}  leaks ${entry.leaks}`,
    );
  for (const [entity, count] of Object.entries(summary.entities))
    console.log(`entity ${entity.padEnd(23)} leaks ${count}`);
  for (const leak of leaks.slice(0, 20))
    console.log(`LEAK ${leak.needle.entity} "${leak.needle.value}" in ${leak.where}: …${leak.context}…`);
  console.log(`captures kept in ${summary.captureDir}`);
  console.log(JSON.stringify(summary));
  const empty = Object.values(summary.sinks).some((sink) => sink.requests === 0);
  const silentChannel = Object.values(summary.channels).some((count) => count === 0);
  const phonedHome = Object.values(summary.phoneHome).some((count) => count > 0);
  process.exit(summary.leaks > 0 || empty || silentChannel || phonedHome ? 1 : 0);
}
