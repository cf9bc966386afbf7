// Privacy layer 1 for what a metric says about itself: its name, description and unit are free text the
// application chose, exported beside every data point (and kept by Prometheus as series names, HELP and
// UNIT metadata). The same decisions as layer 2 (collector/privacy.yaml, from rules.json): a metric whose
// name is outside the known namespaces, or the application's own (`metricPrefixes`, default
// MCP_KIT_METRIC_PREFIXES), or the lowercase dotted shape is not exported; units only from the closed
// list; descriptions only the kit's own. Data point attributes are sanitized earlier, by a view.
import type { ExportResult } from '@opentelemetry/core';
import type {
  AggregationOption,
  AggregationTemporality,
  InstrumentType,
  MetricData,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { INSTRUMENTATION_SCOPE, METRIC_DESCRIPTIONS } from '../semconv.ts';

const KNOWN_DESCRIPTIONS = new Map<string, string>(Object.entries(METRIC_DESCRIPTIONS));

import { escapeRegex, privacyRules, rulesAdditionsFromEnv } from './rules.ts';

const NAME_SHAPE = new RegExp(privacyRules.metrics.nameShape);
const UNITS = new Set(privacyRules.metrics.units);

/** MCP_KIT_METRIC_PREFIXES: regular expressions of the application's metric namespaces, `|`-separated. */
export function metricPrefixesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return rulesAdditionsFromEnv('MCP_KIT_METRIC_PREFIXES', env);
}

export class PrivacyMetricExporter implements PushMetricExporter {
  private readonly next: PushMetricExporter;
  private readonly namespaces: RegExp;
  // The wrapped exporter's choices, where it makes them (the reader asks only if they exist).
  readonly selectAggregationTemporality?: (instrumentType: InstrumentType) => AggregationTemporality;
  readonly selectAggregation?: (instrumentType: InstrumentType) => AggregationOption;

  constructor(next: PushMetricExporter, metricPrefixes: readonly string[] = metricPrefixesFromEnv()) {
    this.next = next;
    if (next.selectAggregationTemporality)
      this.selectAggregationTemporality = next.selectAggregationTemporality.bind(next);
    if (next.selectAggregation) this.selectAggregation = next.selectAggregation.bind(next);
    const known = privacyRules.metrics.namePrefixes.map(escapeRegex);
    this.namespaces = new RegExp(`^(?:${[...known, ...metricPrefixes].join('|')})`);
  }

  /** Whether a metric of this name is exported at all. */
  allows(name: string): boolean {
    return NAME_SHAPE.test(name) && this.namespaces.test(name);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.next.export(
      {
        resource: metrics.resource,
        scopeMetrics: metrics.scopeMetrics.map((scope) => ({
          scope: scope.scope,
          metrics: scope.metrics
            .filter((metric) => this.allows(metric.descriptor.name))
            .map((metric) => this.described(metric, scope.scope.name === INSTRUMENTATION_SCOPE)),
        })),
      },
      resultCallback,
    );
  }

  /** A copy whose descriptor says only what the kit decided it may (the SDK owns the original). */
  private described(metric: MetricData, kitScope: boolean): MetricData {
    const { descriptor } = metric;
    const unit = UNITS.has(descriptor.unit) ? descriptor.unit : '';
    // The kit's metrics say what semconv.ts says they are; any other description is free text.
    const description = kitScope ? (KNOWN_DESCRIPTIONS.get(descriptor.name) ?? '') : '';
    if (unit === descriptor.unit && description === descriptor.description) return metric;
    return { ...metric, descriptor: { ...descriptor, unit, description } } as MetricData;
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
