// Runs the real collector (the ocb build from collector/builder-config.yaml) for a test.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { type RunningBinary, startBinary } from './binary.ts';
import { freePort } from './ports.ts';
import { requireTools } from './tools.ts';

export interface CollectorOptions {
  /** Config sources in merge order: file paths, or objects written to a temporary YAML file. */
  configs: (string | Record<string, unknown>)[];
  /** Environment for ${env:...} references in the configs. */
  env?: Record<string, string>;
  /** The port of the config's health_check extension. */
  healthPort: number;
  /** Feature gate flags; default COLLECTOR_FEATURE_GATES, as compose passes them. */
  featureGates?: string[];
  /**
   * A command that runs the collector as its last arguments and ends by exec-ing them, so the process is
   * still the collector's (a fault test gives it a filesystem of its own this way).
   */
  launcher?: string[];
}

export interface RunningCollector extends RunningBinary {
  /** The collector's own metrics in Prometheus text format, at /metrics on this port. */
  telemetryPort: number;
}

function configArgs(configs: CollectorOptions['configs']): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-otelcol-'));
  return configs.map((config, index) => {
    if (typeof config === 'string') return `--config=file:${path.resolve(config)}`;
    const file = path.join(dir, `config-${index}.yaml`);
    writeFileSync(file, stringify(config));
    return `--config=file:${file}`;
  });
}

/**
 * The feature gates the kit's configuration needs, passed by the tests and docker-compose.yml alike:
 * `ottl.set.allowNil` lets transform/privacy clear span links (`set(span.links, nil)`); without it the
 * statement is ignored and filter/privacy drops every span that still has links.
 * `ottl.functions.enableLambda` lets it keep only the attribute values it has a decision for (`Filter`);
 * without it the collector refuses the configuration.
 */
export const COLLECTOR_FEATURE_GATES = ['--feature-gates=ottl.set.allowNil,ottl.functions.enableLambda'];

export async function startCollector(options: CollectorOptions): Promise<RunningCollector> {
  const telemetryPort = await freePort();
  // Appended last so it wins: the collector's own metrics on a free loopback port, never the shared
  // default :8888, so several collectors can run side by side.
  const telemetry = {
    service: {
      telemetry: {
        metrics: {
          readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: telemetryPort } } } }],
        },
      },
    },
  };
  const [command, ...launcherArgs] = [...(options.launcher ?? []), requireTools().otelcol];
  const collector = await startBinary({
    name: 'otelcol',
    command: command as string,
    args: [
      ...launcherArgs,
      ...(options.featureGates ?? COLLECTOR_FEATURE_GATES),
      ...configArgs([...options.configs, telemetry]),
    ],
    env: options.env ?? {},
    healthUrl: `http://127.0.0.1:${options.healthPort}/`,
  });
  return Object.assign(collector, { telemetryPort });
}

/** `otelcol validate`: resolves and checks a configuration without starting any pipeline. */
export async function validateCollectorConfig(
  configs: CollectorOptions['configs'],
  env: Record<string, string> = {},
  featureGates: string[] = COLLECTOR_FEATURE_GATES,
): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      requireTools().otelcol,
      ['validate', ...featureGates, ...configArgs(configs)],
      {
        env: { ...process.env, ...env },
      },
    );
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}
