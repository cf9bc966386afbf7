// Telemetry pipeline and privacy: the collector's own metrics (scraped by the `otelcol` job of
// prometheus/prometheus.yml): what it accepted, sent and failed to send per signal and exporter, how full
// its persistent queues are, its memory; what privacy layer 2 changed (items in and out of the privacy
// processors, span names it had to scrub); and a live canary: identifiers found in what Tempo and Loki
// stored, which must stay at zero.
import {
  higherIsWorse,
  logql,
  lowerIsWorse,
  mcpDashboard,
  neutral,
  promql,
  promqlInstant,
  stat,
  timeseries,
  traceqlMetrics,
} from './lib.ts';

const signals = [
  ['spans', 'spans'],
  ['metric_points', 'metric points'],
  ['log_records', 'log records'],
] as const;

/** The placeholders privacy layers 1 and 2 write where they scrubbed free text (src/privacy/rules.json). */
const scrubbed = String.raw`.*\\[(email|ipv4|ipv6|date_long|date_numeric|a_number|phone|digit_run|opaque_id|bearer_token|redacted)\\].*`;

export const pipeline = mcpDashboard({
  key: 'pipeline',
  source: 'pipeline.ts',
  description:
    'The OpenTelemetry Collector: accepted, sent and failed items per signal and exporter, queue fill, memory (the memory limiter refuses above 80%), what the privacy processors changed, and a canary that must stay at zero.',
  panels: [
    stat({
      title: 'Collector up',
      description:
        "Whether Prometheus can scrape the collector's own metrics (1 up, 0 down: OtelcolDown fires after 2 min).",
      unit: 'none',
      steps: lowerIsWorse(0.5, 1),
      queries: [promqlInstant('min(up{job="otelcol"})')],
    }),
    stat({
      title: 'Queue fill (fullest)',
      description:
        'The fullest persistent sending queue, as a share of its capacity. Above 80% for 10 min fires OtelcolQueueNearlyFull; a full queue drops data.',
      unit: 'percentunit',
      steps: higherIsWorse(0.5, 0.8),
      queries: [promqlInstant('max(otelcol_exporter_queue_size / otelcol_exporter_queue_capacity)')],
    }),
    stat({
      title: 'Collector memory',
      description:
        'Resident memory of the collector. The memory limiter refuses data (senders retry) above 80% of the memory available to it.',
      unit: 'bytes',
      steps: higherIsWorse(1e9, 2e9),
      queries: [promqlInstant('max(otelcol_process_memory_rss)')],
    }),
    stat({
      title: 'Export failures',
      description:
        'Items the collector failed to send over the range, all exporters and signals (OtelcolExportFailing).',
      unit: 'short',
      steps: higherIsWorse(1, 100),
      queries: [
        promqlInstant(
          'sum(increase({__name__=~"otelcol_exporter_send_failed_(spans|metric_points|log_records)"}[$__range]))',
        ),
      ],
    }),
    timeseries({
      title: 'Accepted by the receiver, per signal',
      description: 'Items per second the OTLP receiver accepted (after the bearer-token check).',
      unit: 'short',
      steps: neutral,
      queries: signals.map(([signal, label]) =>
        promql(`sum(rate(otelcol_receiver_accepted_${signal}[$__rate_interval]))`, label),
      ),
    }),
    timeseries({
      title: 'Refused by the receiver, per signal',
      description:
        'Items per second the receiver refused, mostly because the memory limiter is over its limit (OtelcolMemoryLimiterRefusing). Senders retry.',
      unit: 'short',
      steps: higherIsWorse(1, 100),
      queries: signals.map(([signal, label]) =>
        promql(`sum(rate(otelcol_receiver_refused_${signal}[$__rate_interval]))`, label),
      ),
    }),
    timeseries({
      title: 'Sent per exporter',
      description:
        'Items per second each exporter delivered: otlp_http/tempo (spans), otlp_http/loki (log records), otlp_http/prometheus (metric points).',
      unit: 'short',
      steps: neutral,
      queries: [
        promql(
          'sum by (exporter) (rate({__name__=~"otelcol_exporter_sent_(spans|metric_points|log_records)"}[$__rate_interval]))',
          '{{exporter}}',
        ),
      ],
    }),
    timeseries({
      title: 'Send failures per exporter',
      description:
        'Items per second an exporter failed to send (OtelcolExportFailing after 10 min). Retryable failures wait in the persistent queue; a backend answering 4xx loses them.',
      unit: 'short',
      steps: higherIsWorse(0.1, 10),
      queries: [
        promql(
          'sum by (exporter) (rate({__name__=~"otelcol_exporter_send_failed_(spans|metric_points|log_records)"}[$__rate_interval]))',
          '{{exporter}}',
        ),
      ],
    }),
    timeseries({
      title: 'Queue fill per exporter',
      description: "Each persistent sending queue's size as a share of its capacity (5000 batches).",
      unit: 'percentunit',
      steps: higherIsWorse(0.5, 0.8),
      min: 0,
      max: 1,
      queries: [
        promql(
          'max by (exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity)',
          '{{exporter}}',
        ),
      ],
    }),
    timeseries({
      title: 'Memory limiter: accepted and refused',
      description:
        "Items per second the pipelines' memory limiter let through and refused, and requests per second the receivers' memory limiter refused before decoding them (HTTP 429, so no item count exists). Refusals mean the collector is above its memory limit (80%); senders retry (OtelcolMemoryLimiterRefusing).",
      unit: 'short',
      steps: neutral,
      queries: [
        ...signals.map(([signal, label]) =>
          promql(
            `sum(rate(otelcol_processor_memory_limiter_accepted_${signal}[$__rate_interval]))`,
            `accepted ${label}`,
          ),
        ),
        promql(
          'sum(rate(otelcol_processor_memory_limiter_refused_spans[$__rate_interval]))',
          'refused spans',
        ),
        promql(
          'sum(rate(http_server_request_duration_count{job="otelcol",http_response_status_code="429"}[$__rate_interval]))',
          'refused requests (undecoded)',
        ),
      ],
    }),
    timeseries({
      title: 'Collector memory',
      description: 'Resident memory and Go heap of the collector; the memory limiter watches the heap.',
      unit: 'bytes',
      steps: higherIsWorse(1e9, 2e9),
      queries: [
        promql('max(otelcol_process_memory_rss)', 'resident'),
        promql('max(otelcol_process_runtime_heap_alloc_bytes)', 'heap'),
      ],
    }),
    timeseries({
      title: 'Privacy processors: items in and out',
      description:
        'Items per second entering and leaving the privacy processors (transform/privacy, redaction/privacy, redaction/policy_keys, redaction/id_keys, or redaction/log_privacy and redaction/log_id_keys) per signal. They rewrite attributes and text; they drop nothing whole, so in and out match.',
      unit: 'short',
      steps: neutral,
      queries: [
        promql(
          'sum by (processor, "otel.signal") (rate(otelcol_processor_incoming_items{processor=~"transform/privacy|redaction/privacy|redaction/policy_keys|redaction/id_keys|redaction/log_privacy|redaction/log_id_keys"}[$__rate_interval]))',
          'in {{processor}} {{otel.signal}}',
        ),
        promql(
          'sum by (processor, "otel.signal") (rate(otelcol_processor_outgoing_items{processor=~"transform/privacy|redaction/privacy|redaction/policy_keys|redaction/id_keys|redaction/log_privacy|redaction/log_id_keys"}[$__rate_interval]))',
          'out {{processor}} {{otel.signal}}',
        ),
      ],
    }),
    timeseries({
      title: 'Span names scrubbed, by name',
      description:
        "Spans per second whose name the privacy layers had to scrub (an identifier, a date, an email ... replaced by a placeholder such as [a_number]), from the collector's span metrics. Each one is a sender putting free text in a span name: fix it at the source.",
      unit: 'short',
      steps: higherIsWorse(0.01, 1),
      queries: [
        promql(
          `sum by (job, span_name) (rate(traces_span_metrics_calls_total{span_name=~"${scrubbed}"}[$__rate_interval]))`,
          '{{job}}: {{span_name}}',
        ),
      ],
    }),
    timeseries({
      title: 'Canary: A-numbers in stored span names',
      description:
        'Spans in Tempo whose name still holds something shaped like an A-number (8 or 9 digits after an A). Must be zero: anything here passed both privacy layers. Run `npm run canary` to prove the layers end to end.',
      unit: 'short',
      steps: higherIsWorse(0.5, 1),
      queries: [
        traceqlMetrics(`{ name =~ ".*[Aa][- ]?[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{2,3}.*" } | count_over_time()`),
      ],
    }),
    timeseries({
      title: 'Canary: A-numbers and emails in stored logs',
      description:
        'Log lines in Loki holding something shaped like an A-number or an email address. Must be zero: anything here passed both privacy layers.',
      unit: 'short',
      steps: higherIsWorse(0.5, 1),
      queries: [
        logql(
          String.raw`sum(count_over_time({service_name=~".+"} |~ "[Aa][- ]?[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{2,3}|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}" [$__auto]))`,
        ),
      ],
    }),
  ],
});
