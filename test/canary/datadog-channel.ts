// The dd-trace channel of `npm run canary`, in a process of its own because dd-trace replaces the
// process's tracer: the corpus through the careless MCP server with dd-trace as the tracer (the kit's
// spans, the application's OpenTelemetry spans and its dd-trace spans), exported as OTLP to the
// collector named by OTEL_EXPORTER_OTLP_ENDPOINT. Run by test/canary/run.ts; prints the records pushed.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { startTelemetry } from '../../src/index.ts';
import { readCanaryFile } from '../support/canaries.ts';
import { carelessDatadog } from '../support/fixtures/careless-datadog.ts';
import { pushRecordThroughMcp, startEmptyUpstream } from '../support/fixtures/careless-server.ts';

const { values } = parseArgs({ options: { corpus: { type: 'string' } } });
if (!values.corpus) throw new Error('--corpus FILE: the corpus run.ts wrote');
const corpus = readCanaryFile(values.corpus);
const telemetry = startTelemetry({
  tracer: 'dd-trace',
  serviceName: 'canary-dd-trace',
  pseudonymKey: 'canary-pseudonym-key-0123456789abcdef',
  hostMetrics: false,
});
const tracer = createRequire(import.meta.url)('dd-trace') as typeof import('dd-trace');
const upstream = await startEmptyUpstream();
for (const record of corpus.records) {
  await pushRecordThroughMcp(record, upstream.url, carelessDatadog(tracer, record));
}
await telemetry.shutdown();
upstream.close();
console.log(JSON.stringify({ records: corpus.records.length }));
process.exit(0);
