// The alert pack meets its own standard: every rule file loads in the real promtool and passes its unit
// tests; every alert has a severity, a static summary, a templated description, a `for:`, a runbook with
// Meaning / Impact / Diagnosis / Mitigation, and a unit test on both sides of its `for:`; and no
// notification text can carry a pseudonym.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { privacyRules } from '../../src/privacy/rules.ts';
import { requireTools } from '../support/tools.ts';

const run = promisify(execFile);
const rulesDir = path.join(repoRoot, 'prometheus/rules');
const testsDir = path.join(repoRoot, 'prometheus/tests');
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.yml'));
const testFiles = readdirSync(testsDir).filter((f) => f.endsWith('.yml'));

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const alerts: AlertRule[] = ruleFiles.flatMap((file) =>
  (parse(readFileSync(path.join(rulesDir, file), 'utf8')) as { groups: { rules: AlertRule[] }[] }).groups
    .flatMap((group) => group.rules)
    .filter((rule) => rule.alert),
);

const unitTests = testFiles.flatMap((file) =>
  (
    parse(readFileSync(path.join(testsDir, file), 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    }
  ).tests.flatMap((test) => test.alert_rule_test ?? []),
);

describe('the Prometheus rules', () => {
  it('load in promtool', async () => {
    const { stdout } = await run(requireTools().promtool, [
      'check',
      'rules',
      ...ruleFiles.map((f) => path.join(rulesDir, f)),
    ]);
    expect(stdout.match(/SUCCESS/g)).toHaveLength(ruleFiles.length);
  });

  it('pass their promtool unit tests', async () => {
    const { stdout } = await run(requireTools().promtool, ['test', 'rules', ...testFiles], { cwd: testsDir });
    expect(stdout).not.toContain('FAILED');
    expect(stdout.match(/SUCCESS/g)).toHaveLength(testFiles.length);
  });

  it('has one runbook per alert, and no runbook without its alert', () => {
    const runbooks = readdirSync(path.join(repoRoot, 'docs/runbooks'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => file.replace(/\.md$/, ''));
    expect(runbooks.sort()).toEqual(alerts.map((alert) => alert.alert).sort());
    expect(new Set(unitTests.map((test) => test.alertname))).toEqual(new Set(runbooks));
  });

  it('every rule file has a unit test file', () => {
    expect(testFiles.sort()).toEqual(ruleFiles.map((f) => f.replace(/\.yml$/, '.test.yml')).sort());
  });
});

describe.each(alerts.map((alert) => [alert.alert, alert] as const))('alert %s', (name, alert) => {
  it('has a severity, a static summary, a templated description, a for: and its runbook URL', () => {
    expect(['critical', 'warning', 'info']).toContain(alert.labels?.severity);
    expect(alert.for).toMatch(/^\d+[smh]$/);
    expect(alert.annotations?.summary).toBeTruthy();
    expect(alert.annotations?.summary).not.toContain('{{');
    if (name !== 'Watchdog') expect(alert.annotations?.description).toContain('{{');
    // Absolute, from the contract's runbooks.baseUrl, so the link opens from Slack or PagerDuty.
    expect(alert.annotations?.runbook_url).toBe(`${privacyRules.runbooks.baseUrl}docs/runbooks/${name}.md`);
    expect(alert.annotations?.runbook_url).toMatch(/^https:\/\//);
  });

  it('has a runbook with Meaning, Impact, Diagnosis and Mitigation', () => {
    const runbook = path.join(repoRoot, 'docs/runbooks', `${name}.md`);
    expect(existsSync(runbook)).toBe(true);
    const text = readFileSync(runbook, 'utf8');
    for (const heading of ['## Meaning', '## Impact', '## Diagnosis', '## Mitigation'])
      expect(text).toContain(heading);
  });

  it('is unit-tested silent before its for: has elapsed and firing after', () => {
    const tests = unitTests.filter((test) => test.alertname === name);
    expect(tests.some((test) => test.exp_alerts.length === 0)).toBe(true);
    expect(tests.some((test) => test.exp_alerts.length > 0)).toBe(true);
  });

  it('never puts a pseudonym or an id in its notification text', () => {
    const text = JSON.stringify(alert.annotations);
    for (const label of ['mcpkit_principal', 'mcp_session_id', 'jsonrpc_request_id'])
      expect(text).not.toContain(label);
  });
});
