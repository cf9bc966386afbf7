// The compose stack's simulated agents, run at the compose defaults (rate, mix, agent pool as
// docker-compose.yml and .env.example set them, tokens as the stack's secrets service writes them) against
// the real reference server: ordinary families and
// lawyers are spread over many principals, each looking up far fewer new people per hour than
// MCPLookupEnumeration waits for, while the prober, on its own principal, stays far above it. Figures come
// from what the server's metrics export (mcpkit.principal.lookups), not from the generator.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, tokensFromEnvironment } from '../../examples/detainee-locator/server.ts';
import { startUpstream, type Upstream } from '../../examples/detainee-locator/upstream.ts';
import { UpstreamClient } from '../../examples/detainee-locator/upstream-client.ts';
import { runTraffic, type TrafficSummary } from '../../examples/traffic/generator.ts';
import { METRIC_MCPKIT_PRINCIPAL_LOOKUPS } from '../../src/semconv.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { envExample, interpolate, loadCompose, runComposeSecrets } from '../support/compose.ts';
import { type CapturedTelemetry, startCapturedTelemetry } from '../support/telemetry.ts';

// MCPLookupEnumeration (prometheus/rules/abuse.rules.yml): more than 100 new lookups by one principal in
// an hour.
const ALERT_NEW_LOOKUPS_PER_HOUR = 100;
// Long enough that the prober's 1-in-11 share of sessions certainly comes up (about 11 times).
const RUN_SECONDS = 60;

const env = Object.fromEntries(
  Object.entries(envExample()).map(([name, value]) => [name, value === '' ? `filled-${name}` : value]),
);
const services = interpolate(loadCompose(), env).value.services;
const serverEnv = services['detainee-locator']?.environment ?? {};
const trafficEnv = services.traffic?.environment ?? {};
const agents = Number(trafficEnv.TRAFFIC_AGENTS);

/** The stack's secrets as its `secrets` service writes them; a file a service names, read from here. */
const secrets = newCaptureRoot('traffic-principals-secrets');
const secretFile = (volume: string, inContainer: unknown) =>
  path.join(secrets, volume, path.posix.basename(String(inContainer)));

const telemetry: CapturedTelemetry = startCapturedTelemetry();

type Point = { attributes: Record<string, unknown>; value: number };

describe('compose traffic at its default rate, mix and agent pool', () => {
  let upstream: Upstream;
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  let summary: TrafficSummary;
  let newLookups: Map<string, number>;
  let prober: string;

  beforeAll(async () => {
    const made = runComposeSecrets(secrets, {
      TRAFFIC_AGENTS: String(services.secrets?.environment?.TRAFFIC_AGENTS),
    });
    if (made.status !== 0) throw new Error(`compose-secrets.sh failed: ${made.stderr}`);
    upstream = await startUpstream();
    http = await startHttpServer({
      upstream: new UpstreamClient(upstream.url),
      tokens: tokensFromEnvironment({
        LOCATOR_TOKENS_FILE: secretFile('server', serverEnv.LOCATOR_TOKENS_FILE),
      }),
      allowedOrigins: [],
    });
    const mix = Object.fromEntries(
      String(trafficEnv.TRAFFIC_MIX)
        .split(',')
        .map((pair) => pair.split('='))
        .map(([journey, weight]) => [journey, Number(weight)]),
    );
    const started = Date.now();
    summary = await runTraffic({
      url: http.url,
      token: readFileSync(secretFile('traffic', trafficEnv.TRAFFIC_TOKEN_FILE), 'utf8'),
      agents,
      enumerationToken: readFileSync(
        secretFile('traffic', trafficEnv.TRAFFIC_ENUMERATION_TOKEN_FILE),
        'utf8',
      ),
      rate: Number(trafficEnv.TRAFFIC_RATE),
      durationSeconds: RUN_SECONDS,
      seed: 'principals',
      mix,
    });
    const { metrics, spans } = await telemetry.collect();
    newLookups = new Map();
    for (const point of metrics
      .filter((metric) => metric.descriptor.name === METRIC_MCPKIT_PRINCIPAL_LOOKUPS)
      .flatMap((metric) => metric.dataPoints as Point[])) {
      if (point.attributes['mcpkit.lookup.novelty'] !== 'new') continue;
      const principal = String(point.attributes['mcpkit.principal']);
      newLookups.set(principal, (newLookups.get(principal) ?? 0) + point.value);
    }
    prober = String(
      spans.find((span) => span.attributes['mcpkit.client.name'] === 'other')?.attributes['mcpkit.principal'],
    );
    const ordinary = [...newLookups.entries()].filter(([principal]) => principal !== prober);
    console.log(
      `traffic-principals: ${summary.sessions} sessions (${summary.journeys.enumeration} enumeration) in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s; ${ordinary.length} ordinary principals made ` +
        `${ordinary.reduce((sum, [, n]) => sum + n, 0)} new lookups (busiest ${Math.max(...ordinary.map(([, n]) => n))}); ` +
        `prober ${newLookups.get(prober) ?? 0}`,
    );
  }, 240_000);

  afterAll(async () => {
    await http.close();
    await upstream.close();
    await telemetry.handle.shutdown();
  });

  it('completes its sessions, the enumeration journey among them', () => {
    expect(summary.failed).toBe(0);
    expect(summary.completed).toBe(summary.sessions);
    expect(summary.journeys.enumeration).toBeGreaterThan(0);
  });

  it('spreads ordinary lookups over the pool: no agent carries more than its turns of sessions', () => {
    const ordinary = [...newLookups.entries()].filter(([principal]) => principal !== prober);
    expect(ordinary.every(([principal]) => principal.startsWith('ps_'))).toBe(true);
    // Agent k plays sessions k, k + agents, …; one session looks up at most 5 people (a bulk search).
    const turns = Math.ceil(summary.sessions / agents);
    expect(Math.max(...ordinary.map(([, count]) => count))).toBeLessThanOrEqual(5 * turns);
    expect(ordinary.length).toBeGreaterThan(
      Math.min(agents, summary.sessions - summary.journeys.enumeration) / 2,
    );
  });

  it('keeps each ordinary principal well under the enumeration threshold, scaled to the run', () => {
    const ordinaryNew = [...newLookups.entries()]
      .filter(([principal]) => principal !== prober)
      .reduce((sum, [, count]) => sum + count, 0);
    // The pool shares the ordinary sessions evenly (agent k mod N), so each principal's share per hour is
    // the total over the pool, projected from the run's length to an hour.
    const perPrincipalPerHour = (ordinaryNew / agents) * (3600 / RUN_SECONDS);
    console.log(`traffic-principals: ${perPrincipalPerHour.toFixed(1)} new lookups per principal per hour`);
    expect(perPrincipalPerHour).toBeLessThan(ALERT_NEW_LOOKUPS_PER_HOUR / 2);
  });

  it('keeps the prober on its own principal, far above the threshold scaled to the run', () => {
    expect(prober).toMatch(/^ps_/);
    const proberPerHour = (newLookups.get(prober) ?? 0) * (3600 / RUN_SECONDS);
    expect(proberPerHour).toBeGreaterThan(10 * ALERT_NEW_LOOKUPS_PER_HOUR);
  });
});
