// The set of real programs the tests run, where they live once provisioned, and how to provision them.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { collectorBinaryPath, provisionCollector } from './collector.ts';
import { type DockerTools, dockerToolPaths, provisionDockerTools } from './docker.ts';
import { examplesNpmCachePath, provisionExamplesNpmCache } from './examples-npm-cache.ts';
import { requireGo } from './go.ts';
import { nodeLinePath, provisionNodeLines } from './node-lines.ts';
import { type PrometheusTools, prometheusToolPaths, provisionPrometheusTools } from './prometheus.ts';
import { provisionPythonVenv, pythonVenvPythonPath } from './python.ts';

export interface Tools extends PrometheusTools, DockerTools {
  otelcol: string;
  /** The other Node.js lines the package supports, for the installed-package test. */
  node22: string;
  node26: string;
  /** The npm packages examples/Dockerfile installs, for building it with no registry in reach. */
  examplesNpmCache: string;
  /** Python with the packages of test/support/python/requirements.txt, for the Python MCP servers. */
  python: string;
  /** The same on the MCP SDK's 1.x line (requirements-mcp1.txt), for OpenLLMetry's instrumentation. */
  pythonMcp1: string;
}

export function toolPaths(): Tools {
  return {
    otelcol: collectorBinaryPath(),
    ...prometheusToolPaths(),
    node22: nodeLinePath('22'),
    node26: nodeLinePath('26'),
    ...dockerToolPaths(),
    examplesNpmCache: examplesNpmCachePath(),
    python: pythonVenvPythonPath('python'),
    pythonMcp1: pythonVenvPythonPath('pythonMcp1'),
  };
}

export function missingTools(tools: Tools = toolPaths()): string[] {
  return Object.entries(tools)
    .filter(([, file]) => !existsSync(file))
    .map(([name]) => name);
}

export function provisionTools(): Tools {
  if (missingTools().length > 0) console.log(`[tools] ${requireGo()}`);
  const nodeLines = provisionNodeLines();
  return {
    otelcol: provisionCollector(),
    ...provisionPrometheusTools(),
    node22: nodeLines['22'],
    node26: nodeLines['26'],
    ...provisionDockerTools(),
    examplesNpmCache: provisionExamplesNpmCache(),
    python: provisionPythonVenv('python'),
    pythonMcp1: provisionPythonVenv('pythonMcp1'),
  };
}

/** The first line each program prints for --version, e.g. `prometheus, version 3.16.0 (...)`. */
export function toolVersions(tools: Tools): Record<keyof Tools, string> {
  const version = (file: string) => {
    // Data, not programs: their place says what they are.
    if (file.endsWith('.tar')) return `Debian ${path.basename(path.dirname(file))} rootfs`;
    if (statSync(file).isDirectory()) return `npm cache ${path.basename(path.dirname(file))}`;
    // busybox has no --version, its --help starts with the version line; openssl has a command for it.
    const flag = { busybox: '--help', openssl: 'version' }[path.basename(file)] ?? '--version';
    return (
      execFileSync(file, [flag], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .split('\n')[0]
        ?.trim() ?? ''
    );
  };
  return Object.fromEntries(Object.entries(tools).map(([name, file]) => [name, version(file)])) as Record<
    keyof Tools,
    string
  >;
}
