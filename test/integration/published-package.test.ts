// The package as an application installs it: `npm run build` output under node_modules/mcp-telemetry-kit,
// imported by name from a plain JavaScript application (Node refuses TypeScript under node_modules, so
// this is the only form users can load). The app serves one tool call over the SDK's in-memory transport
// and prints what the kit would export.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../support/capture.ts';

const repo = path.join(import.meta.dirname, '../..');
const run = promisify(execFile);

const application = `
import { instrumentMcpServer, startTelemetry } from 'mcp-telemetry-kit';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { InMemoryMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { z } from 'zod';

const spans = new InMemorySpanExporter();
const telemetry = startTelemetry({
  serviceName: 'installed',
  pseudonymKey: 'test-only-pseudonym-key-0123456789abcdef',
  hostMetrics: false,
  traceExporter: spans,
  logExporter: new InMemoryLogRecordExporter(),
  metricReader: new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(), exportIntervalMillis: 3600000 }),
});
const server = instrumentMcpServer(new McpServer({ name: 'installed', version: '1.0.0' }));
server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'consumer', version: '1.0.0' });
await client.connect(clientSide);
await client.callTool({ name: 'echo', arguments: { text: 'Quanmath Zhuthnil' } });
await telemetry.forceFlush();
console.log(JSON.stringify({
  kit: import.meta.resolve('mcp-telemetry-kit'),
  spans: spans.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes })),
}));
await client.close();
await telemetry.shutdown();
`;

describe('the built package, installed in an application', () => {
  it('loads by name from node_modules and instruments a server', async () => {
    const app = newCaptureRoot('published-package');
    const modules = path.join(app, 'node_modules');
    const installed = path.join(modules, 'mcp-telemetry-kit');
    mkdirSync(installed, { recursive: true });
    await run(process.execPath, [
      path.join(repo, 'scripts/build.ts'),
      '--out-dir',
      path.join(installed, 'dist'),
    ]);
    copyFileSync(path.join(repo, 'package.json'), path.join(installed, 'package.json'));
    // The application's own dependencies, as npm would have installed them beside the kit.
    for (const dependency of ['@opentelemetry', '@modelcontextprotocol', 'zod'])
      symlinkSync(path.join(repo, 'node_modules', dependency), path.join(modules, dependency));
    writeFileSync(path.join(app, 'app.mjs'), application);

    const { stdout } = await run(process.execPath, [path.join(app, 'app.mjs')], { cwd: app });
    const { kit, spans } = JSON.parse(stdout) as {
      kit: string;
      spans: { name: string; attributes: Record<string, unknown> }[];
    };

    expect(kit).toBe(`file://${path.join(installed, 'dist/index.js')}`);
    expect(spans.map((span) => span.name)).toContain('tools/call echo');
    expect(spans.find((span) => span.name === 'tools/call echo')?.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo',
    });
    expect(stdout).not.toContain('Quanmath');
  });
});
