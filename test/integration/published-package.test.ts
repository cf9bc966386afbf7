// The package as an application installs it: `npm run build` output under node_modules/mcp-telemetry-kit,
// imported by name from a plain JavaScript application (Node refuses TypeScript under node_modules, so
// this is the only form users can load). The app serves one tool call over the SDK's in-memory transport
// and prints what the kit would export, under each Node.js line the package declares (22, 24, 26).
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { satisfies } from 'semver';
import { describe, expect, it } from 'vitest';
import { newCaptureRoot } from '../support/capture.ts';
import { requireTools } from '../support/tools.ts';

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
  version: process.version,
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

    // Under every Node.js line `engines` covers: 24 (the project's own), 22 and 26 (provisioned).
    const tools = requireTools();
    const lines = { '22': tools.node22, '24': process.execPath, '26': tools.node26 };
    const served: Record<string, string> = {};
    for (const [line, node] of Object.entries(lines)) {
      const { stdout } = await run(node, [path.join(app, 'app.mjs')], { cwd: app });
      const { kit, version, spans } = JSON.parse(stdout) as {
        kit: string;
        version: string;
        spans: { name: string; attributes: Record<string, unknown> }[];
      };
      expect(version.startsWith(`v${line}.`), `${line}: ${version}`).toBe(true);
      expect(kit).toBe(`file://${path.join(installed, 'dist/index.js')}`);
      expect(spans.find((span) => span.name === 'tools/call echo')?.attributes, line).toMatchObject({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'echo',
      });
      expect(stdout).not.toContain('Quanmath');
      served[line] = version;
    }
    console.log(`installed package served a traced tool call under ${Object.values(served).join(', ')}`);
  });

  it('declares the Node.js lines it is tested on', async () => {
    const { engines } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    for (const version of ['22.12.0', '24.0.0', '26.0.0'])
      expect(satisfies(version, engines.node), `${version} in ${engines.node}`).toBe(true);
    expect(satisfies('20.19.0', engines.node)).toBe(false);
  });
});
