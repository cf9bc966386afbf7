// Runs the Go toolchain for provisioning. GOTOOLCHAIN=auto lets Go fetch, from the Go module proxy,
// the toolchain a module declares (recent collector modules need a newer patch release than some
// machines ship); the machine default of `local` would refuse instead.
import { execFileSync } from 'node:child_process';

export function goEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOTOOLCHAIN: process.env.GOTOOLCHAIN === 'local' ? 'auto' : (process.env.GOTOOLCHAIN ?? 'auto'),
    ...extra,
  };
}

export function requireGo(): string {
  try {
    return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env: goEnv() }).trim();
  } catch {
    throw new Error(
      'Go is required to provision the collector, Prometheus and Alertmanager: install Go >= 1.25 and rerun `npm run tools`.',
    );
  }
}

/** `go install module/cmd@version` into `bin`, with the output shown: these builds take minutes. */
export function goInstall(
  bin: string,
  packages: string[],
  ldflags?: string,
  env: Record<string, string> = {},
): void {
  const flags = ldflags ? [`-ldflags=${ldflags}`] : [];
  execFileSync('go', ['install', ...flags, ...packages], {
    stdio: 'inherit',
    env: goEnv({ ...env, GOBIN: bin }),
  });
}
