// Unified service tagging: one service name, environment and version for every signal the process
// sends, whichever SDK sends it (the OpenTelemetry resource, dd-trace's service/env/version tags,
// Sentry's environment and release, mcpcat's server name). Options win, then the OpenTelemetry
// variables, then Datadog's DD_SERVICE / DD_ENV / DD_VERSION, so a team moving between the two
// conventions gets the same three values everywhere.
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from './semconv.ts';

export interface ServiceIdentity {
  service: string;
  environment?: string | undefined;
  version?: string | undefined;
}

/** OTEL_RESOURCE_ATTRIBUTES as a map (percent-decoded values, as the specification says). */
function resourceAttributesFromEnv(): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of (process.env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      result[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // A malformed value is ignored, as the OpenTelemetry SDK ignores it.
    }
  }
  return result;
}

function nonEmpty(...values: (string | undefined)[]): string | undefined {
  return values.find((value) => value !== undefined && value.trim() !== '')?.trim();
}

export function serviceIdentity(
  options: { serviceName?: string; environment?: string; serviceVersion?: string } = {},
): ServiceIdentity {
  const resource = resourceAttributesFromEnv();
  return {
    service:
      nonEmpty(
        options.serviceName,
        process.env.OTEL_SERVICE_NAME,
        resource[ATTR_SERVICE_NAME],
        process.env.DD_SERVICE,
      ) ?? 'mcp-server',
    environment: nonEmpty(
      options.environment,
      resource[ATTR_DEPLOYMENT_ENVIRONMENT_NAME],
      resource['deployment.environment'],
      process.env.DD_ENV,
    ),
    version: nonEmpty(options.serviceVersion, resource[ATTR_SERVICE_VERSION], process.env.DD_VERSION),
  };
}
