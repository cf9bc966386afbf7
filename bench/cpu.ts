// CPU placement and accounting for the benchmarks: processes pinned to a core with `taskset` (util-linux)
// so the measured server and the load generator do not compete, and CPU time and RSS of another
// process read from /proc.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

/** The core for the measured process and the one for the load, sink and orchestrator. */
export const cores = (() => {
  const count = availableParallelism();
  return count >= 2
    ? { measured: count - 1, load: 0, pinning: hasTaskset }
    : { measured: 0, load: 0, pinning: false };
})();

/** `command args` wrapped in `taskset -c core`, when taskset exists and there is more than one core. */
export function pinned(core: number, command: string, args: string[]): [string, string[]] {
  return cores.pinning ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
}

/** Pins a running process, all its threads, to a core. */
export function pin(pid: number, core: number): void {
  if (cores.pinning) spawnSync('taskset', ['-a', '-p', '-c', String(core), String(pid)]);
}

/** User plus system CPU time of a process, in microseconds, from /proc/<pid>/stat. */
export function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / clockTicksPerSecond;
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function processRssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

const clockTicksPerSecond =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** The load average over the last minute, reported beside the results. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
