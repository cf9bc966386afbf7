// Runs a command (the test runner) in a fresh network namespace with only loopback up, so nothing a test
// starts can reach beyond this machine: the collector's Datadog exporter and resource detection would
// otherwise probe cloud metadata addresses. Provisioning runs before this, outside the namespace.
//
//   node scripts/isolated.ts <command> [args...]
//
// Inside, MCP_KIT_NETNS=loopback tells tests they are isolated. Where namespaces are unavailable the
// command still runs with MCP_KIT_NETNS=unisolated and a loud warning; on CI (CI=true) that is an error.
import { spawnSync } from 'node:child_process';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: node scripts/isolated.ts <command> [args...]');
  process.exit(2);
}

function run(argv: string[], env: NodeJS.ProcessEnv): never {
  const [file, ...args] = argv as [string, ...string[]];
  const result = spawnSync(file, args, { stdio: 'inherit', env });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}

if (process.env.MCP_KIT_NETNS === 'loopback') run(command, process.env);

// Root can create a network namespace directly; anyone else needs a user namespace mapping them to root.
const unshare = process.getuid?.() === 0 ? ['unshare', '--net'] : ['unshare', '--net', '--map-root-user'];
const bringUpLoopback = 'ip link set lo up && exec "$@"';
const probe = spawnSync(
  unshare[0] as string,
  [...unshare.slice(1), 'sh', '-c', bringUpLoopback, 'sh', 'true'],
  {
    encoding: 'utf8',
  },
);

if (probe.status === 0) {
  run([...unshare, 'sh', '-c', bringUpLoopback, 'sh', ...command], {
    ...process.env,
    MCP_KIT_NETNS: 'loopback',
  });
}

const reason = (probe.error?.message ?? probe.stderr ?? '').trim() || `exit ${probe.status}`;
const banner = '!'.repeat(100);
console.error(`${banner}\n!! NOT ISOLATED: cannot create a loopback-only network namespace (${reason}).`);
console.error('!! Tests that start the collector or servers could reach non-loopback addresses.');
console.error(
  '!! Needs Linux with util-linux `unshare`, iproute2 `ip`, and root or unprivileged user namespaces.',
);
console.error(banner);
if (process.env.CI === 'true') {
  console.error('CI must isolate: refusing to run the tests without a loopback-only namespace.');
  process.exit(1);
}
run(command, { ...process.env, MCP_KIT_NETNS: 'unisolated' });
