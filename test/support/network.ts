// The loopback rule: anything that starts the collector or a server runs inside the
// loopback-only network namespace set up by scripts/isolated.ts.
import { networkInterfaces } from 'node:os';

export type Isolation = 'loopback' | 'unisolated';

export function isolation(): Isolation {
  const state = process.env.MCP_KIT_NETNS;
  if (state === 'loopback' || state === 'unisolated') return state;
  throw new Error(
    'Tests that start servers must run inside the loopback-only namespace: use `npm test` or ' +
      '`npm run vitest -- run <files>` (both go through scripts/isolated.ts).',
  );
}

/** Names of the network interfaces this process can see that are up and not loopback. */
export function nonLoopbackInterfaces(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([, addresses]) => addresses?.some((address) => !address.internal))
    .map(([name]) => name);
}
