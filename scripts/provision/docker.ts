// Provisions what the compose tests need to run docker-compose.yml for real (issue #18): Debian's Docker
// Engine (dockerd, containerd, runc and the matching client), the Compose v2 CLI built from its Go module,
// Debian's static busybox (the busybox image and the wget the official images' healthchecks call), and a
// minimal Debian rootfs from debootstrap, the base of the Node.js image (no container registry is reachable
// here, so every image is built locally from these).
//
// The engine comes from apt-get (root only); elsewhere this says which packages to install and stops.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { buildAtomically, cacheRoot } from './cache.ts';
import { goEnv } from './go.ts';

/**
 * Compose v5.6.0 is the newest release the machine's Go builds without a newer toolchain (later ones
 * declare go 1.27). Its go.mod has `exclude` directives, so `go install module@version` refuses it; it is
 * built as the main module from the module cache's copy instead.
 */
export const composeRelease = { module: 'github.com/docker/compose/v5', version: 'v5.6.0' };
/** The Debian release whose rootfs the Node.js image stands on (the official node:*-slim images use it). */
export const debianSuite = 'bookworm';

/** Debian's packages for the engine and the rest; each program below comes from one of them. */
const debianPackages = ['docker.io', 'iptables', 'debootstrap', 'busybox-static', 'openssl'];

export interface DockerTools {
  dockerd: string;
  docker: string;
  dockerCompose: string;
  busybox: string;
  /** A tar of a `debootstrap --variant=minbase` rootfs, for `docker import`. */
  debianRootfs: string;
  /** Makes the certificate of the stack's HTTPS stand-in for a SaaS endpoint (PagerDuty). */
  openssl: string;
}

export function dockerToolPaths(): DockerTools {
  return {
    dockerd: '/usr/sbin/dockerd',
    // Debian's client, of the engine's own release (a newer client would negotiate the API down anyway).
    docker: '/usr/bin/docker',
    dockerCompose: path.join(cacheRoot(), 'docker-compose', composeRelease.version, 'docker-compose'),
    busybox: '/bin/busybox',
    debianRootfs: path.join(cacheRoot(), 'debian-rootfs', `${debianSuite}-minbase`, 'rootfs.tar'),
    openssl: '/usr/bin/openssl',
  };
}

function installDebianPackages(): void {
  const system = ['/usr/sbin/dockerd', '/usr/bin/containerd', '/usr/sbin/runc', '/usr/bin/docker'];
  const others = ['/usr/sbin/debootstrap', '/bin/busybox', '/usr/sbin/iptables', '/usr/bin/openssl'];
  const missing = [...system, ...others].filter((file) => !existsSync(file));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0)
    throw new Error(
      `The compose tests need Debian's ${debianPackages.join(' ')} (missing: ${missing.join(', ')}): ` +
        `run \`apt-get install ${debianPackages.join(' ')}\` as root, then \`npm run tools\` again.`,
    );
  console.log(`[tools] installing ${debianPackages.join(' ')} with apt-get (first run only)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...debianPackages], {
      stdio: 'inherit',
      env,
    });
  try {
    install();
  } catch {
    // A machine whose package lists are stale or absent: refresh once and try again.
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    install();
  }
}

function provisionCompose(target: string): void {
  if (existsSync(target)) return;
  console.log(`[tools] building Docker Compose ${composeRelease.version} (first run only)`);
  buildAtomically(path.dirname(target), (scratch) => {
    const spec = `${composeRelease.module}@${composeRelease.version}`;
    const download = JSON.parse(
      execFileSync('go', ['mod', 'download', '-json', spec], { encoding: 'utf8', env: goEnv() }),
    ) as { Dir: string };
    const source = path.join(scratch, 'source');
    cpSync(download.Dir, source, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', source]);
    execFileSync(
      'go',
      [
        'build',
        '-trimpath',
        `-ldflags=-s -w -X ${composeRelease.module}/internal.Version=${composeRelease.version}`,
        '-o',
        path.join(scratch, 'docker-compose'),
        './cmd',
      ],
      { cwd: source, stdio: 'inherit', env: goEnv() },
    );
    execFileSync('rm', ['-rf', source]);
  });
}

function provisionDebianRootfs(target: string): void {
  if (existsSync(target)) return;
  console.log(`[tools] debootstrap ${debianSuite} (minbase) for the Node.js image (first run only)`);
  buildAtomically(path.dirname(target), (scratch) => {
    const root = path.join(scratch, 'root');
    execFileSync('debootstrap', ['--variant=minbase', debianSuite, root, 'http://deb.debian.org/debian'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // The apt lists and package cache are not part of an image (the official slim images drop them too).
    execFileSync('sh', ['-c', 'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*', 'sh', root]);
    execFileSync('tar', ['-C', root, '--numeric-owner', '-cf', path.join(scratch, 'rootfs.tar'), '.']);
    execFileSync('rm', ['-rf', root]);
  });
}

export function provisionDockerTools(): DockerTools {
  const paths = dockerToolPaths();
  installDebianPackages();
  provisionCompose(paths.dockerCompose);
  provisionDebianRootfs(paths.debianRootfs);
  return paths;
}
