// An AI agent of the fault suite: one MCP client over Streamable HTTP making sequential tool calls to the
// reference server, each with its own W3C traceparent in `_meta`, which the kit honours, so every call is
// found at the fake Tempo by its trace id.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { LocatorProcess } from './locator-process.ts';

export interface Call {
  traceId: string;
  /** performance.now() when the answer came. */
  endedAt: number;
  ms: number;
  ok: boolean;
}

export interface FaultAgent {
  /**
   * Calls one after another for `ms` (as fast as answers come, or at most `perSecond`); stops early,
   * without throwing, once the server is gone.
   */
  callFor(ms: number, perSecond?: number): Promise<Call[]>;
  close(): Promise<void>;
}

export async function connectAgent(locator: LocatorProcess): Promise<FaultAgent> {
  const client = new Client({ name: 'fault-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(locator.url), {
      requestInit: { headers: { authorization: `Bearer ${locator.token}` } },
    }),
  );
  return {
    async callFor(ms, perSecond) {
      const calls: Call[] = [];
      const begun = Date.now();
      const until = begun + ms;
      while (Date.now() < until) {
        // A steady rate: the next call waits for its slot.
        if (perSecond) await sleep(Math.max(0, begun + (calls.length * 1000) / perSecond - Date.now()));
        const traceId = randomBytes(16).toString('hex');
        const started = performance.now();
        const result = await client
          .callTool({
            name: 'search_detainee_by_name',
            arguments: { first_name: 'Ana', last_name: 'Lopez', country_of_birth: 'Mexico', language: 'es' },
            _meta: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
          })
          .catch(async (error: unknown) => {
            // The connection can break a moment before the process's exit is seen.
            for (let wait = 0; wait < 40 && locator.alive(); wait++) await sleep(50);
            if (locator.alive()) throw error;
            return undefined;
          });
        if (result === undefined) break;
        const endedAt = performance.now();
        calls.push({ traceId, endedAt, ms: endedAt - started, ok: !result.isError });
      }
      return calls;
    },
    close: () => client.close().catch(() => {}),
  };
}
