// Scenario 7 of the fault suite: a page still arrives when Alertmanager restarts in the middle of an
// incident (at-least-once). Alertmanager keeps alerts in memory only; its --storage.path holds the
// notification log and silences. Delivery survives a restart because the sender (Prometheus) re-sends
// every firing alert on a fixed period (--rules.alert.resend-delay, 1m by default), and the notification
// log on disk stops a graceful restart from paging twice. The alerts here are posted the way Prometheus
// posts them (API v2, endsAt a few resend periods ahead) by a sender on the same period, scaled down in
// the short run. Another test (issue 6) covers routing end to end from real Prometheus rules.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { alertmanagerConfigFor, TEST_PAGERDUTY_ROUTING_KEY } from '../../support/alerting-stack.ts';
import { newCaptureRoot } from '../../support/capture.ts';
import { eventually } from '../../support/eventually.ts';
import { recordFigures } from '../../support/faults/figures.ts';
import { longMode, phaseMs, timeoutFor } from '../../support/faults/mode.ts';
import { freePort } from '../../support/ports.ts';
import { type RunningAlertmanager, startAlertmanager } from '../../support/prometheus.ts';
import { type RecordingServer, startRecordingServer } from '../../support/sinks/recording-server.ts';

const resendMs = phaseMs(1_000, 60_000);

/**
 * The shared alertmanager/alertmanager.yml as the alerting end-to-end test runs it (secrets in a folder of
 * its own pointing at the fake PagerDuty and Slack), and in the short run a 1 s group wait (30 s in the
 * file) so the suite stays quick.
 */
function alertmanagerConfig(fake: RecordingServer): string {
  const file = alertmanagerConfigFor(mkdtempSync(path.join(tmpdir(), 'mcp-kit-am-config-')), {
    slackWebhookUrl: `${fake.url}/slack/hook`,
    pagerdutyUrl: `${fake.url}/pagerduty/v2/enqueue`,
    watchdogWebhookUrl: `${fake.url}/watchdog`,
  });
  if (!longMode) {
    const config = parse(readFileSync(file, 'utf8'));
    config.route.group_wait = '1s';
    writeFileSync(file, stringify(config));
  }
  return file;
}

const incident = {
  labels: { alertname: 'MCPAvailabilityBudgetBurnFast', severity: 'critical', job: 'detainee-locator' },
  annotations: {
    summary: 'The error budget burns fast',
    description: 'fault suite',
    runbook_url: 'docs/runbooks',
  },
};

describe('alert delivery across an Alertmanager restart', () => {
  let fake: RecordingServer;
  let alertmanager: RunningAlertmanager;
  let sending = true;
  let sender: Promise<void> = Promise.resolve();
  const pages = () => fake.requests.filter((request) => request.path.startsWith('/pagerduty'));
  const slack = () => fake.requests.filter((request) => request.path.startsWith('/slack'));

  afterAll(async () => {
    sending = false;
    await sender;
    await alertmanager?.stop();
    await fake?.close();
  });

  it(
    'pages at least once when Alertmanager crashes before notifying, and not twice after a graceful restart',
    async () => {
      fake = await startRecordingServer({
        name: 'pagerduty-slack',
        captureRoot: newCaptureRoot('fault-alertmanager'),
        handler: (request) =>
          request.path.startsWith('/pagerduty')
            ? { status: 202, contentType: 'application/json', body: '{"status":"success"}' }
            : { status: 200, contentType: 'text/plain', body: 'ok' },
      });
      const config = alertmanagerConfig(fake);
      const storageDir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-am-storage-'));
      const port = await freePort();
      const start = () => startAlertmanager({ config, storageDir, port });
      alertmanager = await start();

      // The sender: what Prometheus does for a firing alert, every resend period, whoever is listening.
      const startsAt = new Date().toISOString();
      let posts = 0;
      let refusedPosts = 0;
      const post = async () => {
        try {
          const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify([
              { ...incident, startsAt, endsAt: new Date(Date.now() + 4 * resendMs).toISOString() },
            ]),
          });
          await response.body?.cancel();
          if (response.ok) posts++;
          else refusedPosts++;
        } catch {
          refusedPosts++; // Alertmanager is down: Prometheus logs it and tries again next period
        }
      };
      await post();
      sender = (async () => {
        while (sending) {
          await sleep(resendMs);
          if (sending) await post();
        }
      })();

      // Crash before the group wait ends: the alert was accepted, no notification went out yet.
      await alertmanager.kill();
      const pagesBeforeCrash = pages().length;
      alertmanager = await start();
      const restarted = Date.now();
      await eventually(async () => (pages().length > 0 ? true : undefined), 60_000 + 3 * resendMs);
      const secondsToPage = (Date.now() - restarted) / 1000;
      await eventually(async () => (slack().length > 0 ? true : undefined), 30_000);

      // A graceful restart after the page: the notification log on disk knows the page went out.
      await alertmanager.stop();
      alertmanager = await start();
      const groupWaitMs = longMode ? 30_000 : 1_000;
      await sleep(groupWaitMs + 3 * resendMs + 5_000);
      const held = await alertmanager.alerts();

      const body = JSON.parse(pages()[0]?.body.toString('utf8') ?? '{}');
      recordFigures('7-alertmanager-restart', {
        order: 7,
        scenario: 'Alertmanager SIGKILLed before notifying, then restarted gracefully after the page',
        sent: 1,
        received: pages().length,
        deliveredPercent: pages().length > 0 ? 100 : 0,
        countedDrops: pages().length > 0 ? 0 : 1,
        duplicates: Math.max(0, pages().length - 1),
        recoverySeconds: secondsToPage,
        notes:
          `page ${secondsToPage.toFixed(1)}s after the restart (resend period ${resendMs / 1000}s); ` +
          `${slack().length} Slack message(s); ${posts} alert posts accepted, ${refusedPosts} refused while down`,
      });

      expect(pagesBeforeCrash).toBe(0);
      expect(pages().length).toBeGreaterThanOrEqual(1);
      expect(body).toMatchObject({
        routing_key: TEST_PAGERDUTY_ROUTING_KEY,
        event_action: 'trigger',
      });
      expect(held.map((alert) => alert.labels.alertname)).toContain('MCPAvailabilityBudgetBurnFast');
      expect(pages().length, 'a graceful restart does not page again within the repeat interval').toBe(1);
    },
    timeoutFor(4 * resendMs + 60_000),
  );
});
