// Any MCP server, any instrumentation (issue #29): Python MCP servers set up the common way, with no kit
// code (test/support/python/mcp_server.py: FastMCP or the MCP SDK's own server, the OpenTelemetry
// Python SDK from OTEL_*, Python logging bridged to OTLP logs, careless logging of what callers ask),
// each with one of the MCP tracings users pick, send to the kit's real collector; and the same careless
// FastMCP server with the kit's Python package (issue #22: start_telemetry(), instrument_mcp_server()),
// the Python channel of the canary run, whose log text survives scrubbed and whose metrics fill the
// kit's dashboards as a TypeScript server's do. A real MCP client calls
// a tool once per canary record: the backends receive none of the canaries, log bodies included, and
// the collector's derived mcp.server.operation.duration counts every call and every failure, so the
// dashboards and alerts see the server: the real Prometheus, with the kit's rules, computes its error
// ratio and raises the availability alert, and the overview's panels on the conventions' metric return
// data for it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startBinary } from '../support/binary.ts';
import { type Leak, loadCanaries } from '../support/canaries.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { dashboardQueries, sampleVariables, substituteVariables } from '../support/dashboard-queries.ts';
import { prometheusConfig } from '../support/dashboard-stack.ts';
import { eventually } from '../support/eventually.ts';
import { latestCounts, leaksAt, type SearchOutcome, searchEveryone } from '../support/foreign-servers.ts';
import { type KitCollector, startKitCollector, testCollectorSecrets } from '../support/kit-collector.ts';
import { freePort } from '../support/ports.ts';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';
import { requireTools } from '../support/tools.ts';

/** The tracings that name MCP operations as the conventions do, so the collector counts their calls. */
const COUNTED = ['fastmcp', 'mcp-sdk', 'openinference'] as const;
/**
 * OpenLLMetry (on the MCP SDK's 1.x line) names no operation: its spans only pass the privacy layer. The
 * kit's package records mcp.server.operation.duration itself, with the kit's analytics.
 */
const VARIANTS = [...COUNTED, 'openllmetry', 'kit'] as const;
type Variant = (typeof VARIANTS)[number];
const counted = (variant: Variant) => (COUNTED as readonly Variant[]).includes(variant);
const namesOperations = (variant: Variant) => counted(variant) || variant === 'kit';
const repoRoot = path.join(import.meta.dirname, '../..');
const CALLS_PER_VARIANT = 9;
const server = path.join(import.meta.dirname, '../support/python/mcp_server.py');

const DERIVED = 'mcp.server.operation.duration';
const corpus = loadCanaries();
const tools = requireTools();

async function startServer(variant: Variant, collector: KitCollector) {
  const port = await freePort();
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  const binary = await startBinary({
    name: `py-${variant}`,
    command: variant === 'openllmetry' ? tools.pythonMcp1 : tools.python,
    args: [server, variant, `${port}`],
    env: {
      OTEL_SERVICE_NAME: `py-${variant}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl,
      // Header values are percent-encoded in OTEL_EXPORTER_OTLP_HEADERS.
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${testCollectorSecrets.MCP_KIT_COLLECTOR_TOKEN}`,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      ...(variant === 'kit'
        ? {
            PYTHONPATH: path.join(repoRoot, 'python/src'),
            PYTHONDONTWRITEBYTECODE: '1',
            MCP_KIT_PSEUDONYM_KEY: 'python-test-pseudonym-key-0123456789abcdef',
            MCP_KIT_METRIC_PREFIXES: 'locator[.]',
          }
        : {}),
    },
    // The MCP endpoint answers a bare GET with an error status: any answer means it listens.
    healthUrl: url.href,
    readyOnAnyAnswer: true,
    startTimeoutMs: 60_000,
  });
  return { binary, url };
}

