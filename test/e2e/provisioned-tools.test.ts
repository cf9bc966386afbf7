// `npm run tools` provides exactly the programs the manifests pin: the collector is the ocb build of
// collector/builder-config.yaml, and Prometheus and Alertmanager are the pinned releases.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { collectorManifest } from '../../scripts/provision/collector.ts';
import { alertmanagerRelease, prometheusRelease } from '../../scripts/provision/prometheus.ts';
import { collectorConfigFiles } from '../support/kit-collector.ts';
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

  it('offers every component type the kit’s configurations use, base, privacy and overlays', () => {
    const configs = [
      ...collectorConfigFiles,
      ...readdirSync(path.join(repoRoot, 'collector/overlays')).map((file) =>
        path.join(repoRoot, 'collector/overlays', file),
      ),
    ];
    const used = new Map<string, Set<string>>();
    for (const file of configs) {
      const config = (parse(readFileSync(file, 'utf8')) ?? {}) as Record<
        string,
        Record<string, unknown> | null
      >;
      for (const kind of ['receivers', 'processors', 'exporters', 'connectors', 'extensions']) {
        // A component's id is its type, then optionally `/` and a name of the configuration's choosing.
        for (const id of Object.keys(config[kind] ?? {})) {
          used.set(kind, (used.get(kind) ?? new Set()).add(id.split('/')[0] ?? id));
        }
      }
    }
    expect(used.get('processors')?.size, 'the configurations were read').toBeGreaterThan(3);
    const missing = [...used].flatMap(([kind, types]) => {
      // Collector 0.159 names types in snake case (span_metrics) and still accepts the old names
      // (spanmetrics), which the configurations use in places: compared without underscores.
      const bare = (type: string) => type.replaceAll('_', '');
      const names = new Set(built(kind).map((component) => bare(component.name)));
      return [...types].filter((type) => !names.has(bare(type))).map((type) => `${kind}/${type}`);
    });
    // Only the datadog exporter and connector of collector/overlays/datadog.yaml, which runs on the
    // contrib image: the Go module proxy serves no buildable version of them (builder-config.yaml).
    expect(missing.sort()).toEqual(['connectors/datadog', 'exporters/datadog']);
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
