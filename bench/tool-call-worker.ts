// One side of the per-call overhead benchmark, in its own process so neither side pays for the other's
// globals: `plain` runs an MCP server without the kit, `kit` with startTelemetry() + instrumentMcpServer()
// exporting over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT. Prints one JSON line.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { instrumentMcpServer, startTelemetry } from '../src/index.ts';

const [mode = 'plain', callsArg = '3000'] = process.argv.slice(2);
const calls = Number(callsArg);
const telemetry = mode === 'kit' ? startTelemetry({ serviceName: 'bench' }) : undefined;

const server = new McpServer({ name: 'bench', version: '1' });
server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
  content: [{ type: 'text', text }],
}));
if (mode === 'kit') instrumentMcpServer(server, { tools: { echo: { arguments: { text: 'size' } } } });
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'bench-client', version: '1' });
await client.connect(clientSide);

const call = () => client.callTool({ name: 'echo', arguments: { text: 'hello' } });
for (let i = 0; i < 500; i++) await call(); // warm-up: JIT, caches
const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
for (let i = 0; i < calls; i++) await call();
const elapsedNs = Number(process.hrtime.bigint() - started);
const cpu = process.cpuUsage(cpuBefore);
await client.close();
await telemetry?.shutdown();
console.log(
  JSON.stringify({
    mode,
    calls,
    wallUsPerCall: elapsedNs / 1000 / calls,
    cpuUsPerCall: (cpu.user + cpu.system) / calls,
  }),
);
