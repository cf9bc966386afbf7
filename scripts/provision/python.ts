// A Python virtual environment with the pinned packages of test/support/python/requirements.txt, for the
// tests' Python MCP servers: built once per requirements file and interpreter, in the kit's cache.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildAtomically, cacheRoot, repoRoot, shortHash } from './cache.ts';

export const pythonRequirements = path.join(repoRoot, 'test/support/python/requirements.txt');

/** The interpreter the venv is made from: MCP_KIT_PYTHON, else `python3` on the PATH. */
const basePython = () => process.env.MCP_KIT_PYTHON ?? 'python3';

function interpreterVersion(): string {
  try {
    return execFileSync(basePython(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`No Python interpreter: \`${basePython()} --version\` failed (set MCP_KIT_PYTHON).`);
  }
}

/** The venv's python, keyed by the requirements and the interpreter's version. */
export function pythonVenvPythonPath(): string {
  const key = shortHash(readFileSync(pythonRequirements, 'utf8'), interpreterVersion());
  return path.join(cacheRoot(), 'python', key, 'bin', 'python');
}

export function provisionPythonVenv(): string {
  const python = pythonVenvPythonPath();
  buildAtomically(path.dirname(path.dirname(python)), (scratch) => {
    console.log(
      `[tools] making a Python venv (${interpreterVersion()}) with the pinned packages (first run only)`,
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
        pythonRequirements,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  });
  return python;
}
