// Alerting end to end with the real programs: three reference servers (the real program, one process per
// service) with simulated AI agents calling them, through the kit's collector into the real Prometheus
// (the shared prometheus.yml and rule files) and the real Alertmanager (the shared alertmanager.yml and
// templates), to fake Slack and PagerDuty webhooks. Three faults, one per service, run side by side:
// an error burst from a flaky upstream, an upstream outage, and an enumeration replay. Each must reach
// the receiver its severity calls for, and then be resolved there; ordinary callers never trigger the
// enumeration alert, and no notification carries a pseudonym.
//
// The alerts used are the real ones, with their real `for:` (1-2 minutes) and windows: no shortened
// copy. Only the servers' metric export interval (2 s instead of the SDK's 60 s) and Alertmanager's
// group_interval (see test/support/alerting-stack.ts) are set for the test; Prometheus keeps the shared
// 15 s evaluation interval. Fault-to-notification times are printed, never asserted.
//
// Wall time, about 6 minutes, is set by the real rules: a page needs the burn alert's `for: 2m` plus
// Alertmanager's 30 s group_wait, and the enumeration alert resolves only once the sweep has left its
// 5-minute window (shorter windows would miss data from servers exporting metrics every 60 s).
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startUpstream, type Upstream } from '../../examples/detainee-locator/upstream.ts';
import { type Journey, runTraffic } from '../../examples/traffic/generator.ts';
import { Pseudonymizer } from '../../src/privacy/pseudonymizer.ts';
import {
  type AlertingStack,
  type LocatorProcess,
  type Notification,
  sharedAlertmanagerConfig,
  sharedPrometheusConfig,
  startAlertingStack,
  startLocatorProcess,
  TEST_GROUP_INTERVAL,
} from '../support/alerting-stack.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { eventually } from '../support/eventually.ts';

const PSEUDONYM_KEY = 'alerting-e2e-pseudonym-key-0123456789abcdef';
const services = ['locator-errors', 'locator-outage', 'locator-enumeration'] as const;
type Service = (typeof services)[number];

// Ordinary callers: each its own principal, a session every 15 s (already a busy family or lawyer),
// so each looks up a few dozen people in the test, not the hundred the enumeration alert waits for.
const CALLERS = 8;
const CALLER_PERIOD_MS = 15_000;
// After a burst, as many again at a session every 4 s each: recovery traffic that brings the error ratio
// of the last hour back under the objective's burn threshold within a minute or so.
const RECOVERY_CALLERS = 16;
const RECOVERY_PERIOD_MS = 4_000;
// The generator's default mix, typos included: the reference server answers a malformed A-number with an
// `isError` result declared `rejected`, which the availability SLO does not count as the server's failure.
const NORMAL_MIX: Partial<Record<Journey, number>> = { family: 4, lawyer: 3, typo: 2, bulk: 1 };

const token = (principal: string) => `token-${principal}-0123456789abcdef`;
const principals = [
  ...Array.from({ length: CALLERS }, (_, i) => `caller-${i}`),
  ...Array.from({ length: RECOVERY_CALLERS }, (_, i) => `recovery-${i}`),
  'enumerator',
];

