// MCP servers with no kit code, driven through the kit's collector: a real MCP client searches for each
// canary record once, and the backends' captures are scanned for the records' needles. Shared by the
// tests of other languages and instrumentations (python-servers, mcp-instrumentations).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type CanaryCorpus, type CanaryRecord, type Leak, NeedleScanner } from './canaries.ts';
import type { OtlpDataPoint } from './sinks/otlp/decode.ts';
import type { OtlpSink } from './sinks/otlp-sink.ts';

export interface SearchOutcome {
  made: number;
  failed: number;
}

/**
 * Calls search_detainee_by_name once per record, as an assistant would, with the record's name and date of
 * birth; `spacingMs` between calls spreads them over time as traffic is.
 */
export async function searchEveryone(
  url: URL,
  records: CanaryRecord[],
  spacingMs = 0,
): Promise<SearchOutcome> {
  const client = new Client({ name: 'claude-ai', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(url);
  await client.connect(transport);
  const outcome = { made: 0, failed: 0 };
  try {
    for (const { detainee } of records) {
      const result = await client.callTool({
        name: 'search_detainee_by_name',
        arguments: {
          first_name: detainee.first_name,
          last_name: detainee.last_name,
          date_of_birth: detainee.date_of_birth,
        },
      });
      outcome.made++;
      if (result.isError) outcome.failed++;
      if (spacingMs > 0) await sleep(spacingMs);
    }
  } finally {
    // Ends the session as a well-behaved client does (HTTP DELETE), so the server records it.
    await transport.terminateSession().catch(() => undefined);
    await client.close();
  }
  return outcome;
}

/** The latest cumulative count of each series of a metric from one service, keyed by its attributes. */
export function latestCounts(
  points: OtlpDataPoint[],
  metric: string,
  service: string,
): Record<string, number> {
  const latest: Record<string, number> = {};
  for (const point of points.filter((p) => p.metric === metric && p.resource['service.name'] === service))
    latest[JSON.stringify(Object.fromEntries(Object.entries(point.attributes).sort()))] = point.value;
  return latest;
}

/** Every needle of `records` found in what the sinks captured. */
export function leaksAt(sinks: OtlpSink[], corpus: CanaryCorpus, records: CanaryRecord[]): Leak[] {
  const ids = new Set(records.map((record) => record.id));
  const scanner = new NeedleScanner(corpus.needles.filter((needle) => ids.has(needle.record)));
  return sinks.flatMap((sink) =>
    readdirSync(sink.captureDir).flatMap((file) =>
      scanner.scan(readFileSync(path.join(sink.captureDir, file)), `${sink.name}/${file}`),
    ),
  );
}
