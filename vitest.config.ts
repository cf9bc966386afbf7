// Test runner settings. Loaded by: vitest (`npm test`, `npm run vitest`). Override per run with vitest
// CLI flags, e.g. `npm run vitest -- run test/e2e/collector-pipeline.test.ts`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    // Real binaries start in hooks and tests; machines are shared, so limits are generous. Timeouts are
    // failure detectors, never performance assertions.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
