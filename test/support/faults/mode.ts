// Short or long fault runs. `npm test` runs the fault suite short (seconds per phase, so the whole suite
// stays within a few minutes on a loaded 2-core machine); `npm run faults -- --long` sets FAULTS_LONG=1
// and the same files run with full durations (minutes per phase) and a higher rate.

export const longMode = process.env.FAULTS_LONG === '1';
export const modeName = longMode ? 'long' : 'short';

/** The duration of a phase in this mode. */
export function phaseMs(shortMs: number, longMs: number): number {
  return longMode ? longMs : shortMs;
}

/** A test timeout that fits a run made of `phases` milliseconds, with room for a slow machine. */
export function timeoutFor(phasesMs: number): number {
  return phasesMs * 3 + 240_000;
}
