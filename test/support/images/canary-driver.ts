// The canary corpus sent through the reference server of a running compose stack, the way callers reach
// it: a real MCP client per record over Streamable HTTP, with the record in every channel a caller
// controls: tool arguments (every A-number and date format), free-text queries, `_meta` (trace state,
// baggage, extra keys), HTTP headers (user agent, forwarded address, trace state), clientInfo.name, a tool
// and a JSON-RPC method named after the person, and a resource URI. Run by test/e2e/compose-stack.test.ts
// in a container on the stack's `mcp` network, with the repository at /kit:
//
//   node /kit/test/support/images/canary-driver.ts <server URL> <agents secret> <agents> <records.json>
//
// Record i comes from agent (i mod agents) + 1 of the server's pool (its token derived from the secret, as
// the traffic generator's), so no principal runs into the server's per-principal limits; a call refused
// as rate-limited is tried again after a pause. Prints one JSON line: how many records went through and
// how many calls the server answered.
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { EmptyResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { agentToken } from '../../../examples/detainee-locator/agent-pool.ts';
import type { CanaryRecord } from '../canaries.ts';

const [url, secret, agents, recordsFile] = process.argv.slice(2) as [string, string, string, string];
const records = JSON.parse(readFileSync(recordsFile, 'utf8')) as CanaryRecord[];

/** A header holds Latin-1 only: a name in another script goes percent-encoded, as clients send it. */
const latin1 = (text: string) =>
  [...text].every((ch) => (ch.codePointAt(0) ?? 0) <= 0xff) ? text : encodeURIComponent(text);

let answered = 0;
const settle = (call: Promise<unknown>) =>
  call.then(
    () => {
      answered += 1;
    },
    () => undefined,
  );

async function send(record: CanaryRecord, token: string): Promise<void> {
  const { detainee: d, searcher: s } = record;
  const headers = {
    'user-agent': latin1(`${s.name} <${s.email}>`),
    'x-forwarded-for': s.ip,
    'x-searcher-phone': s.phone,
    authorization: `Bearer ${token}`,
    traceparent: '00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01',
    tracestate: `searcher=${encodeURIComponent(s.name)},contact=${encodeURIComponent(s.email)}`,
  };
  const client = new Client({ name: `${s.name} family laptop`, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  const meta = {
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tracestate: `detainee=${encodeURIComponent(`${d.first_name} ${d.last_name}`)},dob=${encodeURIComponent(d.date_of_birth)}`,
    baggage: `searcher=${encodeURIComponent(s.email)}`,
    searcher: s.name,
  };
  try {
    for (const [index, query] of record.queries.entries()) {
      await settle(
        client.callTool({
          name: 'search_detainee_by_name',
          arguments: {
            first_name: d.first_name,
            last_name: d.last_name,
            date_of_birth: d.date_of_birth_formats[index % d.date_of_birth_formats.length] ?? d.date_of_birth,
            query,
          },
          _meta: meta,
        }),
      );
    }
    for (const alienNumber of d.alien_number_formats)
      await settle(
        client.callTool({
          name: 'search_detainee_by_alien_number',
          arguments: { alien_number: alienNumber },
        }),
      );
    await settle(
      client.callTool({
        name: 'smart_detainee_search',
        arguments: { query: record.queries[0] ?? '' },
        _meta: meta,
      }),
    );
    await settle(client.callTool({ name: `${d.first_name} ${d.last_name}`, arguments: {} }));
    await settle(
      client.request(
        {
          method: `find ${d.first_name} ${d.last_name} ${d.alien_number}`.toLowerCase(),
          params: { _meta: meta },
        },
        EmptyResultSchema,
      ),
    );
    await settle(
      client.readResource({ uri: `detainee://${d.alien_number}/${encodeURIComponent(d.last_name)}` }),
    );
  } finally {
    // Ends the session on the server (DELETE), as the traffic generator does: a closed client alone leaves
    // it open for 10 idle minutes, and 20 of them fill an agent's session cap, after which the stack's own
    // traffic of that agent was refused (found when the compose test's outage paged nothing).
    await transport.terminateSession().catch(() => undefined);
    await client.close();
  }
}

/** Sends a record, again after a pause while the server answers 429 (the session could not start). */
async function sendPatiently(record: CanaryRecord, token: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(record, token);
    } catch (error) {
      if ((error as { code?: number }).code !== 429 || attempt === 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

// A few callers at once, each record from the next agent of the pool.
const queue = records.map((record, index) => ({
  record,
  token: agentToken(secret, (index % Number(agents)) + 1),
}));
let sent = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      await sendPatiently(next.record, next.token);
      sent += 1;
    }
  }),
);
console.log(JSON.stringify({ records: sent, answered }));
