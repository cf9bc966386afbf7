// Python virtual environments with the pinned packages of test/support/python/requirements*.txt, for the
// tests' Python MCP servers: each built once per requirements file and interpreter, in the kit's cache.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildAtomically, cacheRoot, repoRoot, shortHash } from './cache.ts';

/** The venvs by the requirements they hold: the current MCP SDK line, and its 1.x line. */
export const pythonRequirements = {
  python: path.join(repoRoot, 'test/support/python/requirements.txt'),
  pythonMcp1: path.join(repoRoot, 'test/support/python/requirements-mcp1.txt'),
};
export type PythonVenv = keyof typeof pythonRequirements;

/** The interpreter the venvs are made from: MCP_KIT_PYTHON, else `python3` on the PATH. */
const basePython = () => process.env.MCP_KIT_PYTHON ?? 'python3';

function interpreterVersion(): string {
  try {
    return execFileSync(basePython(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`No Python interpreter: \`${basePython()} --version\` failed (set MCP_KIT_PYTHON).`);
  }
}

/** A venv's python, keyed by its requirements and the interpreter's version. */
export function pythonVenvPythonPath(venv: PythonVenv): string {
  const key = shortHash(readFileSync(pythonRequirements[venv], 'utf8'), interpreterVersion());
  return path.join(cacheRoot(), 'python', key, 'bin', 'python');
}

export function provisionPythonVenv(venv: PythonVenv): string {
  const python = pythonVenvPythonPath(venv);
  buildAtomically(path.dirname(path.dirname(python)), (scratch) => {
    console.log(
      `[tools] making a Python venv (${interpreterVersion()}) with ${path.basename(pythonRequirements[venv])} (first run only)`,
    );
    execFileSync(basePython(), ['-m', 'venv', scratch], { stdio: ['ignore', 'ignore', 'inherit'] });
    // `python -m pip`, never the venv's scripts: their first lines name the scratch folder, which is
    // renamed into place once the install has succeeded.
    execFileSync(
      path.join(scratch, 'bin', 'python'),
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-input',
        '-r',
        pythonRequirements[venv],
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  });
  return python;
}
