// docker-compose.yml, checked the way compose reads it: valid under the Compose Specification schema and
// accepted by the real Compose CLI, every image pinned to the release the tests run, every mounted file the
// one the tests load, ports on loopback only, secrets only as files the stack makes itself, start-up order
// and limits.
// test/e2e/compose-stack.test.ts runs the file itself on a Docker engine.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentToken } from '../../examples/detainee-locator/agent-pool.ts';
import { tokensFromEnvironment } from '../../examples/detainee-locator/server.ts';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { alertmanagerRelease, prometheusRelease } from '../../scripts/provision/prometheus.ts';
import { COLLECTOR_FEATURE_GATES } from '../support/collector.ts';
import {
  bindMounts,
  type ComposeFile,
  composeText,
  envExample,
  flagValues,
  hostPathOf,
  interpolate,
  loadCompose,
  namedVolumes,
  runComposeSecrets,
  secretsMount,
  variablesIn,
} from '../support/compose.ts';
import { collectorConfigFiles } from '../support/kit-collector.ts';
import { requireTools } from '../support/tools.ts';

const compose = loadCompose();
const services = compose.services;
const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');
const yamlOf = (file: string) => parse(read(file)) as Record<string, unknown>;

/** .env.example with its empty settings given a value, as a user's .env might have. */
const filledEnv = Object.fromEntries(
  Object.entries(envExample()).map(([name, value]) => [name, value === '' ? `filled-${name}` : value]),
);
const resolved = interpolate(compose, filledEnv).value;

