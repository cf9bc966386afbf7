// MCP overview: is the server answering, how fast, how often it fails and why, how fast the error and
// latency budgets burn, and which alerts are active. The landing page; the others drill down.

import { clientErrorCodesRegex, errorBudget, percentText } from '../../prometheus/rules-src/mcp.ts';
import { privacyRules } from '../../src/privacy/rules.ts';
import {
  higherIsWorse,
  job,
  jobVariable,
  lowerIsWorse,
  mcpDashboard,
  neutral,
  promql,
  promqlInstant,
  promqlTable,
  stat,
  table,
  timeseries,
} from './lib.ts';

// The objectives and burn rates are the contract's (src/privacy/rules.json `objectives`), as in the rules.
const { objectives } = privacyRules;
const { fast, slow } = objectives.burnRates;
const availabilityBudget = errorBudget(objectives.availability.objective);
const latencyBudget = errorBudget(objectives.latency.objective);
const latencySeconds = objectives.latency.latencySeconds;
const availabilityText = percentText(objectives.availability.objective);
const latencyText = `${percentText(objectives.latency.objective)} of calls under ${latencySeconds} s`;

const operations = `mcp_server_operation_duration_seconds_count{${job}}`;
const buckets = `mcp_server_operation_duration_seconds_bucket{${job}}`;
// Server faults only, the SLI of prometheus/rules/mcp.rules.yml: tools/call by the kit's outcome
// (tool_error, upstream_failure; rejected input and no_match are not faults), or, for a server without
// the kit's library, by the conventions' error.type; other methods by JSON-RPC server error. `or` inside
// the sum is a union (the parts never share a label set); `+` would drop every moment one side has no
// series.
const serverFaults = (range: string) =>
  `sum(rate(mcpkit_tool_calls_total{${job}, mcpkit_tool_outcome=~"tool_error|upstream_failure"}[${range}]) or (rate(mcp_server_operation_duration_seconds_count{${job}, mcp_method_name="tools/call", error_type!="", error_type!~"${clientErrorCodesRegex}"}[${range}]) unless on (job) mcpkit_tool_calls_total) or rate(mcp_server_operation_duration_seconds_count{${job}, mcp_method_name!="tools/call", error_type!="", error_type!~"${clientErrorCodesRegex}"}[${range}]))`;

