// `npm run canary` as part of the suite: the whole shared corpus through every channel (the library, a
// foreign producer, the vendor bridges, the every-field producer) into every sink, zero needles in the
// raw bytes any backend received and in what Prometheus answers about its stored names and metadata,
// and every sink actually fed.
import { describe, expect, it } from 'vitest';
import { runCanary } from '../canary/run.ts';

describe('the canary run over the project’s corpus, and an external one beside it when named', () => {
  it('finds no canary in any sink, every sink received data, and pseudonyms join', {
    timeout: 900_000,
  }, async () => {
    const { summary, leaks } = await runCanary();
    console.log(JSON.stringify(summary));
    expect(
      leaks.slice(0, 5).map((leak) => `${leak.needle.entity} "${leak.needle.value}" in ${leak.where}`),
    ).toEqual([]);
    expect(summary.leaks).toBe(0);
    // The generated corpus always runs; MCP_KIT_CANARIES (CI passes the shared corpus) adds its own.
    expect(Object.keys(summary.corpora).sort()).toEqual(
      process.env.MCP_KIT_CANARIES ? ['external', 'generated'] : ['generated'],
    );
    expect(Object.keys(summary.sinks).sort()).toEqual([
      'loki',
      'mcpcat-vendor',
      'prometheus',
      'prometheus-api',
      'sentry',
      'tempo',
    ]);
    for (const [name, sink] of Object.entries(summary.sinks)) expect(sink.requests, name).toBeGreaterThan(0);
    // Every vendor bridge delivered something, and no SDK phoned home.
    for (const [channel, count] of Object.entries(summary.channels))
      expect(count, channel).toBeGreaterThan(0);
    expect(summary.phoneHome).toEqual({ 'phone-home': 0 });
    expect(summary.pseudonymsJoin).toBe(true);
  });
});