const schema = JSON.parse(read('test/support/schemas/compose-spec.json'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

const secretName = /TOKEN|KEY|PASSWORD|SECRET/;

/**
 * What a value holds besides variable references: nothing, or principal labels, a pool's among them
 * (`agents*${…}:${…},prober:${…}`).
 */
const holdsLiteral = (value: string) => !/^([a-z]+\*?:,?)*$/.test(value.replace(/\$\{[^}]*\}/g, ''));

/** The networks a service joins (compose's list or map form); none for `network_mode: none`. */
function serviceNetworks(service: ComposeFile['services'][string] | undefined): string[] {
  const networks = service?.networks;
  if (!networks) return [];
  return Array.isArray(networks) ? networks : Object.keys(networks);
}

describe('docker-compose.yml', () => {
  it('is a project the Compose CLI accepts with no .env at all', () => {
    // The schema alone let through pids_limit beside deploy.resources.limits, which compose refuses.
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpkit-env-'));
    const noSettings = path.join(dir, '.env');
    writeFileSync(noSettings, '');
    const result = spawnSync(
      requireTools().dockerCompose,
      ['-f', path.join(repoRoot, 'docker-compose.yml'), '--env-file', noSettings, 'config', '--quiet'],
      { encoding: 'utf8', cwd: repoRoot, env: { PATH: process.env.PATH } },
    );
    rmSync(dir, { recursive: true, force: true });
    expect(result.stderr.trim()).toBe('');
    expect(result.status).toBe(0);
  });

  it.each([
    ['as written', compose],
    ['after interpolation with .env.example', resolved],
  ])('is valid under the Compose Specification schema, %s', (_, document) => {
    const valid = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs the whole stack: the reference server, traffic, collector, backends and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'alertmanager',
        'detainee-locator',
        'grafana',
        'loki',
        'otel-collector',
        'otelcol-queue-owner',
        'prometheus',
        'secrets',
        'tempo',
        'traffic',
      ].sort(),
    );
  });

  it('builds the reference server and the traffic generator from the targets of examples/Dockerfile', () => {
    const dockerfile = read('examples/Dockerfile');
    for (const name of ['detainee-locator', 'traffic']) {
      const build = services[name]?.build;
      expect(build).toEqual({ context: '.', dockerfile: 'examples/Dockerfile', target: name });
      expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${name}$`, 'm'));
    }
  });

  it('pins every image to a release (a version tag or a digest), never latest or untagged', () => {
    const images = Object.values(services).flatMap((service) => (service.image ? [service.image] : []));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image, image).toMatch(/^[a-z0-9./-]+(:v?\d+\.\d+\.\d+)?(@sha256:[0-9a-f]{64})?$/);
      expect(image, image).toMatch(/:v?\d+\.\d+\.\d+|@sha256:/);
    }
  });

  it('builds the examples on the Node.js release the tests run on', () => {
    const { devDependencies } = JSON.parse(read('package.json')) as {
      devDependencies: Record<string, string>;
    };
    expect(read('examples/Dockerfile')).toMatch(
      new RegExp(`^FROM node:${devDependencies.node?.replaceAll('.', '\\.')}-slim AS base$`, 'm'),
    );
  });

  it('runs the contrib collector image of exactly the release the tests build with ocb', () => {
    const manifest = yamlOf('collector/builder-config.yaml') as { dist: { version: string } };
    expect(services['otel-collector']?.image).toBe(
      `otel/opentelemetry-collector-contrib:${manifest.dist.version}`,
    );
  });

  it('runs Prometheus and Alertmanager of exactly the releases the tests provision', () => {
    expect(services.prometheus?.image).toBe(`prom/prometheus:v${prometheusRelease.version}`);
    expect(services.alertmanager?.image).toBe(`prom/alertmanager:v${alertmanagerRelease.version}`);
  });

  it('mounts only files and folders that exist in the repository', () => {
    for (const [name, service] of Object.entries(services))
      for (const mount of bindMounts(service))
        expect(existsSync(mount.source), `${name}: ${mount.source}`).toBe(true);
  });

  it('mounts configuration read-only', () => {
    for (const [name, service] of Object.entries(services))
      for (const mount of bindMounts(service)) expect(mount.readOnly, `${name}: ${mount.source}`).toBe(true);
  });

  it('starts the collector with the configuration files the tests load, in the same order', () => {
    const collector = services['otel-collector'] as ComposeFile['services'][string];
    const configs = flagValues(collector, '--config');
    const hostFiles = configs.map((config) => hostPathOf(collector, config));
    expect(hostFiles.slice(0, 2)).toEqual(collectorConfigFiles);
    // Then the secrets as files, over the base's variables.
    expect(hostFiles[2]).toBe(path.join(repoRoot, 'collector/secret-files.yaml'));
    // Then one slot per vendor: the empty overlay until .env names the vendor's overlay.
    const overlays = flagValues(
      resolved.services['otel-collector'] as ComposeFile['services'][string],
      '--config',
    ).slice(3);
    expect(overlays).toEqual(['/etc/otelcol/overlays/none.yaml', '/etc/otelcol/overlays/none.yaml']);
    for (const [variable, overlay] of [
      ['COLLECTOR_SENTRY_OVERLAY', 'sentry'],
      ['COLLECTOR_DATADOG_OVERLAY', 'datadog'],
    ] as const) {
      const on = interpolate(compose, { ...filledEnv, [variable]: overlay }).value.services['otel-collector'];
      const file = flagValues(on as ComposeFile['services'][string], '--config')
        .map((config) => hostPathOf(collector, config))
        .find((host) => host?.endsWith(`${overlay}.yaml`));
      expect(file && existsSync(file), `${variable}=${overlay}`).toBe(true);
    }
  });

  it('starts the collector with the feature gates the tests start it with', () => {
    const command = (services['otel-collector'] as ComposeFile['services'][string]).command as string[];
    for (const gate of COLLECTOR_FEATURE_GATES) expect(command).toContain(gate);
  });

  it('starts Prometheus with the tests’ prometheus.yml and rules, and their OTLP receiver flag', () => {
    const prometheus = services.prometheus as ComposeFile['services'][string];
    const [config = ''] = flagValues(prometheus, '--config.file');
    expect(hostPathOf(prometheus, config)).toBe(path.join(repoRoot, 'prometheus/prometheus.yml'));
    // rule_files are relative to the config file: each glob must land in the mounted rules folder.
    const { rule_files: ruleFiles } = yamlOf('prometheus/prometheus.yml') as { rule_files: string[] };
    for (const glob of ruleFiles)
      expect(
        path.dirname(hostPathOf(prometheus, path.posix.join(path.posix.dirname(config), glob)) ?? ''),
      ).toBe(path.join(repoRoot, 'prometheus/rules'));
    expect(prometheus.command).toContain('--web.enable-otlp-receiver');
    expect(flagValues(prometheus, '--storage.tsdb.retention.time')).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a compose variable, literally
      '${PROMETHEUS_RETENTION:-15d}',
    ]);
  });

  it('starts Alertmanager with the tests’ alertmanager.yml, its templates and its secrets folder', () => {
    const alertmanager = services.alertmanager as ComposeFile['services'][string];
    const [config = ''] = flagValues(alertmanager, '--config.file');
    expect(hostPathOf(alertmanager, config)).toBe(path.join(repoRoot, 'alertmanager/alertmanager.yml'));
    const configDir = path.posix.dirname(config);
    const am = yamlOf('alertmanager/alertmanager.yml');
    const fileRefs = JSON.stringify(am).match(/"[a-z_]+_file":"[^"]+"/g) ?? [];
    expect(fileRefs.length).toBeGreaterThan(0);
    for (const ref of fileRefs) {
      const file = ref.split(':')[1]?.replaceAll('"', '') ?? '';
      // Alertmanager resolves a relative *_file against its working directory, so the config names them
      // absolutely; a relative one would be read from wherever the container happens to start.
      expect(path.posix.isAbsolute(file), file).toBe(true);
      expect(path.dirname(hostPathOf(alertmanager, file) ?? '')).toBe(
        path.join(repoRoot, 'alertmanager/secrets'),
      );
    }
    for (const glob of (am.templates as string[]) ?? [])
      expect(path.dirname(hostPathOf(alertmanager, path.posix.join(configDir, glob)) ?? '')).toBe(
        path.join(repoRoot, 'alertmanager/templates'),
      );
  });

  it('provisions Grafana from grafana/provisioning, with the dashboards of grafana/dashboards', () => {
    const grafana = services.grafana as ComposeFile['services'][string];
    expect(hostPathOf(grafana, '/etc/grafana/provisioning')).toBe(
      path.join(repoRoot, 'grafana/provisioning'),
    );
    expect(hostPathOf(grafana, '/var/lib/grafana/dashboards')).toBe(
      path.join(repoRoot, 'grafana/dashboards'),
    );
  });

  it('gives Tempo and Loki their files from tempo/ and loki/', () => {
    expect(hostPathOf(services.tempo as ComposeFile['services'][string], '/etc/tempo/tempo.yaml')).toBe(
      path.join(repoRoot, 'tempo/tempo.yaml'),
    );
    expect(hostPathOf(services.loki as ComposeFile['services'][string], '/etc/loki/loki.yaml')).toBe(
      path.join(repoRoot, 'loki/loki.yaml'),
    );
  });

  it('lets the MCP server and the traffic reach the collector and each other, and no backend', () => {
    const networksOf = (name: string) => new Set(serviceNetworks(services[name]));
    const reachable = (from: string) =>
      Object.keys(services)
        .filter((to) => to !== from && [...networksOf(from)].some((network) => networksOf(to).has(network)))
        .sort();
    expect(reachable('detainee-locator')).toEqual(['otel-collector', 'traffic']);
    expect(reachable('traffic')).toEqual(['detainee-locator', 'otel-collector']);
    for (const backend of ['prometheus', 'alertmanager', 'tempo', 'loki', 'grafana'])
      expect(reachable(backend), backend).not.toContain('detainee-locator');
    // The backends' own network has no route out; what is published or must leave uses another one.
    expect(compose.networks?.backend?.internal).toBe(true);
    for (const name of ['tempo', 'loki']) expect([...networksOf(name)], name).toEqual(['backend']);
  });

  it('runs every container without capabilities, privilege gain or a writable root, with a pids limit', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toContain('no-new-privileges:true');
      expect(service.read_only, name).toBe(true);
      // deploy.resources.limits.pids, not pids_limit: compose refuses a file with both once memory is
      // limited there too ("can't set distinct values on 'pids_limit' and 'deploy.resources.limits.pids'").
      expect(service.deploy?.resources?.limits?.pids, name).toBeGreaterThan(0);
      expect(service.pids_limit, name).toBeUndefined();
    }
    for (const oneShot of ['otelcol-queue-owner', 'secrets'])
      expect(services[oneShot]?.cap_add, oneShot).toEqual(['CHOWN']);
    for (const [name, service] of Object.entries(services))
      if (!['otelcol-queue-owner', 'secrets'].includes(name)) expect(service.cap_add, name).toBeUndefined();
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const ports = Object.values(services).flatMap((service) => service.ports ?? []);
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('keeps state in named volumes, the collector’s persistent queues included', () => {
    const declared = Object.keys(compose.volumes);
    for (const [name, service] of Object.entries(services))
      for (const volume of Object.keys(namedVolumes(service))) expect(declared, name).toContain(volume);
    const collector = services['otel-collector'] as ComposeFile['services'][string];
    expect(namedVolumes(collector)['otelcol-queues']).toBe(collector.environment?.OTELCOL_QUEUE_DIR);
    expect(namedVolumes(services.prometheus as ComposeFile['services'][string])['prometheus-data']).toBe(
      '/prometheus',
    );
  });

  it('gives every service a restart policy and a memory limit', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.restart, name).toMatch(/^(unless-stopped|always|no|on-failure)$/);
      expect(service.deploy?.resources?.limits?.memory, name).toMatch(/^\d+[MG]$/);
    }
  });

  it('starts in order: every long-running service has a healthcheck, dependencies wait for health', () => {
    // The collector image is FROM scratch (no shell, no HTTP client): it has no container healthcheck,
    // so whoever depends on it waits for it to start, and Prometheus watches it (OtelcolDown).
    const oneShots = ['otelcol-queue-owner', 'secrets'];
    const withoutHealthcheck = ['otel-collector', 'traffic', ...oneShots];
    for (const [name, service] of Object.entries(services))
      if (!withoutHealthcheck.includes(name)) expect(service.healthcheck?.test, name).toBeDefined();
    for (const [name, service] of Object.entries(services))
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} -> ${dependency}`).toBeDefined();
        const expected = services[dependency]?.healthcheck
          ? 'service_healthy'
          : oneShots.includes(dependency)
            ? 'service_completed_successfully'
            : 'service_started';
        expect(condition, `${name} -> ${dependency}`).toBe(expected);
      }
    expect(Object.keys(services['otel-collector']?.depends_on ?? {})).toEqual(
      expect.arrayContaining(['prometheus', 'tempo', 'loki']),
    );
    expect(Object.keys(services.grafana?.depends_on ?? {})).toEqual(
      expect.arrayContaining(['prometheus', 'tempo', 'loki', 'alertmanager']),
    );
  });

  it('names services as the shared configuration files address them', () => {
    const addresses = [
      ...JSON.stringify(yamlOf('prometheus/prometheus.yml')).matchAll(/"([a-z-]+):(\d+)"/g),
      ...read('collector/config.yaml').matchAll(/:-https?:\/\/([a-z-]+):(\d+)/g),
    ].map(([, host, port]) => `${host}:${port}`);
    expect(addresses).toEqual(
      expect.arrayContaining(['alertmanager:9093', 'otel-collector:8888', 'tempo:4318', 'loki:3100']),
    );
    for (const address of addresses) expect(Object.keys(services)).toContain(address.split(':')[0]);
  });

  it('requires the collector’s bearer token on OTLP, and the reference server sends it', () => {
    const config = yamlOf('collector/config.yaml') as {
      extensions: Record<string, { token?: string }>;
      receivers: { otlp: { protocols: Record<string, { auth?: { authenticator: string } }> } };
    };
    const files = yamlOf('collector/secret-files.yaml') as {
      extensions: Record<string, { token?: string; filename?: string }>;
    };
    for (const protocol of Object.values(config.receivers.otlp.protocols)) {
      const authenticator = protocol.auth?.authenticator ?? '';
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a collector variable, literally
      expect(config.extensions[authenticator]?.token).toBe('${env:MCP_KIT_COLLECTOR_TOKEN}');
      // In compose, from the file the secrets service writes.
      expect(files.extensions[authenticator]).toEqual({
        token: '',
        filename: '/run/secrets/mcp-kit/collector_token',
      });
    }
    expect(services['detainee-locator']?.environment?.MCP_KIT_OTLP_HEADERS_FILE).toBe(
      '/run/secrets/mcp-kit/otlp_headers',
    );
  });

  it('reads the HMAC key of every privacy-layer-2 processor from its file in compose', () => {
    const privacy = yamlOf('collector/privacy.yaml') as { processors: Record<string, { hmac_key?: string }> };
    const files = yamlOf('collector/secret-files.yaml') as {
      processors: Record<string, { hmac_key?: string }>;
    };
    const keyed = Object.keys(privacy.processors).filter((name) => privacy.processors[name]?.hmac_key);
    expect(keyed.length).toBeGreaterThan(0);
    expect(Object.keys(files.processors).sort()).toEqual(keyed.sort());
    for (const name of keyed)
      expect(files.processors[name]?.hmac_key, name).toBe(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a collector file reference, literally
        '${file:/run/secrets/mcp-kit/collector_hmac_key}',
      );
  });

  it('gives Grafana its admin password as a file, no anonymous access and no phoning home', () => {
    const env = services.grafana?.environment ?? {};
    expect(env.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/run/secrets/mcp-kit/grafana_admin_password');
    expect(env).not.toHaveProperty('GF_SECURITY_ADMIN_PASSWORD');
    expect(env).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
      GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
    });
  });

  it('keeps traces and logs for days, not months, and tells Grafana Labs nothing', () => {
    const days = (duration: string) => Number.parseInt(duration, 10) / (duration.endsWith('h') ? 24 : 1);
    const tempo = read('tempo/tempo.yaml');
    const loki = read('loki/loki.yaml');
    const defaults = [
      ...tempo.matchAll(/block_retention: \$\{TEMPO_RETENTION:-(\w+)\}/g),
      ...loki.matchAll(/retention_period: \$\{LOKI_RETENTION:-(\w+)\}/g),
    ].map(([, value]) => value ?? '');
    expect(defaults).toHaveLength(3);
    for (const value of [
      ...defaults,
      envExample().TEMPO_RETENTION ?? '',
      envExample().LOKI_RETENTION ?? '',
    ]) {
      expect(days(value)).toBeGreaterThanOrEqual(1);
      expect(days(value)).toBeLessThanOrEqual(7);
    }
    expect(yamlOf('loki/loki.yaml')).toMatchObject({
      compactor: { retention_enabled: true },
      analytics: { reporting_enabled: false },
    });
    expect(yamlOf('tempo/tempo.yaml')).toMatchObject({ usage_report: { reporting_enabled: false } });
    for (const service of ['tempo', 'loki'])
      expect(services[service]?.command, service).toContain('-config.expand-env=true');
  });
});