export const overview = mcpDashboard({
  key: 'overview',
  source: 'overview.ts',
  description: `Request rate, errors by error.type, latency percentiles per method and tool, SLO burn (availability ${availabilityText}, ${latencyText}) and active alerts of the MCP servers.`,
  variables: [jobVariable()],
  panels: [
    stat({
      title: 'Requests per second',
      description: 'MCP requests and notifications handled per second (mcp.server.operation.duration count).',
      unit: 'reqps',
      steps: neutral,
      queries: [promqlInstant(`sum(rate(${operations}[$__rate_interval]))`)],
    }),
    stat({
      title: 'Server fault ratio',
      description: `Share of operations that failed through the server's fault: tool calls whose outcome is tool_error or upstream_failure, and other methods' JSON-RPC server errors (-32603, -32000..-32099). Client mistakes, input a tool rejected and no_match are excluded. Objective: under ${percentText(availabilityBudget)}.`,
      unit: 'percentunit',
      steps: higherIsWorse(availabilityBudget, 5 * availabilityBudget),
      queries: [
        promqlInstant(`${serverFaults('$__rate_interval')} / sum(rate(${operations}[$__rate_interval]))`),
      ],
    }),
    stat({
      title: 'p95 latency',
      description: `95th percentile of the MCP operation duration over all methods. Objective: ${latencyText}.`,
      unit: 's',
      steps: higherIsWorse(latencySeconds / 2, latencySeconds),
      queries: [promqlInstant(`histogram_quantile(0.95, sum by (le) (rate(${buckets}[$__rate_interval])))`)],
    }),
    stat({
      title: 'Alerts firing',
      description:
        "Alerts of the kit's Prometheus rules that are firing now, Watchdog included (it always fires: if it is missing, alerting is broken).",
      unit: 'short',
      steps: higherIsWorse(2, 3),
      queries: [promqlInstant('count(ALERTS{alertstate="firing"})')],
    }),
    timeseries({
      title: 'Operations per second by method and tool',
      description: 'From the recording rule job_tool:mcp_server_operations:rate5m (5-minute rate).',
      unit: 'reqps',
      steps: neutral,
      queries: [
        promql(
          `sum by (mcp_method_name, gen_ai_tool_name) (job_tool:mcp_server_operations:rate5m{${job}})`,
          '{{mcp_method_name}} {{gen_ai_tool_name}}',
        ),
      ],
    }),
    timeseries({
      title: 'Errors by error.type',
      description:
        'Failed operations per second by error.type: tool_error (a result with isError), or the JSON-RPC error code (-32602 invalid params, -32601 unknown method, -32603 internal ...).',
      unit: 'reqps',
      steps: higherIsWorse(0.1, 1),
      queries: [
        promql(
          `sum by (error_type) (rate(mcp_server_operation_duration_seconds_count{${job}, error_type!=""}[$__rate_interval]))`,
          '{{error_type}}',
        ),
      ],
    }),
    timeseries({
      title: 'Latency percentiles by method',
      description: 'p50, p95 and p99 of mcp.server.operation.duration per MCP method (semconv buckets).',
      unit: 's',
      steps: higherIsWorse(1, 2),
      // Exemplars (when Prometheus stores them) open the trace of a sampled call in Tempo.
      queries: [0.5, 0.95, 0.99].map((q) =>
        promql(
          `histogram_quantile(${q}, sum by (mcp_method_name, le) (rate(${buckets}[$__rate_interval])))`,
          `p${q * 100} {{mcp_method_name}}`,
        ).exemplar(true),
      ),
    }),
    timeseries({
      title: 'p95 latency by tool',
      description: 'From the recording rule job_tool:mcp_server_operation_duration_seconds:p95_rate5m.',
      unit: 's',
      steps: higherIsWorse(1, 2),
      queries: [
        promql(
          `max by (gen_ai_tool_name) (job_tool:mcp_server_operation_duration_seconds:p95_rate5m{${job}, gen_ai_tool_name!=""})`,
          '{{gen_ai_tool_name}}',
        ),
      ],
    }),
    timeseries({
      title: 'Availability budget burn rate',
      description: `How many times faster than allowed the ${percentText(availabilityBudget)} error budget burns, per tool, over ${fast.longWindow} and ${fast.shortWindow}. Above ${fast.factor} on both windows pages (MCPAvailabilityBudgetBurnFast); above ${slow.factor} over ${slow.longWindow} and ${slow.shortWindow} warns.`,
      unit: 'suffix:×',
      steps: higherIsWorse(slow.factor, fast.factor),
      queries: [fast.longWindow, fast.shortWindow].map((window) =>
        promql(
          `max by (gen_ai_tool_name) (job_tool:mcp_server_operation_errors:ratio_rate${window}{${job}}) / ${availabilityBudget}`,
          `${window} {{gen_ai_tool_name}}`,
        ),
      ),
    }),
    timeseries({
      title: 'Latency budget burn rate',
      description: `How many times faster than allowed the latency budget burns (objective: ${latencyText}), per tool, over ${fast.longWindow} and ${fast.shortWindow}. Above ${fast.factor} on both pages (MCPLatencyBudgetBurnFast).`,
      unit: 'suffix:×',
      steps: higherIsWorse(slow.factor, fast.factor),
      queries: [fast.longWindow, fast.shortWindow].map((window) =>
        promql(
          `max by (gen_ai_tool_name) (job_tool:mcp_server_operation_slow:ratio_rate${window}{${job}}) / ${latencyBudget}`,
          `${window} {{gen_ai_tool_name}}`,
        ),
      ),
    }),
    table({
      title: 'Active alerts',
      description:
        'Alerts pending or firing in Prometheus, with their severity. Runbooks: docs/runbooks/<alertname>.md. Notifications go through Alertmanager.',
      unit: 'none',
      steps: neutral,
      width: 24,
      queries: [promqlTable('sum by (alertname, severity, alertstate) (ALERTS)')],
    }),
    stat({
      title: `Share of calls answered under ${latencySeconds} s`,
      description: `The latency SLI over the dashboard range: calls under ${latencySeconds} s (a semconv bucket boundary) / all calls. Objective: ${percentText(objectives.latency.objective)}.`,
      unit: 'percentunit',
      steps: lowerIsWorse(1 - 5 * latencyBudget, objectives.latency.objective),
      width: 24,
      queries: [
        promqlInstant(
          `sum(increase(mcp_server_operation_duration_seconds_bucket{${job}, le="${latencySeconds}"}[$__range])) / sum(increase(${operations}[$__range]))`,
        ),
      ],
    }),
  ],
});
