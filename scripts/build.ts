// `npm run build`: the package as applications load it from node_modules.
//   node scripts/build.ts [--out-dir DIR]      (default: dist/)
// Why a build for a TypeScript-first kit: Node refuses to strip types under node_modules
// (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING), so src/ cannot be published as it is; and one bundled
// module loads far faster than the hundreds of files of the SDK packages it imports (start-up time is
// one of the benchmark's targets, docs/telemetry.md).
// Writes <out>/index.js (src/index.ts with the OpenTelemetry SDK packages, bundled by rolldown) and
// <out>/types/ (declarations, by tsc). Left as imports: @opentelemetry/api, which must be the
// application's one copy (its global registry), and the peer dependencies, which are the application's.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { build } from 'rolldown';
import packageJson from '../package.json' with { type: 'json' };

const root = path.join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { 'out-dir': { type: 'string', default: path.join(root, 'dist') } },
});
const outDir = path.resolve(values['out-dir']);

const external = ['@opentelemetry/api', ...Object.keys(packageJson.peerDependencies)];
const isExternal = (id: string) => external.some((name) => id === name || id.startsWith(`${name}/`));

rmSync(outDir, { recursive: true, force: true });
await build({
  input: path.join(root, 'src/index.ts'),
  platform: 'node',
  external: isExternal,
  // One file: the bridges' dynamic imports are of peer dependencies, which stay imports.
  output: { dir: outDir, format: 'esm', entryFileNames: 'index.js', codeSplitting: false, sourcemap: true },
  logLevel: 'warn',
});
await promisify(execFile)(
  process.execPath,
  [
    path.join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    path.join(root, 'tsconfig.build.json'),
    '--outDir',
    path.join(outDir, 'types'),
  ],
  { cwd: root },
);
// The declarations keep the sources' `./x.ts` specifiers (tsc rewrites them in emitted JavaScript only);
// an application's TypeScript resolves `./x.js` to `./x.d.ts`, so they are rewritten here.
const relativeTsSpecifier = /((?:from\s+|import\()['"]\.{1,2}\/[^'"]+)\.ts(['"])/g;
for (const file of readdirSync(path.join(outDir, 'types'), { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue;
  const declaration = path.join(outDir, 'types', file);
  writeFileSync(declaration, readFileSync(declaration, 'utf8').replace(relativeTsSpecifier, '$1.js$2'));
}
console.log(`mcp-telemetry-kit: built ${path.relative(root, outDir) || '.'}/index.js and types/`);
