// The Python package's per-call cost (issue #22): FastMCP with instrument_mcp_server() beside plain
// FastMCP and FastMCP's own tracing, and OpenLLMetry's opentelemetry-instrumentation-mcp beside its own
// plain server (it runs on the MCP SDK 1.x only, in the venv of test/support/python/requirements-mcp1.txt).
// Each contender is a process of bench/python_tool_calls.py on the measured core, in the interleaved
// rounds of the other sections (stats.ts roundOrder); ratios are to the plain server of the same stack, measured in the same run.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { requireTools } from '../test/support/tools.ts';
import { pinned } from './cpu.ts';
import type { BenchSink } from './sink.ts';
import { median, roundOrder } from './stats.ts';

export const pythonContenders = [
  'fastmcp-plain',
  'fastmcp-native',
  'fastmcp-kit',
  'sdk1-plain',
  'sdk1-openllmetry',
] as const;
type PythonContender = (typeof pythonContenders)[number];

interface WorkerResult {
  p50Us: number;
  p99Us: number;
  cpuUsPerCall: number;
}

export interface PythonContenderResult {
  runs: number;
  p50Us: number;
  p99Us: number;
  cpuUsPerCall: number;
  /** To the plain server of the same stack (FastMCP 4, or the MCP SDK 1.x), medians of the rounds. */
  p50Ratio: number;
  cpuRatio: number;
  addedCpuUsPerCall: number;
}

export interface PythonResult {
  rounds: number;
  callsPerRun: number;
  contenders: Partial<Record<PythonContender, PythonContenderResult>>;
}

const worker = path.join(import.meta.dirname, 'python_tool_calls.py');
const repoRoot = path.join(import.meta.dirname, '..');

function runWorker(contender: PythonContender, calls: number, sinkUrl: string, core: number) {
  const tools = requireTools();
  const python = contender.startsWith('sdk1-') ? tools.pythonMcp1 : tools.python;
  const [command, args] = pinned(core, python, [worker, contender, String(calls), sinkUrl]);
  const env = { ...process.env, PYTHONPATH: path.join(repoRoot, 'python/src'), PYTHONDONTWRITEBYTECODE: '1' };
  return new Promise<WorkerResult>((resolve, reject) => {
    execFile(command, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error)
        return reject(new Error(`python contender ${contender} failed: ${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as WorkerResult);
    });
  });
}

export async function benchPython(options: {
  rounds: number;
  calls: number;
  seed: string;
  sink: BenchSink;
  core: number;
  log: (line: string) => void;
}): Promise<PythonResult> {
  const runs = new Map<PythonContender, WorkerResult[]>(pythonContenders.map((name) => [name, []]));
  const order = roundOrder(pythonContenders, options.rounds, `${options.seed}:python`);
  for (const [round, contenders] of order.entries()) {
    for (const contender of contenders) {
      const result = await runWorker(contender, options.calls, options.sink.url, options.core);
      runs.get(contender)?.push(result);
    }
    options.log(`python round ${round + 1}/${order.length} done`);
  }
  const summary = (name: PythonContender) => {
    const results = runs.get(name) ?? [];
    return {
      p50Us: median(results.map((r) => r.p50Us)),
      p99Us: median(results.map((r) => r.p99Us)),
      cpuUsPerCall: median(results.map((r) => r.cpuUsPerCall)),
    };
  };
  const contenders: PythonResult['contenders'] = {};
  for (const name of pythonContenders) {
    const own = summary(name);
    const plain = summary(name.startsWith('sdk1-') ? 'sdk1-plain' : 'fastmcp-plain');
    contenders[name] = {
      runs: runs.get(name)?.length ?? 0,
      ...own,
      p50Ratio: own.p50Us / plain.p50Us,
      cpuRatio: own.cpuUsPerCall / plain.cpuUsPerCall,
      addedCpuUsPerCall: own.cpuUsPerCall - plain.cpuUsPerCall,
    };
  }
  return { rounds: options.rounds, callsPerRun: options.calls, contenders };
}
