// `npm run tools` provides exactly the programs the manifests pin: the collector is the ocb build of
// collector/builder-config.yaml, and Prometheus and Alertmanager are the pinned releases.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectorManifest } from '../../scripts/provision/collector.ts';
import { alertmanagerRelease, prometheusRelease } from '../../scripts/provision/prometheus.ts';
import { requireTools } from '../support/tools.ts';

const tools = requireTools();
const run = (file: string, ...args: string[]) => execFileSync(file, args, { encoding: 'utf8' });

interface ComponentsReport {
  buildinfo: { version: string };
  [kind: string]: { name: string; module: string }[] | { version: string };
}

describe('the provisioned collector', () => {
  const manifest = collectorManifest() as unknown as Record<string, { gomod: string }[]> & {
    dist: { version: string };
  };
  const report = parse(run(tools.otelcol, 'components')) as ComponentsReport;
  const built = (kind: string) => (report[kind] as { name: string; module: string }[] | undefined) ?? [];

  it('is the version the manifest pins', () => {
    expect(report.buildinfo.version).toBe(manifest.dist.version);
  });

  it('contains every module of the manifest at its pinned version', () => {
    for (const kind of ['receivers', 'processors', 'exporters', 'connectors', 'extensions']) {
      const expected = (manifest[kind] ?? []).map((component) => component.gomod).sort();
      expect(
        built(kind)
          .map((component) => component.module)
          .sort(),
        kind,
      ).toEqual(expected);
    }
  });

  it('offers the component types the kit’s pipelines use', () => {
    const names = (kind: string) => built(kind).map((component) => component.name);
    expect(names('receivers')).toEqual(expect.arrayContaining(['otlp']));
    expect(names('processors')).toEqual(
      expect.arrayContaining([
        'memory_limiter',
        'batch',
        'redaction',
        'transform',
        'attributes',
        'filter',
        'resource_detection',
      ]),
    );
    expect(names('connectors')).toEqual(expect.arrayContaining(['span_metrics', 'forward']));
    expect(names('exporters')).toEqual(
      expect.arrayContaining([
        'otlp_grpc',
        'otlp_http',
        'prometheus',
        'prometheus_remote_write',
        'file',
        'debug',
      ]),
    );
    expect(names('extensions')).toEqual(
      expect.arrayContaining(['health_check', 'file_storage', 'bearertokenauth', 'zpages', 'pprof']),
    );
  });
});

describe('the provisioned Prometheus and Alertmanager', () => {
  it.each([
    ['prometheus', tools.prometheus, prometheusRelease.version],
    ['promtool', tools.promtool, prometheusRelease.version],
    ['alertmanager', tools.alertmanager, alertmanagerRelease.version],
    ['amtool', tools.amtool, alertmanagerRelease.version],
  ])('%s reports the pinned release', (name, file, version) => {
    expect(run(file, '--version')).toMatch(
      new RegExp(`^${name}, version ${version.replaceAll('.', '\\.')} `),
    );
  });
});
