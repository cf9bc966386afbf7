// Scenario 8 of the fault suite: the reference server (its own process, startTelemetry() exporting over
// OTLP/HTTP to the kit's collector) is SIGKILLed in the middle of a run of tool calls. A killed process
// cannot flush, so the spans its SDK still held (those of the calls since its last export: under load
// less than a 512-span batch, else at most the 5 s schedule delay) are lost; nothing else may be. Sent are the calls answered before the kill;
// received, those whose tool span reached Tempo; the counted drops, the unexported tail: the calls after
// the last one that arrived. Asserted: no call before that tail is missing, every span the collector
// accepted reached Tempo, and a server started again exports at once.
import { afterAll, describe, expect, it } from 'vitest';
import { drained, scrapeCollector } from '../../support/collector-metrics.ts';
import { type AppRig, startAppRig } from '../../support/faults/app-rig.ts';
import { percent, recordFigures } from '../../support/faults/figures.ts';
import { phaseMs, timeoutFor } from '../../support/faults/mode.ts';

const trafficMs = phaseMs(6_000, 120_000);

describe('the application SIGKILLed mid-traffic', () => {
  let rig: AppRig | undefined;

  afterAll(async () => {
    await rig?.close();
  });

  it(
    'loses only the spans it had not exported yet, and a server started again exports at once',
    async () => {
      rig = await startAppRig('kill');
      const { sink, collector } = rig;
      const first = { locator: rig.locator, agent: rig.agent };
      const toolSpans = () => sink.spans.filter((span) => span.name.startsWith('tools/call'));
      const arrived = () => new Set(toolSpans().map((span) => span.traceId));

      // The kill lands mid-run: the agent's calls go on until the process is gone.
      // The kill's own moment: the agent may notice the server is gone only when a call in flight fails.
      let killedAt = 0;
      const killAt = setTimeout(() => {
        killedAt = performance.now();
        void first.locator.kill();
      }, trafficMs);
      const calls = await first.agent.callFor(trafficMs + 60_000);
      clearTimeout(killAt);
      expect(first.locator.alive(), 'the server was killed').toBe(false);

      // The collector delivers what it accepted.
      const running = collector as NonNullable<typeof collector>;
      await drained(running, 'otlp_http/tempo', () => sink.spans.length);
      const accepted = (await scrapeCollector(running)).value('otelcol_receiver_accepted_spans');
      const spansAtTempo = new Set(sink.spans.map((span) => `${span.traceId}/${span.spanId}`)).size;

      const got = arrived();
      const lastArrived = calls.findLastIndex((call) => got.has(call.traceId));
      const holes = calls.slice(0, lastArrived + 1).filter((call) => !got.has(call.traceId)).length;
      const tail = calls.slice(lastArrived + 1);
      const received = calls.filter((call) => got.has(call.traceId)).length;
      const tailMs = tail.length > 0 ? killedAt - (tail[0]?.endedAt ?? killedAt) : 0;

      // Started again, the server exports without anything left over from the killed one.
      const second = await rig.startLocator();
      const [afterRestart] = await second.agent.callFor(500);
      await second.locator.stop();
      await sink.waitFor(() => arrived().has(afterRestart?.traceId ?? ''), 30_000);

      recordFigures('8-app-killed', {
        order: 8,
        scenario: `Reference server SIGKILLed after ${trafficMs / 1000}s of sequential tool calls`,
        sent: calls.length,
        received,
        deliveredPercent: percent(received, calls.length),
        countedDrops: tail.length,
        duplicates:
          toolSpans().length - new Set(toolSpans().map((span) => `${span.traceId}/${span.spanId}`)).size,
        notes:
          `lost: the ${tail.length} calls of the last ${(tailMs / 1000).toFixed(1)} s before the kill, not yet ` +
          `exported (a batch leaves at 512 spans or after 5 s); ${holes} missing before them; the collector ` +
          `accepted ${accepted} spans and Tempo holds ${spansAtTempo}; a restarted server's first call reached Tempo`,
      });

      expect(calls.length, 'calls were answered before the kill').toBeGreaterThan(0);
      expect(holes, 'no call is missing before the unexported tail').toBe(0);
      expect(received + tail.length).toBe(calls.length);
      expect(spansAtTempo, 'every span the collector accepted reached Tempo').toBe(accepted);
      expect(arrived().has(afterRestart?.traceId ?? ''), 'the restarted server exports').toBe(true);
    },
    timeoutFor(trafficMs),
  );
});
