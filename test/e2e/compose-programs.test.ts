import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../support/capture.ts';
import { validateCollectorConfig } from '../support/collector.ts';
import {
  type ComposeService,
  envExample,
  flagValues,
  hostPathOf,
  interpolate,
  loadCompose,
  runComposeSecrets,
  secretsMount,
} from '../support/compose.ts';
import { type KitCollector, startKitCollector } from '../support/kit-collector.ts';
import { startAlertmanager, startPrometheus } from '../support/prometheus.ts';
import { type OtlpSink, startOtlpSink } from '../support/sinks/otlp-sink.ts';

const compose = loadCompose();
const filledEnv = Object.fromEntries(
  Object.entries(envExample()).map(([name, value]) => [
    name,
    value === '' ? `compose-test-${name.toLowerCase()}-0123456789abcdef0123456789` : value,
  ]),
);

/**
 * The collector service as compose would start it with this .env: config files and environment, its
 * secrets volume filled by scripts/compose-secrets.sh in a scratch folder the configuration points to.
 */
function composeCollector(env: Record<string, string>): {
  configs: string[];
  env: Record<string, string>;
  secrets: string;
} {
  const written = compose.services['otel-collector'] as ComposeService;
  const service = interpolate(written, env).value;
  const volumes = newCaptureRoot('compose-secrets');
  const made = runComposeSecrets(volumes);
  if (made.status !== 0) throw new Error(`compose-secrets.sh failed: ${made.stderr}`);
  const secrets = path.join(volumes, 'collector');
  const configs = flagValues(service, '--config').map((config) => {
    const file = hostPathOf(written, config);
    if (!file) throw new Error(`${config} is not mounted from the repository`);
    const text = readFileSync(file, 'utf8');
    if (!text.includes(secretsMount)) return file;
    // The volume's path in the container, as the scratch folder here.
    const moved = path.join(volumes, path.basename(file));
    writeFileSync(moved, text.replaceAll(secretsMount, secrets));
    return moved;
  });
  // Queues in a scratch folder instead of the container's volume path; everything else as compose sets it.
  return {
    configs,
    env: { ...service.environment, OTELCOL_QUEUE_DIR: newCaptureRoot('compose-queues') },
    secrets,
  };
}

describe('the compose collector command in the real collector', () => {
  it('loads with every vendor off (the empty overlay in each slot)', async () => {
    const { configs, env } = composeCollector(filledEnv);
    expect(configs.filter((file) => file.endsWith('overlays/none.yaml'))).toHaveLength(2);
    expect(await validateCollectorConfig(configs, env)).toEqual({ ok: true, output: '' });
  });

  it('loads with the Sentry overlay on when .env turns it on', async () => {
    const { configs, env } = composeCollector({
      ...filledEnv,
      COLLECTOR_SENTRY_OVERLAY: 'sentry',
      SENTRY_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/api/1/integration/otlp/v1/traces',
      SENTRY_PUBLIC_KEY: 'public-key',
    });
    expect(configs.some((file) => file.endsWith('overlays/sentry.yaml'))).toBe(true);
    expect(await validateCollectorConfig(configs, env)).toEqual({ ok: true, output: '' });
  });

  it('takes no secret from its environment', () => {
    const { env } = composeCollector(filledEnv);
    expect(Object.keys(env).filter((name) => /TOKEN|HMAC|PASSWORD/.test(name))).toEqual([]);
  });

  it('refuses to load while its HMAC key file is missing, naming the file', async () => {
    const { configs, env, secrets } = composeCollector(filledEnv);
    rmSync(path.join(secrets, 'collector_hmac_key'));
    const result = await validateCollectorConfig(configs, env);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('collector_hmac_key');
  });
});

describe('the empty vendor overlays', () => {
  let tempo: OtlpSink;
  let collector: KitCollector;

  beforeAll(async () => {
    const captureRoot = newCaptureRoot('compose-none');
    tempo = await startOtlpSink({ name: 'tempo', captureRoot });
    collector = await startKitCollector({
      backends: { tempo: tempo.url, loki: `${tempo.url}/otlp`, prometheus: `${tempo.url}/api/v1/otlp` },
      overlays: ['collector/overlays/none.yaml', 'collector/overlays/none.yaml'],
    });
  });

  afterAll(async () => {
    await collector?.stop();
    await tempo?.close();
  });

  it('leave the pipelines as they were: a span still reaches Tempo', async () => {
    const now = `${BigInt(Date.now()) * 1_000_000n}`;
    const response = await fetch(`${collector.otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...collector.authHeaders },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'compose-test' } }] },
            scopeSpans: [
              {
                scope: { name: 'test' },
                spans: [
                  {
                    traceId: 'd'.repeat(32),
                    spanId: '3'.repeat(16),
                    name: 'tools/call lookup',
                    kind: 2,
                    startTimeUnixNano: now,
                    endTimeUnixNano: now,
                    status: { code: 1 },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    await tempo.waitFor((data) => data.spans.length >= 1);
    expect(tempo.spans.map((span) => span.name)).toEqual(['tools/call lookup']);
  });
});

/** A service's command as compose would run it with .env.example, minus the flags the test harness sets
 * itself (files by their repository path, storage in a scratch folder, loopback listen address). */
function composeFlags(name: string, harnessFlags: string[]) {
  const written = compose.services[name] as ComposeService;
  const service = interpolate(written, filledEnv).value;
  const command = Array.isArray(service.command) ? service.command : [];
  const [config = ''] = flagValues(service, '--config.file');
  return {
    config: hostPathOf(written, config) ?? '',
    extraArgs: command.filter((arg) => !harnessFlags.some((flag) => arg.startsWith(`${flag}=`))),
  };
}

describe('the compose Prometheus and Alertmanager commands in the real programs', () => {
  it('Prometheus starts with the compose flags and loads the mounted rules', async () => {
    const { config, extraArgs } = composeFlags('prometheus', ['--config.file', '--storage.tsdb.path']);
    expect(extraArgs).toEqual([
      '--storage.tsdb.retention.time=15d',
      '--web.enable-otlp-receiver',
      '--enable-feature=exemplar-storage',
    ]);
    const prometheus = await startPrometheus({ config, extraArgs });
    try {
      const response = await fetch(`${prometheus.url}/api/v1/rules`);
      const body = (await response.json()) as { data: { groups: { file: string }[] } };
      expect(body.data.groups.length).toBeGreaterThan(0);
      const flags = (await (await fetch(`${prometheus.url}/api/v1/status/flags`)).json()) as {
        data: Record<string, string>;
      };
      expect(flags.data['storage.tsdb.retention.time']).toBe('15d');
    } finally {
      await prometheus.stop();
    }
  });

  it('Alertmanager starts with the compose flags, its configuration and templates', async () => {
    const { config, extraArgs } = composeFlags('alertmanager', ['--config.file', '--storage.path']);
    // The harness turns clustering off the same way compose does.
    expect(extraArgs).toEqual(['--cluster.listen-address=']);
    const alertmanager = await startAlertmanager({ config });
    try {
      const status = (await (await fetch(`${alertmanager.url}/api/v2/status`)).json()) as {
        config: { original: string };
      };
      expect(status.config.original).toContain('pagerduty-and-slack');
    } finally {
      await alertmanager.stop();
    }
  });
});
