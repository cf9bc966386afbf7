// Loaded by vitest before every test file (vitest.config.ts): prints the output of the real programs
// behind a failing test, and stops whatever a test file left running.
import { afterAll, afterEach } from 'vitest';
import { runningBinaries, stopAllBinaries } from './binary.ts';

afterEach((context) => {
  if (context.task.result?.state !== 'fail') return;
  for (const binary of runningBinaries()) {
    console.error(`--- ${binary.name} (pid ${binary.pid}) output ---\n${binary.logs()}`);
  }
});

afterAll(stopAllBinaries);
