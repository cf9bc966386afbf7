// Prints one plain closing line, `tests: N passed, N failed, N skipped`, after vitest's own summary, so
// tools that read a run's last lines (CI) see the counts without parsing vitest's colored output.
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    // A failing hook or import fails the file without failing any test in it: count it as a failure.
    const counts = { passed: 0, failed: unhandledErrors.length, skipped: 0 };
    for (const module of testModules) {
      if (
        module.errors().length > 0 ||
        [...module.children.allSuites()].some((suite) => suite.errors().length > 0)
      ) {
        counts.failed++;
      }
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    console.log(`\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}
