// Host and process: the machine and the Node process the MCP server runs in, from the metrics
// startTelemetry() enables (@opentelemetry/host-metrics: system.* and process.*; the runtime-node
// instrumentation: nodejs.* and v8js.*), plus the collector's disk-backed queues.
import {
  higherIsWorse,
  job,
  jobVariable,
  mcpDashboard,
  neutral,
  promql,
  promqlInstant,
  stat,
  timeseries,
} from './lib.ts';

export const host = mcpDashboard({
  key: 'host',
  source: 'host.ts',
  description:
    'CPU, memory, network, disk-backed queues, event-loop delay, GC and restarts of the MCP server process and its host.',
  variables: [jobVariable()],
  panels: [
    stat({
      title: 'Restarts',
      description:
        'Process restarts over the range, counted as resets of the process CPU-time counter (it starts from zero in a new process).',
      unit: 'short',
      steps: higherIsWorse(1, 3),
      queries: [
        promqlInstant(`sum by (job) (resets(process_cpu_time_seconds_total{${job}}[$__range]))`, '{{job}}'),
      ],
    }),
    stat({
      title: 'Instances reporting',
      description:
        'Processes of each service sending telemetry now (one target_info series per service.instance.id). Fewer than expected: an instance is down or cannot reach the collector.',
      unit: 'short',
      steps: neutral,
      queries: [promqlInstant(`count by (job) (target_info{${job}})`, '{{job}}')],
    }),
    timeseries({
      title: 'Process CPU',
      description: 'CPU time the server process uses per second, user and system (1 = one core busy).',
      unit: 'short',
      steps: higherIsWorse(0.7, 0.9),
      queries: [
        promql(
          `sum by (job, process_cpu_state) (rate(process_cpu_time_seconds_total{${job}}[$__rate_interval]))`,
          '{{job}} {{process_cpu_state}}',
        ),
      ],
    }),
    timeseries({
      title: 'Host CPU utilization',
      description: "Share of the host's CPU time not idle, averaged over its logical CPUs.",
      unit: 'percentunit',
      steps: higherIsWorse(0.8, 0.95),
      min: 0,
      max: 1,
      queries: [
        promql(`1 - avg by (job) (system_cpu_utilization{${job}, system_cpu_state="idle"})`, '{{job}}'),
      ],
    }),
    timeseries({
      title: 'Process memory and V8 heap',
      description:
        'Resident memory of the server process and the V8 heap in use. A heap that only grows between GCs is a leak.',
      unit: 'bytes',
      steps: higherIsWorse(1e9, 2e9),
      queries: [
        promql(`sum by (job) (process_memory_usage{${job}})`, 'resident {{job}}'),
        promql(`sum by (job) (v8js_memory_heap_used_bytes{${job}})`, 'heap used {{job}}'),
      ],
    }),
    timeseries({
      title: 'Host memory utilization',
      description: "Share of the host's memory in use.",
      unit: 'percentunit',
      steps: higherIsWorse(0.8, 0.95),
      queries: [
        promql(`sum by (job) (system_memory_utilization{${job}, system_memory_state="used"})`, '{{job}}'),
      ],
    }),
    timeseries({
      title: 'Network traffic',
      description: 'Bytes per second the host receives and transmits, all devices.',
      unit: 'Bps',
      steps: neutral,
      queries: [
        promql(
          `sum by (network_io_direction) (rate(system_network_io_total{${job}}[$__rate_interval]))`,
          '{{network_io_direction}}',
        ),
      ],
    }),
    timeseries({
      title: 'Network errors and drops',
      description: 'Receive and transmit errors and dropped packets per second on the host.',
      unit: 'pps',
      steps: higherIsWorse(1, 10),
      queries: [
        promql(
          `sum by (network_io_direction) (rate(system_network_errors_total{${job}}[$__rate_interval]))`,
          'errors {{network_io_direction}}',
        ),
        promql(
          `sum by (network_io_direction) (rate(system_network_dropped_total{${job}}[$__rate_interval]))`,
          'dropped {{network_io_direction}}',
        ),
      ],
    }),
    timeseries({
      title: 'Event-loop delay',
      description:
        'p50, p99 and max delay of the Node event loop. Above 100 ms every request waits: something blocks the loop.',
      unit: 's',
      steps: higherIsWorse(0.05, 0.1),
      queries: [
        promql(`max by (job) (nodejs_eventloop_delay_p50_seconds{${job}})`, 'p50 {{job}}'),
        promql(`max by (job) (nodejs_eventloop_delay_p99_seconds{${job}})`, 'p99 {{job}}'),
        promql(`max by (job) (nodejs_eventloop_delay_max_seconds{${job}})`, 'max {{job}}'),
      ],
    }),
    timeseries({
      title: 'Event-loop utilization',
      description: 'Share of time the event loop was busy. Close to 1, the process is CPU-bound.',
      unit: 'percentunit',
      steps: higherIsWorse(0.7, 0.9),
      queries: [promql(`max by (job) (nodejs_eventloop_utilization_ratio{${job}})`, '{{job}}')],
    }),
    timeseries({
      title: 'Garbage collection',
      description: 'Share of time spent in GC pauses, by kind (major, minor, incremental, weakcb).',
      unit: 'percentunit',
      steps: higherIsWorse(0.05, 0.1),
      queries: [
        promql(
          `sum by (v8js_gc_type) (rate(v8js_gc_duration_seconds_sum{${job}}[$__rate_interval]))`,
          '{{v8js_gc_type}}',
        ),
      ],
    }),
    timeseries({
      title: 'Disk-backed queues of the collector',
      description:
        "Bytes waiting in the collector's persistent (file_storage) sending queues, per exporter: the disk the kit itself uses. Each queue holds at most OTELCOL_QUEUE_BYTES (256 MiB unless set; the thresholds are half and 80% of that), then refuses new data. Host disk usage is not among the Node host metrics; add the collector's hostmetrics receiver or node_exporter for it.",
      unit: 'bytes',
      steps: higherIsWorse(128 * 1024 * 1024, 205 * 1024 * 1024),
      queries: [promql('sum by (exporter) (otelcol_exporter_queue_size)', '{{exporter}}')],
    }),
  ],
});
