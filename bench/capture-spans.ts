// Realistic spans for the collector benchmark: runs the reference server (examples/detainee-locator)
// over Streamable HTTP with the kit exporting to the given OTLP endpoint, and drives it with real MCP
// clients through a mix of its tools (by name, by A-number, natural-language search, batch, report),
// in English and Spanish, with matches, misses and malformed input. What the endpoint receives is
// exactly what the collector gets from the reference server: HTTP server and client spans, MCP
// spans, the tools' internal spans.
//
//   node bench/capture-spans.ts <otlp-endpoint> <sessions>   (in its own process: the kit is global)
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import seedrandom from 'seedrandom';
import { syntheticDetainees } from '../examples/detainee-locator/dataset.ts';
import { startHttpServer } from '../examples/detainee-locator/server.ts';
import { startUpstream } from '../examples/detainee-locator/upstream.ts';
import { UpstreamClient } from '../examples/detainee-locator/upstream-client.ts';
import { startTelemetry } from '../src/index.ts';

const [endpoint = 'http://127.0.0.1:4318', sessionsArg = '20'] = process.argv.slice(2);
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
process.env.MCP_KIT_PSEUDONYM_KEY ??= 'bench-pseudonym-key-0123456789abcdef';
const telemetry = startTelemetry({ serviceName: 'detainee-locator', serviceVersion: '1.0.0' });

const records = syntheticDetainees();
const upstream = await startUpstream({ records });
const token = 'bench-locator-token-0123456789';
const http = await startHttpServer({
  upstream: new UpstreamClient(upstream.url),
  tokens: { family: token },
  allowedOrigins: [],
  // One principal drives every session as fast as it can: the server's per-principal limits would refuse it.
  limits: { requestsPerSecond: 100_000, maxSessionsPerPrincipal: 100_000 },
});

const random = seedrandom('bench-capture');
const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)] as T;
for (let session = 0; session < Number(sessionsArg); session++) {
  const client = new Client({ name: 'claude-ai', version: '0.1.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(http.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  await client.listTools();
  for (let call = 0; call < 5; call++) {
    const person = pick(records);
    const language = pick(['en', 'es'] as const);
    const calls = [
      {
        name: 'search_detainee_by_name',
        arguments: {
          first_name: person.first_name,
          last_name: random() < 0.3 ? `${person.last_name}x` : person.last_name,
          country_of_birth: person.country_of_birth,
          date_of_birth: person.date_of_birth,
          language,
        },
      },
      { name: 'search_detainee_by_alien_number', arguments: { alien_number: person.alien_number, language } },
      { name: 'search_detainee_by_alien_number', arguments: { alien_number: 'A-12', language } },
      {
        name: 'smart_detainee_search',
        arguments: {
          query: `${person.first_name} ${person.last_name}, born in ${person.country_of_birth}`,
          language,
        },
      },
    ];
    await client.callTool(pick(calls)).catch(() => undefined);
  }
  await client.close();
}

await http.close();
await upstream.close();
await telemetry.shutdown();
process.exit(0);
