// Builds the collector from collector/builder-config.yaml with the OpenTelemetry Collector Builder (ocb)
// of the same release, cached by the manifest's hash.
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { buildAtomically, cacheRoot, repoRoot, shortHash } from './cache.ts';
import { goEnv, goInstall } from './go.ts';

export const builderConfigPath = path.join(repoRoot, 'collector/builder-config.yaml');

interface BuilderManifest {
  dist: { name: string; version: string; output_path?: string };
}

export function collectorManifest(): BuilderManifest {
  return parse(readFileSync(builderConfigPath, 'utf8')) as BuilderManifest;
}

/** The path the collector binary has once provisioned; it depends only on the manifest. */
export function collectorBinaryPath(): string {
  const manifest = collectorManifest();
  // Keyed by the parsed manifest, so editing its comments does not rebuild.
  const key = `${manifest.dist.version}-${shortHash(JSON.stringify(manifest))}`;
  return path.join(cacheRoot(), 'otelcol', key, manifest.dist.name);
}

function ocbPath(version: string): string {
  const bin = path.join(cacheRoot(), 'ocb', version);
  buildAtomically(bin, (scratch) =>
    goInstall(scratch, [`go.opentelemetry.io/collector/cmd/builder@v${version}`]),
  );
  return path.join(bin, 'builder');
}

export function provisionCollector(): string {
  const binary = collectorBinaryPath();
  const target = path.dirname(binary);
  const manifest = collectorManifest();
  buildAtomically(target, (scratch) => {
    const ocb = ocbPath(manifest.dist.version);
    const sources = path.join(scratch, 'build');
    const config = path.join(scratch, 'builder-config.yaml');
    writeFileSync(config, stringify({ ...manifest, dist: { ...manifest.dist, output_path: sources } }));
    console.log(
      `[tools] building the collector ${manifest.dist.version} with ocb (first run only; several minutes)`,
    );
    const started = Date.now();
    execFileSync(ocb, [`--config=${config}`], { stdio: 'inherit', env: goEnv() });
    renameSync(path.join(sources, manifest.dist.name), path.join(scratch, manifest.dist.name));
    rmSync(sources, { recursive: true, force: true });
    console.log(`[tools] collector built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });
  return binary;
}
