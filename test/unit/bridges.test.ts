// The pure parts of the vendor bridges: Sentry events through privacy layer 1, the unified service
// identity, the Datadog environment and the egress rule, without the vendor SDKs' network side.
import { afterEach, describe, expect, it } from 'vitest';
import { datadogEnvironment, datadogTracesEndpoint } from '../../src/bridges/datadog.ts';
import { sanitizeDatadogSpan } from '../../src/bridges/datadog-span.ts';
import { sentryDsn, sentryIngestUrl } from '../../src/bridges/sentry.ts';
import { sanitizeSentryEvent, sanitizeSentryLog } from '../../src/bridges/sentry-event.ts';
import { isVendorEgress, registerVendorEgress } from '../../src/privacy/egress.ts';
import { PrivacyGuard } from '../../src/privacy/guard.ts';
import { serviceIdentity } from '../../src/service-identity.ts';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('a Sentry event through privacy layer 1', () => {
  const guard = new PrivacyGuard({ secret: 'unit-bridges-key-0123456789abcdef' });
  guard.taint.add({ first_name: 'Yúñezútl', query: 'Busco a Yúñezútl Zhúthñíl' });
  const event = sanitizeSentryEvent(guard, {
    event_id: '65ccd71db6284bffba69a98061dd2eea',
    message: 'lookup for Yúñezútl failed',
    user: { email: 'quanmath.85@example.com', ip_address: '198.51.100.129' },
    request: {
      method: 'POST',
      url: 'http://h/mcp?name=Yúñezútl',
      headers: { 'x-forwarded-for': '198.51.100.129' },
    },
    tags: { searcher: 'quanmath.85@example.com' },
    contexts: { trace: { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' } },
    exception: {
      values: [
        {
          type: 'Error',
          value: 'no record for Zhúthñíl (A113716303)',
          stacktrace: { frames: [{ function: 'search', vars: { name: 'Yúñezútl' } }] },
        },
      ],
    },
    breadcrumbs: [{ message: 'looking up Zhúthñíl', data: { phone: '+1 (555) 0145-4934' } }],
  });

  it('keeps the exception and its trace, without the person', () => {
    expect(event.exception?.values?.[0]).toMatchObject({
      type: 'Error',
      value: 'no record for [redacted] ([a_number])',
    });
    expect(event.contexts?.trace).toEqual({
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
    });
    expect(event.event_id).toBe('65ccd71db6284bffba69a98061dd2eea');
    expect(event.message).toBe('lookup for [redacted] failed');
  });

  it('drops the user, the request except its method, and stack-frame variables', () => {
    expect(event.user).toBeUndefined();
    expect(event.request).toEqual({ method: 'POST' });
    expect(event.exception?.values?.[0]?.stacktrace?.frames?.[0]).toEqual({ function: 'search' });
  });

  it('scrubs tags and breadcrumbs', () => {
    expect(event.tags).toEqual({ searcher: '[email]' });
    expect(JSON.stringify(event.breadcrumbs)).not.toMatch(/Zhúthñíl|555/);
  });

  it('scrubs a log and keeps only allow-listed attributes and Sentry’s own, scrubbed', () => {
    const log = sanitizeSentryLog(guard, {
      level: 'info',
      message: 'search by quanmath.85@example.com',
      attributes: {
        'user.email': 'quanmath.85@example.com',
        dob: '1953-12-17',
        born: '17/12',
        'sentry.message.template': 'search for %s',
        'sentry.message.parameter.0': 'Yúñezútl',
        'sentry.release': 'locator@1.4.2',
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'lookup Yúñezútl',
      },
    });
    expect(log).toEqual({
      level: 'info',
      message: 'search by [email]',
      attributes: {
        'sentry.message.template': 'search for %s',
        'sentry.release': 'locator@1.4.2',
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'lookup [redacted]',
      },
    });
  });
});

describe('a dd-trace span through privacy layer 1', () => {
  it('keeps allow-listed tags in their shape and scrubbed, structural tags and internal metrics, and drops the rest', () => {
    const guard = new PrivacyGuard({ secret: 'unit-bridges-key-0123456789abcdef' });
    guard.taint.add({ last_name: 'Zhúthñíl', alias: 'zhuthnil' });
    const span = sanitizeDatadogSpan(guard, {
      name: 'web.request',
      resource: 'lookup Zhúthñíl',
      meta: {
        'http.route': '/detainees/zhuthnil',
        'error.type': 'Zhúthñíl',
        'usr.email': 'quanmath.85@example.com',
        'span.kind': 'server',
      },
      metrics: { _sampling_priority_v1: 1, 'detainee.anumber': 113716303, 'http.response.status_code': 404 },
      meta_struct: { payload: { name: 'Zhúthñíl' } },
      span_events: [{ name: 'matched Zhúthñíl', attributes: { dob: '1953-12-17' } }],
    });
    expect(span).toEqual({
      name: 'web.request',
      resource: 'lookup [redacted]',
      // A name is no error type: dropped; a value in its key's shape is still scrubbed of taint.
      meta: { 'http.route': '/detainees/[redacted]', 'span.kind': 'server' },
      metrics: { _sampling_priority_v1: 1, 'http.response.status_code': 404 },
      span_events: [{ name: 'matched [redacted]', attributes: {} }],
    });
  });
});

describe('the service identity shared by every SDK', () => {
  it('takes options first, then OpenTelemetry variables, then Datadog’s', () => {
    process.env.DD_SERVICE = 'dd-name';
    process.env.DD_ENV = 'dd-env';
    process.env.DD_VERSION = '9';
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment.name=otel-env,service.version=2';
    expect(serviceIdentity({ serviceName: 'opt-name' })).toEqual({
      service: 'opt-name',
      environment: 'otel-env',
      version: '2',
    });
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    expect(serviceIdentity()).toEqual({ service: 'dd-name', environment: 'dd-env', version: '9' });
  });
});

describe('dd-trace’s environment', () => {
  it('exports OTLP to the collector and turns off everything that calls Datadog', () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:4318/';
    expect(datadogTracesEndpoint()).toBe('http://127.0.0.1:4318/v1/traces');
    expect(datadogEnvironment({ service: 's', environment: 'e', version: 'v' })).toMatchObject({
      OTEL_TRACES_EXPORTER: 'otlp',
      DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
      DD_REMOTE_CONFIGURATION_ENABLED: 'false',
      DD_CRASHTRACKING_ENABLED: 'false',
      DD_PROFILING_ENABLED: 'false',
      DD_TRACE_PROPAGATION_STYLE_INJECT: 'datadog,tracecontext',
      DD_SERVICE: 's',
      DD_ENV: 'e',
      DD_VERSION: 'v',
    });
  });
});

describe('vendor egress', () => {
  it('knows a DSN’s host and the endpoints registered, nothing else', () => {
    process.env.SENTRY_DSN = 'https://key@o1.ingest.example.io/42';
    const dsn = sentryDsn(undefined);
    expect(sentryDsn(false)).toBeUndefined();
    registerVendorEgress(sentryIngestUrl(dsn ?? ''));
    expect(isVendorEgress('https://o1.ingest.example.io/api/42/envelope/')).toBe(true);
    expect(isVendorEgress('https://upstream.example.org/search')).toBe(false);
  });
});
