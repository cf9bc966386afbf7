// The harness runs the real programs together: the collector's own metrics are scraped by Prometheus,
// whose rule fires an alert that Alertmanager receives, all on loopback.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type RunningCollector, startCollector } from '../support/collector.ts';
import { eventually } from '../support/eventually.ts';
import { freePort } from '../support/ports.ts';
import {
  type RunningAlertmanager,
  type RunningPrometheus,
  startAlertmanager,
  startPrometheus,
} from '../support/prometheus.ts';

describe('the collector, Prometheus and Alertmanager running together', () => {
  let collector: RunningCollector;
  let prometheus: RunningPrometheus;
  let alertmanager: RunningAlertmanager;

  beforeAll(async () => {
    const healthPort = await freePort();
    collector = await startCollector({
      healthPort,
      configs: [
        {
          extensions: { health_check: { endpoint: `127.0.0.1:${healthPort}` } },
          receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${await freePort()}` } } } },
          exporters: { debug: {} },
          service: {
            extensions: ['health_check'],
            pipelines: { traces: { receivers: ['otlp'], exporters: ['debug'] } },
          },
        },
      ],
    });
    alertmanager = await startAlertmanager({
      config: { route: { receiver: 'default' }, receivers: [{ name: 'default' }] },
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-rules-'));
    writeFileSync(
      path.join(dir, 'harness.rules.yml'),
      stringify({
        groups: [
          {
            name: 'harness',
            rules: [
              { alert: 'HarnessCollectorUp', expr: 'up{job="otelcol"} == 1', labels: { severity: 'info' } },
            ],
          },
        ],
      }),
    );
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: ['harness.rules.yml'],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(alertmanager.url).host] }] }] },
        scrape_configs: [
          { job_name: 'otelcol', static_configs: [{ targets: [`127.0.0.1:${collector.telemetryPort}`] }] },
        ],
      }),
    );
    prometheus = await startPrometheus({ config: path.join(dir, 'prometheus.yml') });
  });

  afterAll(async () => {
    await Promise.all([prometheus?.stop(), alertmanager?.stop(), collector?.stop()]);
  });

  it('Prometheus scrapes the collector’s own metrics', async () => {
    const series = await eventually(async () => {
      const result = await prometheus.query('otelcol_process_uptime{job="otelcol"}');
      return result.length > 0 ? result : undefined;
    });
    expect(Number(series[0]?.value[1])).toBeGreaterThan(0);
  });

  it('an alert rule firing in Prometheus reaches Alertmanager', async () => {
    const alert = await eventually(async () =>
      (await alertmanager.alerts()).find((a) => a.labels.alertname === 'HarnessCollectorUp'),
    );
    expect(alert).toMatchObject({
      labels: { job: 'otelcol', severity: 'info' },
      status: { state: 'active' },
    });
  });
});
