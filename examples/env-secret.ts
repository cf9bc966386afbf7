// A setting that may be a secret: the variable itself, or the file `<NAME>_FILE` names (the convention of
// Docker's and Kubernetes' secret files), so a token need not sit in the process environment, where
// `docker inspect` and /proc show it. The file's trailing newline is not part of the value. Both set:
// the variable wins, as the official images that follow the convention do.
import { readFileSync } from 'node:fs';

/** A setting that cannot be read; the message names the variable and the file, never a value. */
export class EnvSecretError extends Error {
  override name = 'EnvSecretError';
}

export function envSecret(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[name]) return env[name];
  const file = env[`${name}_FILE`];
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new EnvSecretError(
      `${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}
