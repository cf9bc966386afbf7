// Alertmanager routing as code: the configuration loads in the real amtool, every alert of the rule pack
// reaches the receiver its severity calls for, and notification templates only print allow-listed labels.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { requireTools } from '../support/tools.ts';

const run = promisify(execFile);
const config = path.join(repoRoot, 'alertmanager/alertmanager.yml');
const receiversFor = async (labels: Record<string, string>) => {
  const args = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  const { stdout } = await run(requireTools().amtool, [
    'config',
    'routes',
    'test',
    `--config.file=${config}`,
    ...args,
  ]);
  return stdout
    .trim()
    .split(/[\s,]+/)
    .filter(Boolean);
};

const rulesDir = path.join(repoRoot, 'prometheus/rules');
const alerts = readdirSync(rulesDir)
  .filter((file) => file.endsWith('.yml'))
  .flatMap((file) =>
    (
      parse(readFileSync(path.join(rulesDir, file), 'utf8')) as {
        groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[];
      }
    ).groups
      .flatMap((group) => group.rules)
      .filter((rule) => rule.alert),
  );
const receiverBySeverity: Record<string, string> = {
  critical: 'pagerduty-and-slack',
  warning: 'slack-warnings',
  info: 'email',
};

describe('alertmanager.yml', () => {
  it('passes amtool check-config', async () => {
    const { stdout } = await run(requireTools().amtool, ['check-config', config]);
    expect(stdout).toContain('SUCCESS');
  });

  it.each([
    [
      { alertname: 'MCPAvailabilityBudgetBurnFast', severity: 'critical', job: 'locator' },
      ['pagerduty-and-slack'],
    ],
    [{ alertname: 'MCPToolErrorSpike', severity: 'warning', job: 'locator' }, ['slack-warnings']],
    [
      {
        alertname: 'MCPLookupEnumeration',
        severity: 'warning',
        job: 'locator',
        mcpkit_principal: 'ps_AAAAAAAAAAAAAAAAAAAAAA',
      },
      ['slack-warnings'],
    ],
    [{ alertname: 'MCPOriginRejections', severity: 'info', job: 'locator' }, ['email']],
    [{ alertname: 'SomethingInformational', severity: 'info' }, ['email']],
    [{ alertname: 'Watchdog', severity: 'info' }, ['watchdog']],
    [{ alertname: 'Unlabelled' }, ['slack-warnings']],
  ])('routes %j to %j', async (labels, expected) => {
    expect(await receiversFor(labels)).toEqual(expected);
  });

  it.each(alerts.map((alert) => [alert.alert, alert.labels?.severity ?? ''] as const))(
    'routes the rule pack’s %s (%s) by its severity',
    async (alertname, severity) => {
      const expected = alertname === 'Watchdog' ? 'watchdog' : receiverBySeverity[severity];
      expect(await receiversFor({ alertname: alertname ?? '', severity })).toEqual([expected]);
    },
  );

  it('keeps secrets in files, never in the configuration', () => {
    const text = readFileSync(config, 'utf8');
    expect(text).not.toMatch(/hooks\.slack\.com|routing_key:|api_url:|auth_password:/);
  });

  it('overrides every notification field whose default prints all labels', () => {
    const { receivers } = parse(readFileSync(config, 'utf8')) as {
      receivers: {
        name: string;
        slack_configs?: Record<string, unknown>[];
        pagerduty_configs?: { details?: Record<string, string> }[];
        email_configs?: Record<string, unknown>[];
        webhook_configs?: unknown[];
      }[];
    };
    for (const receiver of receivers) {
      // Slack's default fallback, PagerDuty's default details and the default HTML email list labels.
      for (const slack of receiver.slack_configs ?? []) expect(slack.fallback).toContain('kit.title');
      for (const pagerduty of receiver.pagerduty_configs ?? []) {
        expect(pagerduty.details?.firing).toContain('kit.list');
        expect(pagerduty.details?.resolved).toContain('kit.list');
      }
      for (const email of receiver.email_configs ?? []) expect(email.html).toBe('');
      // A webhook gets every label as JSON: only the Watchdog, which has none worth hiding, goes to one.
      if (receiver.webhook_configs) expect(receiver.name).toBe('watchdog');
    }
  });

  it('prints only allow-listed labels in notifications, never a pseudonym', () => {
    const templates = readdirSync(path.join(repoRoot, 'alertmanager/templates')).map((file) =>
      readFileSync(path.join(repoRoot, 'alertmanager/templates', file), 'utf8'),
    );
    const used = new Set(
      templates.flatMap((text) => [...text.matchAll(/\.(?:Common)?Labels\.(\w+)/g)].map((m) => m[1])),
    );
    expect([...used].sort()).toEqual([
      'alertname',
      'error_type',
      'exporter',
      'gen_ai_tool_name',
      'job',
      'severity',
    ]);
    expect(templates.join('')).not.toMatch(/CommonLabels\s*}}|\.Labels\s*}}|SortedPairs/);
  });
});
