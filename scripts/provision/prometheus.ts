// Builds Prometheus + promtool and Alertmanager + amtool from their Go modules, cached by version.
// The docker compose stack pins the official images of the same releases (a test compares them).
// Built without the web UI assets (they are not part of the Go modules); the HTTP APIs the tests use
// are complete.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildAtomically, cacheRoot } from './cache.ts';
import { goInstall } from './go.ts';

/**
 * Prometheus publishes its Go module as v0.3MM.P for release 3.MM.P. Alertmanager stays at v0.31.1:
 * from v0.32 its UI is embedded from a build step that the published module lacks, so `go install`
 * of later releases fails.
 */
export const prometheusRelease = {
  module: 'github.com/prometheus/prometheus',
  goVersion: 'v0.316.0',
  version: '3.16.0',
};
export const alertmanagerRelease = {
  module: 'github.com/prometheus/alertmanager',
  goVersion: 'v0.31.1',
  version: '0.31.1',
};

/** What the projects' Makefiles stamp into a release build, so `--version` names the release. */
function versionStamp(release: { goVersion: string; version: string }): string {
  const pkg = 'github.com/prometheus/common/version';
  return [
    `-X ${pkg}.Version=${release.version}`,
    `-X ${pkg}.Revision=${release.goVersion}`,
    `-X ${pkg}.Branch=go-module`,
  ].join(' ');
}

export interface PrometheusTools {
  prometheus: string;
  promtool: string;
  alertmanager: string;
  amtool: string;
}

/**
 * Static binaries, as the projects' release builds are (promu with cgo off): the images the compose
 * tests build put them on a busybox base, which has no glibc.
 */
const staticBuild = { CGO_ENABLED: '0' };

function binDir(name: string, version: string): string {
  return path.join(cacheRoot(), name, `${version}-static`);
}

export function prometheusToolPaths(): PrometheusTools {
  const prom = binDir('prometheus', prometheusRelease.goVersion);
  const am = binDir('alertmanager', alertmanagerRelease.goVersion);
  return {
    prometheus: path.join(prom, 'prometheus'),
    promtool: path.join(prom, 'promtool'),
    alertmanager: path.join(am, 'alertmanager'),
    amtool: path.join(am, 'amtool'),
  };
}

export function provisionPrometheusTools(): PrometheusTools {
  const { module: prom, goVersion: promVersion } = prometheusRelease;
  const { module: am, goVersion: amVersion } = alertmanagerRelease;
  const paths = prometheusToolPaths();
  if (!existsSync(paths.prometheus))
    console.log(`[tools] building Prometheus ${promVersion} (first run only)`);
  buildAtomically(path.dirname(paths.prometheus), (scratch) =>
    goInstall(
      scratch,
      [`${prom}/cmd/prometheus@${promVersion}`, `${prom}/cmd/promtool@${promVersion}`],
      versionStamp(prometheusRelease),
      staticBuild,
    ),
  );
  if (!existsSync(paths.alertmanager))
    console.log(`[tools] building Alertmanager ${amVersion} (first run only)`);
  buildAtomically(path.dirname(paths.alertmanager), (scratch) =>
    goInstall(
      scratch,
      [`${am}/cmd/alertmanager@${amVersion}`, `${am}/cmd/amtool@${amVersion}`],
      versionStamp(alertmanagerRelease),
      staticBuild,
    ),
  );
  return paths;
}
