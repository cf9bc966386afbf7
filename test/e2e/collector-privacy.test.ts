// Privacy layer 2 on the real collector with the kit's configuration: a producer in "another language"
// that follows no kit rule sends canary data everywhere OTLP allows, and the backends receive none of it.
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rules from '../../src/privacy/rules.json' with { type: 'json' };
import { INSTRUMENTATION_SCOPE, METRIC_DESCRIPTIONS, METRIC_MCPKIT_TOOL_CALLS } from '../../src/semconv.ts';
import { type CanaryRecord, type Leak, loadCanaries, NeedleScanner } from '../support/canaries.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { validateCollectorConfig } from '../support/collector.ts';
import {
  foreignInstanceUuid,
  foreignTelemetry,
  foreignPseudonym as pseudonym,
} from '../support/fixtures/foreign-producer.ts';
import {
  collectorConfigFiles,
  type KitCollector,
  startKitCollector,
  testCollectorSecrets,
} from '../support/kit-collector.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';

const corpus = loadCanaries();
const records = corpus.records.slice(0, 20);

describe('the collector’s privacy layer against a producer that follows no rule', () => {
  const captureRoot = newCaptureRoot('layer2');
  let sinks: { tempo: OtlpSink; loki: OtlpSink; prometheus: OtlpSink };
  let collector: KitCollector;
  const leaks: Leak[] = [];
  /** OTLP/JSON to the collector with its token; the HTTP status it answered. */
  const postJson = (signal: string, payload: unknown) =>
    fetch(`${collector.otlpHttpUrl}/v1/${signal}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...collector.authHeaders },
      body: JSON.stringify(payload),
    }).then((response) => response.status);

  /** A cumulative monotonic sum with a data point per [value, attributes], stamped now (OTLP/JSON). */
  const cumulativeSum = (name: string, points: [number, unknown[]][]) => {
    const now = `${BigInt(Date.now()) * 1_000_000n}`;
    return {
      name,
      sum: {
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: points.map(([value, attributes]) => ({
          asInt: String(value),
          startTimeUnixNano: now,
          timeUnixNano: now,
          attributes,
        })),
      },
    };
  };
  /** Metrics of the application's own scope (`locator`), posted as OTLP/JSON; resolves to the status. */
  const postLocatorMetrics = (metrics: unknown[]) =>
    postJson('metrics', { resourceMetrics: [{ scopeMetrics: [{ scope: { name: 'locator' }, metrics }] }] });

  beforeAll(async () => {
    sinks = {
      tempo: await startOtlpSink({ name: 'tempo', captureRoot }),
      loki: await startOtlpSink({ name: 'loki', captureRoot }),
      prometheus: await startOtlpSink({ name: 'prometheus', captureRoot }),
    };
    collector = await startKitCollector({
      backends: {
        tempo: sinks.tempo.url,
        loki: `${sinks.loki.url}/otlp`,
        prometheus: `${sinks.prometheus.url}/api/v1/otlp`,
      },
    });
    for (const index of records.keys()) {
      const telemetry = foreignTelemetry(records[index] as CanaryRecord, index);
      for (const [signal, body] of Object.entries(telemetry)) {
        expect(await postJson(signal, body), `${signal} accepted`).toBe(200);
      }
    }
    await sinks.tempo.waitFor((data) => data.spans.length >= records.length);
    await sinks.loki.waitFor((data) => data.logRecords.length >= records.length * 2);
    await sinks.prometheus.waitFor(
      (data) =>
        data.dataPoints.some((point) => point.metric === 'locator.searches') &&
        data.dataPoints.some((point) => point.metric.startsWith('traces.span.metrics')),
    );
    const needles = corpus.needles.filter((needle) => records.some((record) => record.id === needle.record));
    const scanner = new NeedleScanner(needles);
    for (const sink of Object.values(sinks)) {
      for (const file of readdirSync(sink.captureDir)) {
        leaks.push(...scanner.scan(readFileSync(path.join(sink.captureDir, file)), `${sink.name}/${file}`));
      }
    }
  });

  afterAll(async () => {
    await collector?.stop();
    await Promise.all(Object.values(sinks ?? {}).map((sink) => sink.close()));
  });

  it('validates as the base configuration with the generated privacy processors', async () => {
    const result = await validateCollectorConfig(collectorConfigFiles, {
      ...testCollectorSecrets,
      OTELCOL_QUEUE_DIR: captureRoot,
    });
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('refuses OTLP without the bearer token, or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }]) {
      const response = await fetch(`${collector.otlpHttpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(foreignTelemetry(records[0] as CanaryRecord, 0).traces),
      });
      expect(response.status).toBe(401);
    }
  });

  it('answers malformed and oversized OTLP with 4xx and stays healthy', async () => {
    const post = (body: string | Uint8Array, contentType: string) =>
      fetch(`${collector.otlpHttpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': contentType, ...collector.authHeaders },
        body,
      }).then((response) => response.status);
    expect(await post(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'application/x-protobuf')).toBe(400);
    expect(await post('{"resourceSpans": [', 'application/json')).toBe(400);
    const oversized = await post(Buffer.alloc(5 * 1024 * 1024, 0x41), 'application/x-protobuf');
    expect(oversized).toBeGreaterThanOrEqual(400);
    expect(oversized).toBeLessThan(500);
    expect(collector.alive()).toBe(true);
    expect(
      await post(JSON.stringify(foreignTelemetry(records[0] as CanaryRecord, 0).traces), 'application/json'),
    ).toBe(200);
  });

  it('delivers to Tempo, Loki and Prometheus none of the canaries it was sent', () => {
    expect(
      leaks
        .slice(0, 5)
        .map((leak) => `${leak.needle.entity} "${leak.needle.value}" in ${leak.where}: …${leak.context}…`),
    ).toEqual([]);
  });

  it('drops attributes off the allow-list, everywhere', () => {
    const span = sinks.tempo.spans[0];
    expect(Object.keys(span?.attributes ?? {}).sort()).toEqual(
      [
        'mcp.method.name',
        'gen_ai.tool.name',
        'mcp.protocol.version',
        'mcp.session.id',
        'mcpkit.principal',
        'mcpkit.arg.language',
        // Its error.type, a sentence, was dropped; the failed MCP span gets the conventions' fallback.
        'error.type',
      ].sort(),
    );
    expect(span?.attributes['error.type']).toBe('_OTHER');
    expect(Object.keys(span?.resource ?? {})).not.toContain('enduser.id');
    expect(span?.status.message).toBe('');
    expect(sinks.loki.logRecords[0]?.attributes).toEqual({ 'gen_ai.tool.name': '(unknown)' });
    // The producer's ordinary points; those it sends with a made-up method and client name are the next
    // test's (which of the two arrives first varies with batching).
    const points = sinks.prometheus.dataPoints.filter(
      (p) => p.metric === 'locator.searches' && p.attributes['mcpkit.client.name'] === undefined,
    );
    expect(points.length).toBeGreaterThan(0);
    for (const point of points) expect(point.attributes).toEqual({ 'mcp.method.name': 'tools/call' });
  });

  it('keeps names only in a safe shape: a span name with a capitalised word is redacted whole', () => {
    const span = sinks.tempo.spans[0];
    // An MCP span is named from its checked attributes, whatever its producer called it.
    expect(span?.name).toBe('tools/call (unknown)');
    expect(sinks.tempo.spans.filter((s) => s.kind === 1).map((s) => s.name)).toEqual(
      records.map(() => '[redacted]'),
    );
    expect(span?.events[0]?.name).toBe('[redacted]');
    expect(span?.scope.name).toBe('[redacted]');
  });

  it('exports a tool name the operator did not list as `(unknown)`, on spans, logs and data points alike', () => {
    // Made-up names in lowercase, which fit the safe name shape: 'find maria lopez', 'maria_lopez'.
    const toolNames = [
      ...sinks.tempo.spans.map((span) => span.attributes['gen_ai.tool.name']),
      ...sinks.loki.logRecords.map((record) => record.attributes['gen_ai.tool.name']),
      ...sinks.prometheus.dataPoints.map((point) => point.attributes['gen_ai.tool.name']),
    ].filter((name) => name !== undefined);
    expect(toolNames.length).toBeGreaterThanOrEqual(records.length * 3);
    expect(new Set(toolNames)).toEqual(new Set(['(unknown)']));
  });

  it('exports a method outside the protocol, an unknown client name and a wordy version only as `other`', () => {
    const unknown = sinks.tempo.spans.filter((s) => s.attributes['mcpkit.client.name'] !== undefined);
    expect(unknown).toHaveLength(records.length);
    for (const span of unknown) {
      expect(span.name).toBe('other');
      expect(span.attributes['mcp.method.name']).toBe('other');
      expect(span.attributes['mcpkit.client.name']).toBe('other');
      expect(span.attributes['mcpkit.client.version']).toBe('other');
    }
    const points = sinks.prometheus.dataPoints.filter(
      (point) => point.metric === 'locator.searches' && point.attributes['mcpkit.client.name'] !== undefined,
    );
    expect(points.length).toBeGreaterThan(0);
    expect(points.every((point) => point.attributes['mcp.method.name'] === 'other')).toBe(true);
  });

  it('drops metrics named outside the known namespaces, and keeps the application’s own', () => {
    const names = new Set(sinks.prometheus.dataPoints.map((point) => point.metric));
    expect([...names].filter((name) => name.startsWith('lookups_'))).toEqual([]);
    expect(names).toContain('locator.search.duration');
    expect(names).toContain('locator.searches');
  });

  it('gives the kit’s metrics their own description back, and empties any other', async () => {
    const now = `${BigInt(Date.now()) * 1_000_000n}`;
    const sum = (name: string) => ({
      name,
      description: 'lookups for Yúñezútl Zhúthñíl',
      sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ asInt: '1', timeUnixNano: now }] },
    });
    expect(
      await postJson('metrics', {
        resourceMetrics: [
          {
            scopeMetrics: [
              { scope: { name: INSTRUMENTATION_SCOPE }, metrics: [sum(METRIC_MCPKIT_TOOL_CALLS)] },
              { scope: { name: 'locator' }, metrics: [sum('locator.described')] },
            ],
          },
        ],
      }),
    ).toBe(200);
    await sinks.prometheus.waitFor((data) => data.dataPoints.some((p) => p.metric === 'locator.described'));
    const described = (name: string) =>
      sinks.prometheus.dataPoints.find((p) => p.metric === name)?.description;
    expect(described(METRIC_MCPKIT_TOOL_CALLS)).toBe(METRIC_DESCRIPTIONS[METRIC_MCPKIT_TOOL_CALLS]);
    expect(described('locator.described')).toBe('');
  });

  it('adds up the series that dropping a label made alike: a counter and a histogram keep their totals', async () => {
    const now = `${BigInt(Date.now()) * 1_000_000n}`;
    const names = ['Yúñezútl', 'Zhúthñíl', 'Tsízmax'];
    const labels = (name: string) => [
      { key: 'mcp.method.name', value: { stringValue: 'tools/call' } },
      { key: 'detainee.name', value: { stringValue: name } },
    ];
    expect(
      await postLocatorMetrics([
        cumulativeSum(
          'locator.merged.calls',
          names.map((name, i) => [[10, 20, 70][i] ?? 0, labels(name)]),
        ),
        {
          name: 'locator.merged.duration',
          histogram: {
            aggregationTemporality: 2,
            dataPoints: names.map((name) => ({
              count: '2',
              sum: 1.5,
              explicitBounds: [1],
              bucketCounts: ['1', '1'],
              startTimeUnixNano: now,
              timeUnixNano: now,
              attributes: labels(name),
            })),
          },
        },
      ]),
    ).toBe(200);
    await sinks.prometheus.waitFor((data) =>
      data.dataPoints.some((p) => p.metric === 'locator.merged.duration'),
    );
    const points = (metric: string) => sinks.prometheus.dataPoints.filter((p) => p.metric === metric);
    expect(points('locator.merged.calls').map((p) => [p.attributes, p.value])).toEqual([
      [{ 'mcp.method.name': 'tools/call' }, 100],
    ]);
    expect(points('locator.merged.duration').map((p) => [p.attributes, p.value])).toEqual([
      [{ 'mcp.method.name': 'tools/call' }, 6],
    ]);
  });

  it('leaves session and request ids off data points, and adds up the series they split', async () => {
    const ids = [
      { key: 'mcp.session.id', value: { stringValue: 'session-of-alice' } },
      { key: 'mcp.session.id', value: { stringValue: pseudonym } },
      { key: 'jsonrpc.request.id', value: { stringValue: '17' } },
    ];
    expect(
      await postLocatorMetrics([
        cumulativeSum(
          'locator.per_session.calls',
          ids.map((id, i) => [
            [1, 2, 4][i] ?? 0,
            [{ key: 'mcp.method.name', value: { stringValue: 'tools/call' } }, id],
          ]),
        ),
      ]),
    ).toBe(200);
    await sinks.prometheus.waitFor((data) =>
      data.dataPoints.some((p) => p.metric === 'locator.per_session.calls'),
    );
    expect(
      sinks.prometheus.dataPoints
        .filter((p) => p.metric === 'locator.per_session.calls')
        .map((p) => [p.attributes, p.value]),
    ).toEqual([[{ 'mcp.method.name': 'tools/call' }, 7]]);
  });

  it('drops the caller’s trace state and span links, which no processor can check', () => {
    expect(sinks.tempo.spans.filter((span) => span.traceState !== '')).toEqual([]);
    expect(sinks.tempo.spans.filter((span) => span.links.length > 0)).toEqual([]);
  });

  it('keeps the library’s pseudonyms and protocol versions, and replaces raw ids by keyed hashes', () => {
    const span = sinks.tempo.spans[0];
    expect(span?.attributes['mcpkit.principal']).toBe(pseudonym);
    expect(span?.attributes['mcp.protocol.version']).toBe('2025-06-18');
    expect(span?.attributes['mcpkit.arg.language']).toBe('es');
    expect(String(span?.attributes['mcp.session.id'])).not.toContain('raw-session');
    // The same raw session id hashes the same way, so records still join.
    const sessions = new Set(sinks.tempo.spans.map((s) => s.attributes['mcp.session.id']));
    expect(sessions.size).toBe(records.length);
  });

  it('keeps a random service.instance.id whole, and replaces one that is not a UUID', () => {
    const instances = new Set(sinks.tempo.spans.map((span) => span.resource['service.instance.id']));
    expect([...instances].sort()).toEqual([foreignInstanceUuid, '[redacted]'].sort());
  });

  it('derives RED metrics from the redacted spans', () => {
    expect(sinks.prometheus.dataPoints.some((point) => point.metric.startsWith('traces.span.metrics'))).toBe(
      true,
    );
  });
  it('hashes raw ids whole and PII matches in values with the keyed HMAC, whatever their shape', async () => {
    // The collector's HMAC-SHA256 (hex) under its key: every match of a pattern is replaced by the hash
    // of the match, once. A raw id with no digit at all ("alice") must be hashed too: layer 2 lets
    // values no pattern can match skip the patterns, never the id keys.
    const hmac = (text: string) =>
      createHmac('sha256', testCollectorSecrets.MCP_KIT_COLLECTOR_HMAC_KEY).update(text).digest('hex');
    // This hash holds seven digits in a row, which the digit-run pattern would hash again if the
    // patterns ran one after the other over each other's output (they did: chains of hashes).
    expect(hmac('1987-03-04')).toMatch(new RegExp(rules.patterns.digit_run));
    const now = `${BigInt(Date.now()) * 1_000_000n}`;
    const attributes = {
      'mcp.session.id': 'alice',
      'mcpkit.principal': 'beatriz-lopez',
      'mcpkit.arg.contact': 'call 555-123-4567',
      'mcpkit.arg.language': 'es',
      'http.route': '/callback/555-123-4567',
      'error.type': 'not found, call 555-123-4567',
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'search_detainee_by_name',
    };
    const body = 'no match for ana.lopez@example.org, born 1987-03-04';
    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'hmac-check' } }] };
    const kvs = Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } }));
    const span = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), name: 'hmac check', kind: 2 };
    expect(
      await postJson('traces', {
        resourceSpans: [
          {
            resource,
            scopeSpans: [
              { spans: [{ ...span, startTimeUnixNano: now, endTimeUnixNano: now, attributes: kvs }] },
            ],
          },
        ],
      }),
    ).toBe(200);
    expect(
      await postJson('logs', {
        resourceLogs: [
          {
            resource,
            scopeLogs: [
              {
                logRecords: [
                  // Text as privacy layer 1 marks it once scrubbed: the collector masks patterns again.
                  {
                    timeUnixNano: now,
                    body: { stringValue: body },
                    attributes: [{ key: 'mcpkit.body.scrubbed', value: { boolValue: true } }],
                  },
                  // An id key nested in a body map under another allowed key is hashed there too.
                  {
                    timeUnixNano: now,
                    body: {
                      kvlistValue: {
                        values: [
                          {
                            key: 'state',
                            value: {
                              kvlistValue: {
                                values: [{ key: 'mcp.session.id', value: { stringValue: 'alice' } }],
                              },
                            },
                          },
                        ],
                      },
                    },
                  },
                  // Text no layer 1 has seen: a name in it would pass every pattern.
                  { timeUnixNano: now, body: { stringValue: body } },
                ],
              },
            ],
          },
        ],
      }),
    ).toBe(200);
    const isCheck = (item: { resource: Record<string, unknown> }) =>
      item.resource['service.name'] === 'hmac-check';
    await sinks.tempo.waitFor((data) => data.spans.some(isCheck));
    await sinks.loki.waitFor((data) => data.logRecords.filter(isCheck).length >= 3);

    expect(sinks.tempo.spans.find(isCheck)?.attributes).toEqual({
      'mcp.session.id': hmac('alice'),
      'mcpkit.principal': hmac('beatriz-lopez'),
      // In their key's shape, so kept, and the phone number in them replaced by its HMAC.
      'mcpkit.arg.contact': `call ${hmac('555-123-4567')}`,
      'mcpkit.arg.language': 'es',
      'http.route': `/callback/${hmac('555-123-4567')}`,
      // A sentence is no error type: dropped whole, whatever it holds.
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'search_detainee_by_name',
    });
    // Each pseudonym in a log body is one hash of what it replaced, never a hash of a hash.
    const [text, map, unscrubbed] = sinks.loki.logRecords.filter(isCheck);
    expect(text?.body).toBe(`no match for ${hmac('ana.lopez@example.org')}, born ${hmac('1987-03-04')}`);
    expect(map?.body).toEqual({ state: { 'mcp.session.id': hmac('alice') } });
    expect(unscrubbed?.body).toBe('[redacted]');
  });
});

describe('a collector started without the kit’s feature gates', () => {
  it('refuses the configuration without ottl.functions.enableLambda, naming the gate', async () => {
    const result = await validateCollectorConfig(collectorConfigFiles, {}, []);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('ottl.functions.enableLambda');
  });

  it('drops a span whose links it cannot clear (without ottl.set.allowNil), and delivers the others', async () => {
    const tempo = await startOtlpSink({ name: 'tempo', captureRoot: newCaptureRoot('layer2-no-gate') });
    const collector = await startKitCollector({
      backends: { tempo: tempo.url, loki: tempo.url, prometheus: tempo.url },
      featureGates: ['--feature-gates=ottl.functions.enableLambda'],
    });
    try {
      const telemetry = foreignTelemetry(records[0] as CanaryRecord, 0);
      const response = await fetch(`${collector.otlpHttpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...collector.authHeaders },
        body: JSON.stringify(telemetry.traces),
      });
      expect(response.status).toBe(200);
      await tempo.waitFor((data) => data.spans.length >= 2);
      // Of the three spans sent, the one with links never arrives; the two without do.
      expect(tempo.spans.map((span) => span.spanId).sort()).toEqual(['b'.repeat(16), 'd'.repeat(16)]);
    } finally {
      await collector.stop();
      await tempo.close();
    }
  });
});