describe('Python MCP servers with no kit code, through the kit’s collector', () => {
  const captureRoot = newCaptureRoot('python-servers');
  let sinks: { tempo: OtlpSink; loki: OtlpSink; prometheus: OtlpSink };
  let collector: KitCollector;
  let prometheus: RunningPrometheus;
  const outcomes = new Map<Variant, SearchOutcome>();
  const leaks: Leak[] = [];
  let kitServer: { stop(): Promise<string> } | undefined;

  beforeAll(async () => {
    sinks = {
      tempo: await startOtlpSink({ name: 'tempo', captureRoot }),
      loki: await startOtlpSink({ name: 'loki', captureRoot }),
      prometheus: await startOtlpSink({ name: 'prometheus', captureRoot }),
    };
    // The real Prometheus with the kit's configuration and rules (nothing scraped, no Alertmanager),
    // beside the recording stand-in that keeps the bytes for the canary scan.
    const configFile = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-kit-python-')), 'prometheus.yml');
    const config = parse(prometheusConfig('127.0.0.1:1', '127.0.0.1:1'));
    config.alerting = { alertmanagers: [] };
    writeFileSync(configFile, stringify(config));
    prometheus = await startPrometheus({ config: configFile, extraArgs: ['--web.enable-otlp-receiver'] });
    const bothPrometheuses = ['otlp_http/prometheus', 'otlp_http/prometheus_rules'];
    collector = await startKitCollector({
      backends: {
        tempo: sinks.tempo.url,
        loki: `${sinks.loki.url}/otlp`,
        prometheus: `${sinks.prometheus.url}/api/v1/otlp`,
      },
      overlays: [
        {
          exporters: { 'otlp_http/prometheus_rules': { endpoint: `${prometheus.url}/api/v1/otlp` } },
          service: {
            pipelines: {
              'metrics/prometheus': { exporters: bothPrometheuses },
              'metrics/mcp_derived': { exporters: bothPrometheuses },
            },
          },
        },
      ],
      env: { MCP_KIT_KNOWN_TOOLS: 'search_detainee_by_name' },
    });
    for (const [index, variant] of VARIANTS.entries()) {
      const records = corpus.records.slice(index * CALLS_PER_VARIANT, (index + 1) * CALLS_PER_VARIANT);
      const running = await startServer(variant, collector);
      // One call per flush of the collector's derived metric, as traffic spreads over time: Prometheus
      // computes rates from the samples, and a burst within one flush leaves a single sample.
      const outcome = await searchEveryone(running.url, records, 1_100);
      // A server runs on; this one is stopped once its calls are traced (the SDK exports in batches).
      await sinks.tempo.waitFor(
        (data) =>
          data.spans.filter(
            (span) =>
              span.resource['service.name'] === `py-${variant}` &&
              (!namesOperations(variant) || span.name.startsWith('tools/call')),
          ).length >= outcome.made,
        30_000,
      );
      outcomes.set(variant, outcome);
      if (variant === 'kit') {
        // Its session (closed by the client) is recorded when it ends: two exports of it make a rate.
        await sinks.prometheus.waitFor(
          (data) =>
            data.dataPoints.filter(
              (point) =>
                point.metric === 'mcp.server.session.duration' && point.resource['service.name'] === 'py-kit',
            ).length >= 2,
          30_000,
        );
        // It runs on, as a server does, exporting its metrics (the collector does so for the others).
        kitServer = running.binary;
        continue;
      }
      await running.binary.stop();
    }
    await sinks.prometheus.waitFor(
      (data) =>
        VARIANTS.filter(namesOperations).every((variant) =>
          data.dataPoints.some(
            (point) => point.metric === DERIVED && point.resource['service.name'] === `py-${variant}`,
          ),
        ),
      60_000,
    );
    const records = corpus.records.slice(0, VARIANTS.length * CALLS_PER_VARIANT);
    leaks.push(...leaksAt(Object.values(sinks), corpus, records));
    for (const variant of VARIANTS) {
      const service = `py-${variant}`;
      const derived = Object.values(latestCounts(sinks.prometheus.dataPoints, DERIVED, service));
      console.log(
        `python ${variant}: ${JSON.stringify(outcomes.get(variant))} calls made, ` +
          `${sinks.tempo.spans.filter((span) => span.resource['service.name'] === service).length} spans at Tempo, ` +
          `${derived.reduce((sum, count) => sum + count, 0)} operations on the derived metric`,
      );
    }
    console.log(
      `python servers: leaks per sink ${JSON.stringify(
        Object.fromEntries(
          Object.keys(sinks).map((name) => [
            name,
            leaks.filter((leak) => leak.where.startsWith(`${name}/`)).length,
          ]),
        ),
      )}`,
    );
  }, 600_000);

  afterAll(async () => {
    await kitServer?.stop();
    await collector?.stop();
    await prometheus?.stop();
    await Promise.all(Object.values(sinks ?? {}).map((sink) => sink.close()));
  });

  it('delivers to Tempo, Loki and Prometheus none of the canaries the servers were sent', () => {
    expect(leaks.map((leak) => `${leak.needle.entity} ${leak.where}`).slice(0, 10)).toEqual([]);
  });

  it.each(COUNTED)(
    'counts every call of the %s server on mcp.server.operation.duration, failures by error.type',
    (variant) => {
      const outcome = outcomes.get(variant);
      expect(outcome?.failed).toBeGreaterThan(0);
      const tool = { 'gen_ai.tool.name': 'search_detainee_by_name', 'mcp.method.name': 'tools/call' };
      expect(latestCounts(sinks.prometheus.dataPoints, DERIVED, `py-${variant}`)).toMatchObject({
        [JSON.stringify(tool)]: (outcome?.made ?? 0) - (outcome?.failed ?? 0),
        [JSON.stringify({ 'error.type': 'tool_error', ...tool })]: outcome?.failed,
      });
    },
  );

  it('keeps OpenLLMetry’s spans without the results it copies into each (mcp.response.value), and counts nothing it does not name', () => {
    const spans = sinks.tempo.spans.filter((span) => span.resource['service.name'] === 'py-openllmetry');
    expect(spans.length).toBeGreaterThanOrEqual(
      outcomes.get('openllmetry')?.made ?? Number.POSITIVE_INFINITY,
    );
    // Its only spans are `ResponseStreamWriter`, a capitalised name the safe shape does not keep.
    expect(new Set(spans.map((span) => span.name))).toEqual(new Set(['[redacted]']));
    expect(spans.filter((span) => 'mcp.response.value' in span.attributes)).toEqual([]);
    expect(latestCounts(sinks.prometheus.dataPoints, DERIVED, 'py-openllmetry')).toEqual({});
  });

  it('counts every call of the server with the kit’s package, by its own mcp.server.operation.duration and mcpkit.tool.calls', () => {
    const outcome = outcomes.get('kit');
    expect(outcome?.failed).toBeGreaterThan(0);
    const total = (metric: string, where: (attributes: Record<string, unknown>) => boolean) =>
      Object.entries(latestCounts(sinks.prometheus.dataPoints, metric, 'py-kit'))
        .filter(([attributes]) => where(JSON.parse(attributes)))
        .reduce((sum, [, count]) => sum + count, 0);
    const tool = (attributes: Record<string, unknown>) =>
      attributes['gen_ai.tool.name'] === 'search_detainee_by_name';
    expect(total(DERIVED, (a) => tool(a) && a['error.type'] === undefined)).toBe(
      (outcome?.made ?? 0) - (outcome?.failed ?? 0),
    );
    expect(total(DERIVED, (a) => tool(a) && a['error.type'] === 'tool_error')).toBe(outcome?.failed);
    expect(total('mcpkit.tool.calls', (a) => tool(a) && a['mcpkit.tool.outcome'] === 'tool_error')).toBe(
      outcome?.failed,
    );
    expect(total('mcpkit.tool.calls', (a) => a['mcpkit.client.name'] === 'claude-ai')).toBe(outcome?.made);
    // The kit's spans are the only ones: FastMCP's own are suppressed under them.
    const spans = sinks.tempo.spans.filter((span) => span.resource['service.name'] === 'py-kit');
    expect(spans.filter((span) => span.name === 'tools/call search_detainee_by_name')).toHaveLength(
      outcome?.made ?? -1,
    );
  });

  it('keeps the kit server’s log text with the callers’ words taken out', () => {
    const bodies = sinks.loki.logRecords
      .filter((record) => record.resource['service.name'] === 'py-kit')
      .map((record) => String(record.body));
    expect(bodies.some((body) => body.startsWith('search_detainee_by_name first_name='))).toBe(true);
  });

  it('keeps no raw MCP session id in the kit server’s log text, though the MCP SDK logs them', () => {
    const bodies = sinks.loki.logRecords
      .filter((record) => record.resource['service.name'] === 'py-kit')
      .map((record) => String(record.body));
    // Scrubbed by layer 1 as `[hex_id]`; one the layer missed would arrive as the collector's hash.
    // `Created new transport with session ID: …` comes before the first call feeds taint, so the
    // collector redacts it whole; `Terminating session: …` comes after and is kept, scrubbed.
    expect(bodies).toContain('Terminating session: [hex_id]');
    expect(bodies.filter((body) => /[0-9a-f]{12}/i.test(body))).toEqual([]);
  });

  it.each(VARIANTS.filter((variant) => variant !== 'kit'))(
    'keeps the %s server’s log records but none of their text',
    (variant) => {
      const records = sinks.loki.logRecords.filter(
        (record) => record.resource['service.name'] === `py-${variant}`,
      );
      // One line per call, one more per failure, and whatever the libraries log.
      expect(records.length).toBeGreaterThanOrEqual(outcomes.get(variant)?.made ?? Number.POSITIVE_INFINITY);
      expect(new Set(records.map((record) => record.body))).toEqual(new Set(['[redacted]']));
      expect(records.some((record) => record.severityText === 'ERROR')).toBe(true);
    },
  );

  it('adds up the server’s counter labelled with each person’s surname: the label goes, the total stays', async () => {
    await eventually(async () => {
      const totals = VARIANTS.map((variant) =>
        Object.values(latestCounts(sinks.prometheus.dataPoints, 'locator.searches', `py-${variant}`)),
      );
      return totals.every(
        (total, index) => total.length === 1 && total[0] === outcomes.get(VARIANTS[index] ?? 'fastmcp')?.made,
      )
        ? true
        : undefined;
    }, 20_000).catch(() => undefined);
    for (const variant of VARIANTS)
      expect(latestCounts(sinks.prometheus.dataPoints, 'locator.searches', `py-${variant}`)).toEqual({
        '{}': outcomes.get(variant)?.made,
      });
  });

  it('gives each server the error ratio of the SLO rules, and its availability alert fires', async () => {
    const jobs = VARIANTS.filter(namesOperations).map((variant) => `py-${variant}`);
    // A third of the calls failed: far above 14.4 times the 1% budget. The alert is pending at once and
    // fires once it has held for its `for:` (2 minutes; promtool tests both sides of it).
    const raised = async (state: string) =>
      new Set(
        (await prometheus.query(`ALERTS{alertname="MCPAvailabilityBudgetBurnFast", alertstate="${state}"}`))
          .filter((alert) => alert.metric.gen_ai_tool_name === 'search_detainee_by_name')
          .map((alert) => alert.metric.job),
      );
    const all = (state: string) => async () => {
      const jobsRaised = await raised(state);
      return jobs.every((job) => jobsRaised.has(job)) ? true : undefined;
    };
    await eventually(all('pending'), 90_000).catch(() => undefined);
    const ratios = await prometheus.query('job_tool:mcp_server_operation_errors:ratio_rate5m');
    for (const job of jobs) {
      const ratio = ratios.find((series) => series.metric.job === job && series.metric.gen_ai_tool_name);
      // Rates start at the first sample, so the ratio is near, not at, the third that failed.
      expect(Number(ratio?.value[1]), job).toBeGreaterThan(0.144);
      expect(Number(ratio?.value[1]), job).toBeLessThanOrEqual(0.5);
    }
    await eventually(all('firing'), 200_000).catch(() => undefined);
    expect([...(await raised('firing'))].sort(), JSON.stringify(ratios)).toEqual([...jobs].sort());
  }, 320_000);

  it('answers every query of the overview, and the tools dashboard’s every-server panels, for a Python server', async () => {
    // The overview's panels of one server (the $job variable; the alert lists are not a server's), and
    // the tools dashboard's on the conventions' metric (the others read the kit's own metrics).
    const queries = dashboardQueries().filter(
      (query) =>
        (query.dashboard === 'mcp-overview' && query.text.includes('$job')) ||
        (query.dashboard === 'mcp-tools' && query.text.includes('mcp_server_operation_duration')),
    );
    // Three panel queries and the $job variable, whose values come from the same metric.
    expect(queries.filter((query) => query.dashboard === 'mcp-tools')).toHaveLength(4);
    expect(queries.length).toBeGreaterThan(10);
    const empty: string[] = [];
    for (const query of queries) {
      const text = substituteVariables(query.text, { ...sampleVariables, job: 'py-fastmcp' });
      if ((await prometheus.query(text)).length === 0) empty.push(query.where);
    }
    expect(empty).toEqual([]);
  });

  it('answers for the server with the kit’s package every query of the overview, tools, clients and host dashboards on what it records', async () => {
    // The panels on the metrics the kit's package records (the conventions', mcpkit.tool.*, sessions,
    // lookups, process and host), not those on the TypeScript reference server's own (locator_*), the
    // Node.js runtime, HTTP refusals before MCP or the pipeline, nor the reference server's own tools,
    // arguments and spans.
    const notRecorded =
      /\b(?:locator_|nodejs_|v8js_|mcpkit_http_|mcpkit_privacy_|mcpkit_cache|otelcol_|ALERTS|smart_detainee_search|mcpkit_arg_language|mcpkit_result_query_language|upstream lookup)/;
    const queries = dashboardQueries().filter(
      (query) =>
        query.language === 'promql' &&
        ['mcp-overview', 'mcp-tools', 'mcp-clients', 'mcp-host'].includes(query.dashboard) &&
        query.text.includes('$job') &&
        !notRecorded.test(query.text),
    );
    const empty: string[] = [];
    for (const query of queries) {
      const text = substituteVariables(query.text, { ...sampleVariables, job: 'py-kit' });
      if ((await prometheus.query(text)).length === 0) empty.push(`${query.where}: ${text}`);
    }
    console.log(
      `python kit server: ${queries.length - empty.length} of ${queries.length} dashboard queries answered`,
    );
    expect(empty).toEqual([]);
  });
});