/** Callers that keep making sessions (each after the last, then a pause) until stopped. */
function crowd(url: string, names: string[], periodMs: number) {
  let stopped = false;
  const loops = names.map(async (name, index) => {
    await sleep((periodMs * index) / names.length); // spread the callers over the period
    for (let round = 0; !stopped; round++) {
      await runTraffic({
        url,
        token: token(name),
        sessions: 1,
        rate: 10,
        seed: `${name}-${round}`,
        mix: NORMAL_MIX,
      }).catch(() => undefined);
      await sleep(periodMs);
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

async function setFaults(upstream: Upstream, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${upstream.url}/admin/faults`, {
    method: 'POST',
    body: JSON.stringify(faults),
  });
  expect(response.ok).toBe(true);
}

/** Leaf paths whose values differ between two parsed YAML documents. */
function differences(a: unknown, b: unknown, at = ''): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) =>
      differences(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        at ? `${at}.${key}` : key,
      ),
    );
  }
  return a === b ? [] : [at];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

describe('alerts from the real pipeline reach the right receivers, then resolve', () => {
  let stack: AlertingStack;
  const upstreams = {} as Record<Service, Upstream>;
  const servers = {} as Record<Service, LocatorProcess>;
  const crowds: { stop(): Promise<void> }[] = [];
  const timings: string[] = [];

  const notified = (
    receiver: Notification['receiver'],
    status: string,
    alertname: string,
    service: Service,
    after = 0,
  ) =>
    stack
      .notifications()
      .find(
        (n) =>
          n.receiver === receiver &&
          n.status === status &&
          n.receivedAt >= after &&
          n.text.includes(alertname) &&
          n.text.includes(`service: ${service}`),
      );

  beforeAll(async () => {
    stack = await startAlertingStack({ captureRoot: newCaptureRoot('alerting-e2e') });
    for (const service of services) {
      upstreams[service] = await startUpstream();
      servers[service] = await startLocatorProcess({
        serviceName: service,
        collector: stack.collector,
        upstreamUrl: upstreams[service].url,
        tokens: Object.fromEntries(principals.map((principal) => [principal, token(principal)])),
        pseudonymKey: PSEUDONYM_KEY,
        metricExportIntervalMs: 2_000,
      });
      crowds.push(
        crowd(
          servers[service].url,
          principals.filter((p) => p.startsWith('caller-')),
          CALLER_PERIOD_MS,
        ),
      );
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(crowds.map((c) => c.stop()));
    for (const service of services) await servers[service]?.stop();
    await Promise.all(services.map((service) => upstreams[service]?.close()));
    await stack?.stop();
    if (timings.length > 0) console.log(`alerting end to end:\n  ${timings.join('\n  ')}`);
  }, 120_000);

  it('runs the shared files, differing only in addresses, secrets and the group interval', () => {
    const prometheus = differences(
      parse(readFileSync(sharedPrometheusConfig, 'utf8')),
      parse(readFileSync(stack.files.prometheus, 'utf8')),
    );
    expect(prometheus).toEqual([
      'alerting.alertmanagers.0.static_configs.0.targets.0',
      'scrape_configs.0.static_configs.0.targets.0',
    ]);
    const alertmanager = differences(
      parse(readFileSync(sharedAlertmanagerConfig, 'utf8')),
      parse(readFileSync(stack.files.alertmanager, 'utf8')),
    );
    // Secrets files (the paths ending in _file) move to the test's folder; nothing else changes.
    expect(alertmanager.filter((key) => !key.endsWith('_file'))).toEqual([
      'global.pagerduty_url',
      'route.group_interval',
    ]);
    expect(alertmanager.filter((key) => key.endsWith('_file'))).toHaveLength(5);
    expect(TEST_GROUP_INTERVAL).toBe('10s');
  });

  it.concurrent('pages PagerDuty and Slack for an error burst, then tells both it is resolved', async () => {
    const service = 'locator-errors';
    await sleep(5_000); // some ordinary traffic first
    // Three of four upstream answers fail: with the client's retries about a third of searches fail,
    // below the circuit breaker's threshold, far above the 1% error budget.
    const faultAt = Date.now();
    await setFaults(upstreams[service], { errorRate: 0.75 });
    // The burst lasts until the page: healed earlier, the alert could resolve before Alertmanager's
    // group_wait has passed, and nobody would have been paged.
    const page = await eventually(
      async () => notified('pagerduty', 'firing', 'MCPAvailabilityBudgetBurnFast', service),
      360_000,
    );
    const healAt = Date.now();
    await setFaults(upstreams[service], { errorRate: 0 });
    const recovery = crowd(
      servers[service].url,
      principals.filter((p) => p.startsWith('recovery-')),
      RECOVERY_PERIOD_MS,
    );
    crowds.push(recovery);
    expect(notified('slack', 'firing', 'MCPAvailabilityBudgetBurnFast', service)).toBeDefined();
    const resolved = await eventually(
      async () => notified('pagerduty', 'resolved', 'MCPAvailabilityBudgetBurnFast', service),
      300_000,
    );
    await eventually(
      async () => notified('slack', 'resolved', 'MCPAvailabilityBudgetBurnFast', service),
      60_000,
    );
    await recovery.stop();
    timings.push(
      `error burst: fault → PagerDuty page ${seconds(page.receivedAt - faultAt)}, healed → resolved ${seconds(resolved.receivedAt - healAt)}`,
    );
  }, 600_000);

  it.concurrent('pages PagerDuty and Slack when the upstream is down and the circuit opens, then resolves', async () => {
    const service = 'locator-outage';
    await sleep(5_000);
    const faultAt = Date.now();
    await setFaults(upstreams[service], { outage: true });
    const page = await eventually(
      async () => notified('pagerduty', 'firing', 'MCPUpstreamCircuitOpen', service),
      300_000,
    );
    expect(page.text).toContain('The server stopped calling its failing upstream.');
    await eventually(async () => notified('slack', 'firing', 'MCPUpstreamCircuitOpen', service), 60_000);

    const healAt = Date.now();
    await setFaults(upstreams[service], { outage: false });
    const resolved = await eventually(
      async () => notified('pagerduty', 'resolved', 'MCPUpstreamCircuitOpen', service),
      180_000,
    );
    await eventually(async () => notified('slack', 'resolved', 'MCPUpstreamCircuitOpen', service), 60_000);
    timings.push(
      `upstream outage: fault → PagerDuty page ${seconds(page.receivedAt - faultAt)}, healed → resolved ${seconds(resolved.receivedAt - healAt)}`,
    );
  }, 600_000);

  it.concurrent('tells Slack, not PagerDuty, about one caller enumerating people, only that caller, then resolves', async () => {
    const service = 'locator-enumeration';
    await sleep(5_000);
    // One principal walking consecutive A-numbers (the generator's enumeration journey), 25 a session.
    const faultAt = Date.now();
    const replay = await runTraffic({
      url: servers[service].url,
      token: token('enumerator'),
      enumerationToken: token('enumerator'),
      sessions: 6,
      rate: 1,
      seed: 'enumeration-replay',
      mix: { enumeration: 1 },
    });
    const sweepEnd = Date.now();
    expect(replay.calls).toBe(150);

    const notice = await eventually(
      async () => notified('slack', 'firing', 'MCPLookupEnumeration', service),
      300_000,
    );
    expect(notice.text).toContain('One caller is looking up many different people.');
    expect(notice.text).toContain('[FIRING:1] MCPLookupEnumeration (warning)');

    // Only the enumerating caller, under its pseudonym: the ordinary callers of all three services
    // stayed silent (Prometheus's ALERTS series keep every principal that was ever pending or firing).
    const enumerator = new Pseudonymizer({ secret: PSEUDONYM_KEY }).pseudonym('principal', 'enumerator');
    const flagged = await stack.prometheus.query(
      'count by (job, mcpkit_principal) (count_over_time(ALERTS{alertname="MCPLookupEnumeration"}[30m]))',
    );
    expect(flagged.map((series) => series.metric)).toEqual([{ job: service, mcpkit_principal: enumerator }]);

    const resolved = await eventually(
      async () => notified('slack', 'resolved', 'MCPLookupEnumeration', service),
      480_000,
    );
    expect(stack.notifications().filter((n) => n.text.includes('MCPLookupEnumeration'))).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ receiver: 'pagerduty' })]),
    );
    timings.push(
      `enumeration replay: sweep start → Slack ${seconds(notice.receivedAt - faultAt)}, sweep end → resolved ${seconds(resolved.receivedAt - sweepEnd)}`,
    );
  }, 600_000);

  it.sequential('never prints a pseudonym, a token or a caller in any notification', () => {
    const everything = stack
      .notifications()
      .map((n) => JSON.stringify(n.body))
      .join('\n');
    expect(stack.notifications().length).toBeGreaterThan(0);
    expect(everything).not.toMatch(/ps_[A-Za-z0-9_-]{22}/);
    expect(everything).not.toMatch(/token-|caller-|recovery-|enumerator/);
  });

  it.sequential('finds every series the host, privacy and abuse alerts read, under their real names', async () => {
    // Printed for the record: the host and runtime series as Prometheus names them.
    const names = await stack.prometheus.query(
      'count by (__name__) ({__name__=~"(system|process|nodejs|v8js|mcpkit)_.+", job="locator-errors"})',
    );
    timings.push(
      `series: ${names
        .map((s) => s.metric.__name__)
        .sort()
        .join(', ')}`,
    );
    const redactions = await stack.prometheus.query(
      'sum by (job) (increase(mcpkit_privacy_redactions_total[30m]))',
    );
    timings.push(
      `layer 1 redactions over the run: ${JSON.stringify(redactions.map((s) => [s.metric.job, s.value[1]]))}`,
    );
    const memory = await stack.prometheus.query('count by (system_memory_state) (system_memory_utilization)');
    timings.push(`memory states: ${JSON.stringify(memory.map((s) => s.metric))}`);
    const info = await stack.prometheus.query('target_info{job="locator-errors"}');
    timings.push(
      `target_info labels: ${Object.keys(info[0]?.metric ?? {})
        .sort()
        .join(', ')}`,
    );
    for (const series of [
      'process_cpu_time_seconds_total',
      'system_memory_utilization{system_memory_state="used"}',
      'system_filesystem_utilization_ratio',
      'nodejs_eventloop_delay_p99_seconds',
      'target_info{process_pid!=""}',
      'mcpkit_principal_lookups_total{mcpkit_lookup_novelty="new", mcpkit_lookup_batch="true"}',
      'mcpkit_http_rejections_total{error_type="unauthorized"}',
      'locator_upstream_circuit_state',
    ]) {
      const found = await stack.prometheus.query(`count by (job) (${series})`);
      expect(found.map((s) => s.metric.job).sort(), series).toEqual([...services].sort());
    }
  });
});
