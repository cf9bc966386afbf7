// A flood of made-up method names and client names: caller text that once became series of its own, so
// about 2,000 of them pushed every later series, the legitimate `tools/call` ones included, into the SDK's
// overflow set and blinded the SLO alerts. Now each is `other`, whatever its words.
import { EmptyResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentMcpServer } from '../../src/index.ts';
import { connect, newClient, newMcpServer } from '../support/mcp.ts';
import { startCapturedTelemetry } from '../support/telemetry.ts';

const telemetry = startCapturedTelemetry();
afterAll(() => telemetry.handle.shutdown());

const FLOOD = 2_500;

function server() {
  const mcp = newMcpServer('1.x');
  mcp.registerTool('search', { inputSchema: { query: z.string() } }, (async () => ({
    content: [{ type: 'text', text: 'none' }],
  })) as never);
  return instrumentMcpServer(mcp);
}

describe('a flood of made-up method and client names', () => {
  it('leaves the legitimate series whole and counts the flood as `other`, without overflow', async () => {
    for (let i = 0; i < FLOOD; i += 500) {
      // Five hundred clients with names of their own, each calling one made-up method.
      await Promise.all(
        Array.from({ length: 500 }, async (_, j) => {
          const connection = await connect(
            '1.x',
            'in-memory',
            server,
            newClient('1.x', `laptop of person ${i + j}`),
          );
          await connection.client
            .request({ method: `find person ${i + j}`, params: {} }, EmptyResultSchema)
            .catch(() => undefined);
          await connection.close();
        }),
      );
    }
    const legit = await connect('1.x', 'in-memory', server, newClient('1.x', 'claude-code'));
    await legit.client.callTool({ name: 'search', arguments: { query: 'q' } });
    await legit.close();

    const { metrics } = await telemetry.collect();
    const durations = metrics.find(
      (metric) => metric.descriptor.name === 'mcp.server.operation.duration',
    ) as HistogramMetricData;
    const methods = new Set(durations.dataPoints.map((point) => point.attributes['mcp.method.name']));
    expect([...methods].sort()).toEqual(
      ['initialize', 'notifications/initialized', 'other', 'tools/call'].sort(),
    );
    expect(durations.dataPoints.filter((point) => point.attributes['otel.metric.overflow'])).toEqual([]);
    const other = durations.dataPoints.find((point) => point.attributes['mcp.method.name'] === 'other');
    expect(other?.value.count).toBe(FLOOD);
    const sessions = metrics.find((metric) => metric.descriptor.name === 'mcp.server.session.duration');
    const clients = new Set(sessions?.dataPoints.map((point) => point.attributes['mcpkit.client.name']));
    expect([...clients].sort()).toEqual(['claude-code', 'other']);
  }, 300_000);
});