/** A scratch folder for one run of the secrets script, removed afterwards. */
function withSecretsDir(use: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpkit-secrets-'));
  try {
    use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('secrets', () => {
  it('need no .env: compose interpolates the file with no variable set, without an error', () => {
    expect(interpolate(compose, {}).errors).toEqual([]);
    expect(composeText()).not.toMatch(/\$\{[A-Z0-9_]+:?\?/);
  });

  it('reach no service’s environment: only paths of files in its own read-only secrets volume', () => {
    // The vendors' keys are the operator's, passed from .env to the collector while a vendor is on.
    const vendorKeys = ['SENTRY_PUBLIC_KEY', 'DD_API_KEY'];
    for (const [name, service] of Object.entries(services)) {
      if (name === 'secrets') continue;
      for (const [variable, value] of Object.entries(service.environment ?? {}))
        if (secretName.test(variable) && !vendorKeys.includes(variable)) {
          expect(variable, `${name}.${variable}`).toMatch(/_FILE$/);
          expect(value, `${name}.${variable}`).toMatch(new RegExp(`^${secretsMount}/[a-z_]+$`));
          const volume = Object.entries(namedVolumes(service)).find(([, target]) => target === secretsMount);
          expect(volume?.[0], name).toBe(`secrets-${name === 'detainee-locator' ? 'server' : name}`);
        }
      // Headers carry the collector's token: not as a variable either.
      expect(Object.keys(service.environment ?? {}), name).not.toContain('OTEL_EXPORTER_OTLP_HEADERS');
    }
  });

  it('are each written by the secrets service where its reader looks, readable by that reader’s user only', () =>
    withSecretsDir((dir) => {
      const result = runComposeSecrets(dir);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const readers = {
        collector: { service: 'otel-collector', uid: 10001 },
        server: { service: 'detainee-locator', uid: 1000 },
        traffic: { service: 'traffic', uid: 1000 },
        grafana: { service: 'grafana', uid: 472 },
      };
      const referenced = (service: string) => [
        ...new Set(
          [
            ...JSON.stringify(services[service]?.environment ?? {}).matchAll(
              /\/run\/secrets\/mcp-kit\/([a-z_]+)/g,
            ),
            ...(service === 'otel-collector'
              ? read('collector/secret-files.yaml').matchAll(/\/run\/secrets\/mcp-kit\/([a-z_]+)/g)
              : []),
          ].map(([, file]) => file),
        ),
      ];
      for (const [volume, { service, uid }] of Object.entries(readers)) {
        const written = readdirSync(path.join(dir, volume)).sort();
        expect(written, volume).toEqual(referenced(service).sort());
        for (const file of written) {
          const stat = statSync(path.join(dir, volume, file));
          expect([stat.uid, stat.mode & 0o777], `${volume}/${file}`).toEqual([uid, 0o400]);
          expect(stat.size, `${volume}/${file}`).toBeGreaterThanOrEqual(32);
        }
      }
    }));

  it('are made once and kept: a second start hands out the same values, an override in .env replaces one', () =>
    withSecretsDir((dir) => {
      const token = () => readFileSync(path.join(dir, 'collector/collector_token'), 'utf8');
      runComposeSecrets(dir);
      const first = token();
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      runComposeSecrets(dir);
      expect(token()).toBe(first);
      const chosen = 'chosen-by-the-operator-0123456789abcdef';
      const overridden = runComposeSecrets(dir, {
        MCP_KIT_OVERRIDES: 'MCP_KIT_COLLECTOR_TOKEN',
        MCP_KIT_COLLECTOR_TOKEN: chosen,
      });
      expect(overridden.status).toBe(0);
      expect(token()).toBe(chosen);
      expect(readFileSync(path.join(dir, 'server/otlp_headers'), 'utf8')).toBe(
        `Authorization=Bearer ${chosen}`,
      );
      // Without the override the kept one comes back.
      runComposeSecrets(dir);
      expect(token()).toBe(first);
    }));

  it.each([
    ['empty', '', 'MCP_KIT_PSEUDONYM_KEY is empty in .env'],
    ['short', 'too-short-0123', 'MCP_KIT_PSEUDONYM_KEY in .env has 14 characters; at least 32 are required'],
    [
      'holding a separator',
      'has,a,comma,0123456789abcdef0123456789',
      'MCP_KIT_PSEUDONYM_KEY in .env has a character outside',
    ],
  ])('refuse an override %s in one line naming it, never its value, and write nothing', (_, value, message) =>
    withSecretsDir((dir) => {
      const result = runComposeSecrets(dir, {
        MCP_KIT_OVERRIDES: 'MCP_KIT_PSEUDONYM_KEY',
        MCP_KIT_PSEUDONYM_KEY: value,
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`secrets: ${message}`);
      if (value) expect(result.stderr).not.toContain(value);
      expect(readdirSync(path.join(dir, 'server'))).toEqual([]);
    }),
  );

  it('spread ordinary traffic over a pool of principals the server accepts, and keep the prober apart', () =>
    withSecretsDir((dir) => {
      const traffic = resolved.services.traffic?.environment ?? {};
      const server = resolved.services['detainee-locator']?.environment ?? {};
      const agents = Number(traffic.TRAFFIC_AGENTS);
      expect(agents).toBeGreaterThanOrEqual(100);
      expect(resolved.services.secrets?.environment?.TRAFFIC_AGENTS).toBe(String(agents));
      runComposeSecrets(dir, { TRAFFIC_AGENTS: String(agents) });
      // A container's /run/secrets/mcp-kit/<file> is <volume>/<file> here.
      const secretFile = (volume: string, inContainer: unknown) =>
        path.join(dir, volume, path.posix.basename(String(inContainer)));
      const tokens = tokensFromEnvironment({
        LOCATOR_TOKENS_FILE: secretFile('server', server.LOCATOR_TOKENS_FILE),
      });
      const agentsSecret = readFileSync(secretFile('traffic', traffic.TRAFFIC_TOKEN_FILE), 'utf8');
      // Every agent the generator plays presents a token of its own that the server knows, under its own name.
      const principals = new Set(
        Array.from(
          { length: agents },
          (_, i) =>
            Object.entries(tokens).find(([, token]) => token === agentToken(agentsSecret, i + 1))?.[0],
        ),
      );
      expect(principals.size).toBe(agents);
      expect(principals.has(undefined)).toBe(false);
      expect(tokens.prober).toBe(
        readFileSync(secretFile('traffic', traffic.TRAFFIC_ENUMERATION_TOKEN_FILE), 'utf8'),
      );
      expect(Object.keys(tokens)).toHaveLength(agents + 1);
    }));

  it('are never literal in the compose file: the secrets service takes overrides from .env only', () => {
    const overrides = Object.entries(services.secrets?.environment ?? {}).filter(([variable]) =>
      secretName.test(variable),
    );
    expect(overrides.length).toBe(6);
    for (const [variable, value] of overrides) expect(value, variable).toBe(`\${${variable}:-}`);
  });

  it('are not set in .env.example, whose other values are defaults, never credentials', () => {
    for (const [name, value] of Object.entries(envExample())) {
      if (secretName.test(name)) expect(value, name).toBe('');
      // Nothing that looks generated: a long run of letters and digits mixed.
      expect(value, name).not.toMatch(/(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{24,}/);
    }
    const made =
      read('scripts/compose-secrets.sh')
        .match(/^names="([^"]+)"/m)?.[1]
        ?.split(' ') ?? [];
    expect(made).toHaveLength(6);
    for (const name of made) expect(envExample(), name).not.toHaveProperty(name);
  });

  it.each([
    'docker-compose.yml',
    '.env.example',
    'collector/config.yaml',
    'collector/secret-files.yaml',
    'collector/overlays/sentry.yaml',
    'collector/overlays/datadog.yaml',
    'prometheus/prometheus.yml',
    'alertmanager/alertmanager.yml',
    'tempo/tempo.yaml',
    'loki/loki.yaml',
  ])('are not committed in %s', (file) => {
    const text = read(file);
    // A secret-named key with a literal value: anything but empty, a variable, or a *_file path.
    const assignments = [
      ...text.matchAll(
        /^[ \t]*-?[ \t]*"?([\w.-]*(?:token|password|api[_-]?key|secret|routing_key)s?)"?[ \t]*[:=][ \t]*(.*)$/gim,
      ),
    ];
    expect(assignments.length + text.length).toBeGreaterThan(0);
    for (const [, key = '', value = ''] of assignments) {
      const literal = value
        .replace(/\s#.*$/, '')
        .trim()
        .replace(/^["']|["']$/g, '');
      // A path names where a secret is kept (a volume mount, a *_file setting), not the secret.
      if (!literal.startsWith('/')) expect(holdsLiteral(literal), `${file}: ${key}: ${literal}`).toBe(false);
    }
    expect(text).not.toMatch(
      /hooks\.slack\.com\/services\/T|xox[bp]-|\bsk_live_|-----BEGIN [A-Z ]*PRIVATE KEY/,
    );
  });
});

describe('.env.example', () => {
  const documented = read('.env.example')
    .split('\n')
    .flatMap((line) => line.match(/^#?\s*([A-Z][A-Z0-9_]*)=/)?.[1] ?? []);

  it('documents every variable the compose file reads, and only those', () => {
    expect([...new Set(documented)].sort()).toEqual(variablesIn(composeText()).sort());
  });

  it('documents every variable the collector overlays read, and compose passes each to the collector', () => {
    const collectorEnv = Object.keys(services['otel-collector']?.environment ?? {});
    for (const overlay of ['collector/overlays/sentry.yaml', 'collector/overlays/datadog.yaml'])
      for (const [, variable = ''] of read(overlay).matchAll(/\$\{env:([A-Z0-9_]+)/g)) {
        expect(documented, `${overlay}: ${variable}`).toContain(variable);
        expect(collectorEnv, `${overlay}: ${variable}`).toContain(variable);
      }
  });
});

describe('collector overlays for compose', () => {
  const base = ['collector/config.yaml', 'collector/privacy.yaml'].map(yamlOf);
  const defined = (config: Record<string, unknown>, kind: string) =>
    Object.keys((config[kind] as Record<string, unknown>) ?? {});
  const pipelinesOf = (config: Record<string, unknown>) =>
    ((config.service as { pipelines?: Record<string, Record<string, string[]>> })?.pipelines ?? {}) as Record<
      string,
      { receivers: string[]; processors?: string[]; exporters: string[] }
    >;

  it('loads an empty overlay in a vendor’s slot while the vendor is off', () => {
    expect(parse(read('collector/overlays/none.yaml'))).toBeNull();
  });

  it.each(['collector/overlays/sentry.yaml', 'collector/overlays/datadog.yaml'])(
    '%s only adds pipelines fed by the base’s forward connectors, using components it or the base defines',
    (file) => {
      const overlay = yamlOf(file);
      const all = [...base, overlay];
      const components = (kind: string) => all.flatMap((config) => defined(config, kind));
      const basePipelines = Object.keys(pipelinesOf(base[0] as Record<string, unknown>));
      const ownConnectors = defined(overlay, 'connectors');
      for (const [name, pipeline] of Object.entries(pipelinesOf(overlay))) {
        expect(basePipelines, `${file} redefines ${name}`).not.toContain(name);
        for (const receiver of pipeline.receivers)
          expect(
            receiver.startsWith('forward/') || ownConnectors.includes(receiver),
            `${name}: ${receiver}`,
          ).toBe(true);
        for (const processor of pipeline.processors ?? [])
          expect(components('processors')).toContain(processor);
        for (const exporter of pipeline.exporters)
          expect([...components('exporters'), ...components('connectors')]).toContain(exporter);
      }
      expect(overlay).not.toHaveProperty('receivers');
    },
  );
});

describe('README', () => {
  const readme = read('README.md');
  const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, body]) => body ?? '');
  const section = (heading: string) => readme.split(/^## /m).find((part) => part.startsWith(heading)) ?? '';

  it('quickstart is what a new user runs: docker compose up, nothing to edit first', () => {
    const quickstart = section('Quickstart');
    const commands = [...quickstart.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap(([, body]) => (body ?? '').split('\n'))
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean);
    expect(commands).toEqual([
      'docker compose up',
      // Grafana's password, which the compose-stack test runs as written here.
      'docker compose exec grafana cat /run/secrets/mcp-kit/grafana_admin_password',
    ]);
    expect(quickstart).toContain('http://localhost:3000');
  });

  it('tells how to run the tests with exactly what CI runs', () => {
    const ci = read('.ci/run')
      .split('\n')
      .filter((line) => /^npm /.test(line));
    expect(ci).toEqual(['npm ci', 'npm test']);
    expect(shellBlocks).toContain(`${ci.join('\n')}\n`);
  });

  it('lists every published port with its URL', () => {
    const published = Object.values(services)
      .flatMap((service) => service.ports ?? [])
      .map((port) => port.split(':')[1]);
    for (const port of published) expect(readme, `port ${port}`).toMatch(new RegExp(`localhost:${port}\\b`));
  });

  it('names the images’ pinned versions', () => {
    for (const image of Object.values(services).flatMap((service) => (service.image ? [service.image] : [])))
      expect(readme, image).toContain(image.split(':')[1]?.replace(/^v/, '') ?? '');
  });
});

it('ships the Compose Specification schema it validates with, unmodified and with its origin', () => {
  const notes = read('test/support/schemas/README.md');
  expect(notes).toMatch(/compose-spec\/compose-go.*v2\.13\.0/s);
  expect(notes).toContain('Apache-2.0');
  // Unmodified: the file is byte for byte the git blob the notes name (git's object id of its content).
  const blob = /git blob `([0-9a-f]{40})`/.exec(notes)?.[1];
  const content = readFileSync(path.join(repoRoot, 'test/support/schemas/compose-spec.json'));
  const objectId = createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
  expect(objectId).toBe(blob);
});
