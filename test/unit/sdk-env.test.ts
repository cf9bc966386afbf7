// The OTEL_* variables the kit reads itself since it builds the SDK's providers without NodeSDK.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import {
  batchSpanConfigFromEnv,
  KIT_BSP_DEFAULTS,
  otlpEndpointFromEnv,
  otlpEnv,
  otlpHeadersFromEnv,
  SdkEnvError,
  samplerFromEnv,
} from '../../src/sdk-env.ts';

const variables = [
  'OTEL_BSP_MAX_QUEUE_SIZE',
  'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
];
afterEach(() => {
  for (const name of variables) delete process.env[name];
});

describe('the batch span processor settings', () => {
  it('hold a burst of 10,000 spans ended at once, where the SDK default queue of 2,048 drops most', async () => {
    /** Spans a batch span processor so configured exports of a burst, after a flush. */
    const exportedOfBurst = async (config: { maxQueueSize?: number; maxExportBatchSize?: number }) => {
      let exported = 0;
      const exporter: SpanExporter = {
        export: (spans, done) => {
          exported += spans.length;
          done({ code: ExportResultCode.SUCCESS });
        },
        shutdown: async () => {},
      };
      const provider = new TracerProvider({
        spanProcessors: [new BatchSpanProcessor({ exporter, ...config, scheduledDelayMillis: 60_000 })],
      });
      const tracer = provider.getTracer('burst');
      for (let i = 0; i < 10_000; i++) tracer.startSpan('tools/call search').end();
      await provider.forceFlush();
      await provider.shutdown();
      return exported;
    };
    expect(batchSpanConfigFromEnv()).toEqual({
      maxQueueSize: KIT_BSP_DEFAULTS.maxQueueSize,
      maxExportBatchSize: 512,
    });
    expect(await exportedOfBurst(batchSpanConfigFromEnv())).toBe(10_000);
    expect(await exportedOfBurst({})).toBeLessThan(5_000);
  });

  it('follow the standard OTEL_BSP_* variables, ignoring invalid values', () => {
    process.env.OTEL_BSP_MAX_QUEUE_SIZE = '4096';
    process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = '-1';
    process.env.OTEL_BSP_SCHEDULE_DELAY = '250';
    expect(batchSpanConfigFromEnv()).toEqual({
      maxQueueSize: 4096,
      maxExportBatchSize: 512,
      scheduledDelayMillis: 250,
    });
  });
});

describe('the sampler', () => {
  it('is the SDK default unless OTEL_TRACES_SAMPLER names one', () => {
    expect(samplerFromEnv()).toBeUndefined();
    process.env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '0.25';
    expect(samplerFromEnv()?.toString()).toContain('0.25');
  });
});

describe('the OTLP headers', () => {
  it('are read percent-decoded', () => {
    expect(
      otlpHeadersFromEnv('traces', {
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team=a%2Cb',
      }),
    ).toEqual({
      authorization: 'Bearer abc',
      'x-team': 'a,b',
    });
  });

  it('stop start-up on a malformed escape with one line naming the header, never its value', () => {
    const read = () =>
      otlpHeadersFromEnv('traces', { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer s3cr%ZZet' });
    expect(read).toThrow(SdkEnvError);
    expect(read).toThrow(/OTEL_EXPORTER_OTLP_HEADERS: the value of header "authorization"/);
    expect(read).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cr') }));
  });

  it('take a signal’s own headers over the general ones', () => {
    const env = {
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer general,x-team=a',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'authorization=Bearer logs',
    };
    expect(otlpHeadersFromEnv('logs', env)).toEqual({ authorization: 'Bearer logs', 'x-team': 'a' });
    expect(otlpHeadersFromEnv('traces', env)).toEqual({ authorization: 'Bearer general', 'x-team': 'a' });
  });

  it('come from the file MCP_KIT_OTLP_HEADERS_FILE names, under the variables’ headers', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpkit-headers-'));
    const file = path.join(dir, 'otlp-headers');
    writeFileSync(file, 'authorization=Bearer%20from-file,x-team=a\n');
    try {
      expect(otlpHeadersFromEnv('traces', { MCP_KIT_OTLP_HEADERS_FILE: file })).toEqual({
        authorization: 'Bearer from-file',
        'x-team': 'a',
      });
      expect(
        otlpHeadersFromEnv('logs', {
          MCP_KIT_OTLP_HEADERS_FILE: file,
          OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-team=b',
        }),
      ).toEqual({ authorization: 'Bearer from-file', 'x-team': 'b' });
      const missing = () => otlpEnv({ MCP_KIT_OTLP_HEADERS_FILE: path.join(dir, 'absent') });
      expect(missing).toThrow(/^MCP_KIT_OTLP_HEADERS_FILE: cannot read .*absent \(ENOENT\)$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuse an entry without a name in one line, never echoing it', () => {
    const read = () => otlpEnv({ OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'Bearer s3cret' });
    expect(read).toThrow(/^OTEL_EXPORTER_OTLP_METRICS_HEADERS: an entry has no "name="/);
    expect(read).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
  });
});

describe('the OTLP endpoints', () => {
  it('add the signal’s path to the general endpoint, and take a signal’s own as it is', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'https://logs.example:4318/custom',
    };
    expect(otlpEndpointFromEnv('traces', undefined, env)).toBe('http://collector:4318/v1/traces');
    expect(otlpEndpointFromEnv('logs', undefined, env)).toBe('https://logs.example:4318/custom');
    expect(otlpEndpointFromEnv('metrics', undefined, {})).toBe('http://localhost:4318/v1/metrics');
    expect(otlpEndpointFromEnv('traces', 'http://explicit:1/x', env)).toBe('http://explicit:1/x');
  });

  it('stop start-up on a value that is no http(s) URL, naming the variable, never the value', () => {
    const notUrl = () => otlpEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '//collector:4318 s3cret' });
    expect(notUrl).toThrow(/^OTEL_EXPORTER_OTLP_ENDPOINT: not a URL/);
    expect(notUrl).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
    expect(() => otlpEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://collector/v1/traces' })).toThrow(
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the scheme must be http or https',
    );
  });
});
