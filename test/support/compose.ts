// docker-compose.yml as the unit tests see it: parsed, interpolated with a .env, and its bind mounts mapped
// back to repository files, read the way compose does (test/support/compose-stack.ts runs it for real).
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { requireTools } from './tools.ts';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  profiles?: string[];
  deploy?: { resources?: { limits?: { memory?: string; pids?: number } } };
  networks?: string[] | Record<string, unknown>;
  network_mode?: string;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  pids_limit?: number;
}

export interface ComposeFile {
  name: string;
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
  networks?: Record<string, { internal?: boolean } | null>;
}

export const composePath = path.join(repoRoot, 'docker-compose.yml');
export const envExamplePath = path.join(repoRoot, '.env.example');

export function composeText(): string {
  return readFileSync(composePath, 'utf8');
}

/** The file as written, before interpolation. */
export function loadCompose(): ComposeFile {
  return parse(composeText()) as ComposeFile;
}

/** .env.example's values (empty ones included), parsed by Node's own dotenv parser. */
export function envExample(): Record<string, string> {
  return parseEnv(readFileSync(envExamplePath, 'utf8')) as Record<string, string>;
}

// Compose's interpolation grammar ($$, $NAME, ${NAME}, ${NAME:-d}, ${NAME-d}, ${NAME:?e}, ${NAME?e},
// ${NAME:+a}, ${NAME+a}; no nesting, which this project's compose file does not use). Hand-written
// because the only implementation is compose-go's, in Go, and no JavaScript package follows it.
const reference = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Names of the variables a text reads. */
export function variablesIn(text: string): string[] {
  return [...new Set([...text.matchAll(reference)].map((m) => m[1] ?? m[4]).filter((n) => n !== undefined))];
}

export interface Interpolated<T> {
  value: T;
  /** Messages of the required variables (`${NAME:?message}`) that were missing. */
  errors: string[];
}

function interpolateString(text: string, env: Record<string, string>, errors: string[]): string {
  return text.replace(reference, (whole, braced?: string, operator?: string, word = '', bare?: string) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare) as string;
    const value = env[name];
    const empty = value === undefined || (operator?.startsWith(':') && value === '');
    switch (operator?.replace(':', '')) {
      case '-':
        return empty ? word : (value as string);
      case '?':
        if (empty) errors.push(`${name}: ${word}`);
        return value ?? '';
      case '+':
        return empty ? '' : word;
      default:
        return value ?? '';
    }
  });
}

/** Interpolates every string in a parsed compose document (values only; keys are not interpolated). */
export function interpolate<T>(document: T, env: Record<string, string>): Interpolated<T> {
  const errors: string[] = [];
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return interpolateString(node, env, errors);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value)]));
    return node;
  };
  return { value: walk(document) as T, errors };
}

export interface BindMount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** A service's bind mounts (short syntax `./host:/container[:ro]`), sources resolved in the repository. */
export function bindMounts(service: ComposeService): BindMount[] {
  return (service.volumes ?? [])
    .filter((volume) => volume.startsWith('./'))
    .map((volume) => {
      const [source = '', target = '', mode] = volume.split(':');
      return { source: path.join(repoRoot, source), target, readOnly: mode === 'ro' };
    });
}

/** A service's named volumes: target path by volume name. */
export function namedVolumes(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    (service.volumes ?? [])
      .filter((volume) => !volume.startsWith('./') && !volume.startsWith('/'))
      .map((volume) => volume.split(':') as [string, string]),
  );
}

/** The repository file a path inside a service's container comes from, through its bind mounts. */
export function hostPathOf(service: ComposeService, containerPath: string): string | undefined {
  for (const mount of bindMounts(service)) {
    if (containerPath === mount.target) return mount.source;
    if (containerPath.startsWith(`${mount.target}/`))
      return path.join(mount.source, containerPath.slice(mount.target.length + 1));
  }
  return undefined;
}

/** The values of a service's `--flag=value` command arguments for one flag, in order. */
export function flagValues(service: ComposeService, flag: string): string[] {
  const command = Array.isArray(service.command) ? service.command : [];
  return command.filter((arg) => arg.startsWith(`${flag}=`)).map((arg) => arg.slice(flag.length + 1));
}

/** Where every service's secrets volume is mounted in its container (read-only). */
export const secretsMount = '/run/secrets/mcp-kit';

/**
 * scripts/compose-secrets.sh run as the stack's `secrets` service runs it, on `dir` instead of its
 * volumes: <dir>/kept, and <dir>/<collector|server|traffic|grafana>, each what that service sees at
 * secretsMount. `env` is the service's environment (the overrides of a .env).
 */
export function runComposeSecrets(dir: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  for (const volume of ['kept', 'collector', 'server', 'traffic', 'grafana'])
    mkdirSync(path.join(dir, volume), { recursive: true });
  return spawnSync(requireTools().busybox, ['sh', path.join(repoRoot, 'scripts/compose-secrets.sh')], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, MCP_KIT_SECRETS_DIR: dir, ...env },
  });
}
