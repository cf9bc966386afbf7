// The instruments instrumentMcpServer() records on: the MCP semantic conventions' duration histograms
// and the kit's counters, created on first use against whichever MeterProvider is global then, so
// calling instrumentMcpServer() before startTelemetry() still records.
import { type Histogram, type MeterProvider, metrics } from '@opentelemetry/api';
import { PresummedCounter } from '../metrics/presummed-counter.ts';
import { privacyGuard } from '../privacy/guard.ts';
import {
  INSTRUMENTATION_SCOPE,
  MCP_DURATION_BUCKETS,
  METRIC_DESCRIPTIONS,
  METRIC_MCP_SERVER_OPERATION_DURATION,
  METRIC_MCP_SERVER_SESSION_DURATION,
  METRIC_MCPKIT_PRINCIPAL_LOOKUPS,
  METRIC_MCPKIT_SESSION_CALLS,
  METRIC_MCPKIT_TOOL_CALLS,
  METRIC_MCPKIT_TOOL_TRANSITIONS,
} from '../semconv.ts';
import { PRINCIPAL_LOOKUPS_OPTIONS, type PrincipalLookups } from './principal-metrics.ts';

export interface Instruments {
  operationDuration: Histogram;
  sessionDuration: Histogram;
  sessionCalls: Histogram;
  toolCalls: PresummedCounter;
  transitions: PresummedCounter;
}

const instrumentsByProvider = new WeakMap<MeterProvider, Instruments>();
export function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  let found = instrumentsByProvider.get(provider);
  if (!found) {
    const meter = provider.getMeter(INSTRUMENTATION_SCOPE);
    const seconds = { unit: 's', advice: { explicitBucketBoundaries: MCP_DURATION_BUCKETS } };
    found = {
      operationDuration: meter.createHistogram(METRIC_MCP_SERVER_OPERATION_DURATION, {
        description: METRIC_DESCRIPTIONS[METRIC_MCP_SERVER_OPERATION_DURATION],
        ...seconds,
      }),
      sessionDuration: meter.createHistogram(METRIC_MCP_SERVER_SESSION_DURATION, {
        description: METRIC_DESCRIPTIONS[METRIC_MCP_SERVER_SESSION_DURATION],
        ...seconds,
      }),
      sessionCalls: meter.createHistogram(METRIC_MCPKIT_SESSION_CALLS, {
        description: METRIC_DESCRIPTIONS[METRIC_MCPKIT_SESSION_CALLS],
        unit: '{call}',
        advice: { explicitBucketBoundaries: [0, 1, 2, 3, 5, 10, 20, 50, 100] },
      }),
      toolCalls: new PresummedCounter(
        meter,
        METRIC_MCPKIT_TOOL_CALLS,
        {
          description: METRIC_DESCRIPTIONS[METRIC_MCPKIT_TOOL_CALLS],
          unit: '{call}',
        },
        privacyGuard,
      ),
      transitions: new PresummedCounter(
        meter,
        METRIC_MCPKIT_TOOL_TRANSITIONS,
        {
          description: METRIC_DESCRIPTIONS[METRIC_MCPKIT_TOOL_TRANSITIONS],
          unit: '{call}',
        },
        privacyGuard,
      ),
    };
    instrumentsByProvider.set(provider, found);
  }
  return found;
}

/**
 * Per-principal lookups on the global MeterProvider, for applications that set up the SDK themselves
 * (without startTelemetry(), which puts them on a provider per pseudonym period). Created on first use.
 */
const globalLookupsByProvider = new WeakMap<MeterProvider, PrincipalLookups>();
export function globalPrincipalLookups(): PrincipalLookups {
  const provider = metrics.getMeterProvider();
  let found = globalLookupsByProvider.get(provider);
  if (!found) {
    const counter = new PresummedCounter(
      provider.getMeter(INSTRUMENTATION_SCOPE),
      METRIC_MCPKIT_PRINCIPAL_LOOKUPS,
      PRINCIPAL_LOOKUPS_OPTIONS,
      privacyGuard,
    );
    found = { addLookups: (value, attributes) => counter.add(value, attributes) };
    globalLookupsByProvider.set(provider, found);
  }
  return found;
}
