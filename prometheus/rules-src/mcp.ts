// The MCP server SLIs and alerts (prometheus/rules/mcp.rules.yml), generated from the contract's error
// rules and objectives (src/privacy/rules.json `errors`, `objectives`): one SLI recording rule per window
// that some burn-rate alert reads, one alert per SLI and burn rate, as the kubernetes-mixin renders its
// SLOs. Changing an objective, a factor or a window in the contract changes the rules, the alerts'
// texts and the overview dashboard together (`npm run generate`, `npm run dashboards`).
import { CLIENT_ERROR_CODES } from '../../src/mcp/errors.ts';
import { privacyRules } from '../../src/privacy/rules.ts';
import type { AlertingRule, RecordingRule, RuleFile } from './render.ts';

type BurnRateName = keyof typeof privacyRules.objectives.burnRates;
const { objectives } = privacyRules;

/** The JSON-RPC client error codes as a PromQL regex alternation, e.g. `-32700|-32600`. */
export const clientErrorCodesRegex = [...CLIENT_ERROR_CODES].join('|');

/** The error budget of an objective (0.99 → 0.01), without floating-point residue. */
export const errorBudget = (objective: number) => Number((1 - objective).toFixed(6));

/** An objective as people write it: 0.99 → "99%". */
export const percentText = (ratio: number) => `${Number((ratio * 100).toFixed(4))}%`;

const durationHours = (window: string) => {
  const match = /^(\d+)([mh])$/.exec(window);
  if (!match) throw new Error(`objectives: window "${window}" is not <n>m or <n>h`);
  return Number(match[1]) / (match[2] === 'h' ? 1 : 60);
};

const windowInWords = (window: string) => {
  const hours = durationHours(window);
  if (hours === 1) return 'the last hour';
  return hours >= 1 ? `the last ${hours} hours` : `the last ${hours * 60} minutes`;
};

/** Every window the burn rates of an SLI read, shortest first. */
function windowsOf(burnRates: readonly string[]): string[] {
  const windows = new Set<string>();
  for (const name of burnRates) {
    const burnRate = objectives.burnRates[name as BurnRateName];
    windows.add(burnRate.shortWindow).add(burnRate.longWindow);
  }
  return [...windows].sort((a, b) => durationHours(a) - durationHours(b));
}

const capitalized = (text: string) => text[0]?.toUpperCase() + text.slice(1);

const errorRatio = (window: string) => `sum by (job, gen_ai_tool_name) (
  rate(mcpkit_tool_calls_total{mcpkit_tool_outcome=~"tool_error|upstream_failure"}[${window}])
  or
  (
    rate(mcp_server_operation_duration_seconds_count{mcp_method_name="tools/call", error_type!="", error_type!~"${clientErrorCodesRegex}"}[${window}])
    unless on (job) mcpkit_tool_calls_total
  )
  or
  rate(mcp_server_operation_duration_seconds_count{mcp_method_name!="tools/call", error_type!="", error_type!~"${clientErrorCodesRegex}"}[${window}])
)
/
sum by (job, gen_ai_tool_name) (rate(mcp_server_operation_duration_seconds_count[${window}]))
`;

const latencySeconds = objectives.latency.latencySeconds;
const slowRatio = (window: string) => `1 - (
  sum by (job, gen_ai_tool_name) (rate(mcp_server_operation_duration_seconds_bucket{le="${latencySeconds}"}[${window}]))
  /
  sum by (job, gen_ai_tool_name) (rate(mcp_server_operation_duration_seconds_count[${window}]))
)
`;

interface Sli {
  name: 'availability' | 'latency';
  /** The recording rule of its ratio over a window. */
  record: (window: string) => string;
  objective: number;
  burnRates: readonly string[];
  /** Per burn rate: the alert's static summary. */
  summaries: Record<string, string>;
  description: (window: string) => string;
}

const slis: Sli[] = [
  {
    name: 'availability',
    record: (window) => `job_tool:mcp_server_operation_errors:ratio_rate${window}`,
    objective: objectives.availability.objective,
    burnRates: objectives.availability.burnRates,
    summaries: {
      fast: 'A tool is failing fast enough to exhaust its monthly error budget within days.',
      slow: 'A tool is steadily spending its monthly error budget too fast.',
    },
    description: (window) =>
      `{{ $labels.gen_ai_tool_name }} on {{ $labels.job }} fails {{ $value | humanizePercentage }} of calls over ${windowInWords(window)} (objective: ${percentText(objectives.availability.objective)} succeed).`,
  },
  {
    name: 'latency',
    record: (window) => `job_tool:mcp_server_operation_slow:ratio_rate${window}`,
    objective: objectives.latency.objective,
    burnRates: objectives.latency.burnRates,
    summaries: { fast: 'A tool is too slow for too many callers.' },
    description: (window) =>
      `{{ $value | humanizePercentage }} of {{ $labels.gen_ai_tool_name }} calls on {{ $labels.job }} took longer than ${latencySeconds} s over ${windowInWords(window)} (objective: ${percentText(errorBudget(objectives.latency.objective))}).`,
  },
];

function burnRateAlert(sli: Sli, burnRateName: string): AlertingRule {
  const burnRate = objectives.burnRates[burnRateName as BurnRateName];
  if (!burnRate)
    throw new Error(`objectives.${sli.name} names the burn rate "${burnRateName}", which is not defined`);
  const summary = sli.summaries[burnRateName];
  if (!summary)
    throw new Error(`prometheus/rules-src/mcp.ts has no summary for the ${sli.name} ${burnRateName} burn`);
  const budget = errorBudget(sli.objective);
  const spent = percentText((burnRate.factor * durationHours(burnRate.longWindow)) / (30 * 24));
  return {
    comment: `${burnRate.factor}x the ${percentText(budget)} ${sli.name} budget over both ${burnRate.longWindow} and ${burnRate.shortWindow}: ${spent} of a 30-day budget gone in ${burnRate.longWindow}.`,
    alert: `MCP${capitalized(sli.name)}BudgetBurn${capitalized(burnRateName)}`,
    expr: `${sli.record(burnRate.longWindow)} > (${burnRate.factor} * ${budget})
and
${sli.record(burnRate.shortWindow)} > (${burnRate.factor} * ${budget})
`,
    for: burnRate.for,
    labels: { severity: burnRate.severity as AlertingRule['labels']['severity'] },
    annotations: { summary, description: sli.description(burnRate.longWindow) },
  };
}

const [availability, latency] = slis as [Sli, Sli];

const recordingRules: RecordingRule[] = [
  {
    comment: 'Operations per second by service, method and tool.',
    record: 'job_tool:mcp_server_operations:rate5m',
    expr: 'sum by (job, mcp_method_name, gen_ai_tool_name) (rate(mcp_server_operation_duration_seconds_count[5m]))',
  },
  ...windowsOf(availability.burnRates).map(
    (window, index): RecordingRule => ({
      ...(index === 0
        ? {
            comment: `Share of operations that failed through the server's fault. Denominator: every operation.
Numerator, tools/call of a server running the kit's library: its outcome (mcpkit_tool_calls_total),
failures being tool_error and upstream_failure; rejected (the tool refused invalid input with
isError, as the MCP spec asks, or a JSON-RPC client error) and no_match are the caller's business
and do not spend the budget.
Numerator, tools/call of any other server (its own metric, or the one the collector derives from
its spans): the conventions' error.type, client mistakes excepted; \`unless on (job)\` keeps a kit
server from being counted this way too.
Numerator, every other method: JSON-RPC server errors; client mistakes (the contract's
errors.clientErrorCodes: ${clientErrorCodesRegex.replaceAll('|', ', ')}) do not count.
The numerator's parts are joined with \`or\` inside the sum, not \`+\`: \`+\` keeps only label sets
present on both sides and would drop every window where one side has no series. \`or\` is a union
here because the parts never share a label set (only the kit counter has mcpkit_tool_outcome, and
the other two differ in mcp_method_name).
One rule per window a burn-rate alert reads (objectives.burnRates).`,
          }
        : {}),
      record: availability.record(window),
      expr: errorRatio(window),
    }),
  ),
  ...windowsOf(latency.burnRates).map(
    (window, index): RecordingRule => ({
      ...(index === 0
        ? {
            comment: `Share of operations slower than the latency objective (${latencySeconds} s, a bucket boundary of the semconv).`,
          }
        : {}),
      record: latency.record(window),
      expr: slowRatio(window),
    }),
  ),
  {
    record: 'job_tool:mcp_server_operation_duration_seconds:p95_rate5m',
    expr: 'histogram_quantile(0.95, sum by (job, gen_ai_tool_name, le) (rate(mcp_server_operation_duration_seconds_bucket[5m])))',
  },
];

const otherAlerts: AlertingRule[] = [
  {
    comment: "Any error type, client mistakes included, above 10% of a tool's calls at a real call rate.",
    alert: 'MCPToolErrorSpike',
    expr: `(
  sum by (job, gen_ai_tool_name, error_type) (rate(mcp_server_operation_duration_seconds_count{error_type!=""}[5m]))
  /
  ignoring (error_type) group_left sum by (job, gen_ai_tool_name) (rate(mcp_server_operation_duration_seconds_count[5m]))
) > 0.1
and on (job, gen_ai_tool_name)
sum by (job, gen_ai_tool_name) (rate(mcp_server_operation_duration_seconds_count[5m])) > 0.05
`,
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'One kind of error has become frequent for a tool.',
      description:
        '{{ $value | humanizePercentage }} of {{ $labels.gen_ai_tool_name }} calls on {{ $labels.job }} end with error.type {{ $labels.error_type }}.',
    },
  },
  {
    comment: 'The server answered nothing for 15 minutes, or its telemetry stopped arriving altogether.',
    alert: 'MCPNoTraffic',
    expr: `sum by (job) (rate(mcp_server_operation_duration_seconds_count[15m])) == 0
or
absent(mcp_server_operation_duration_seconds_count)
`,
    for: '15m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'No MCP operations have been recorded for 15 minutes.',
      description:
        'No MCP traffic from {{ with $labels.job }}{{ . }}{{ else }}any server{{ end }}: the server, its clients or the telemetry pipeline went silent.',
    },
  },
];

export const mcpRules: RuleFile = {
  file: 'mcp.rules.yml',
  source: 'mcp.ts',
  header: `MCP server SLIs and alerts: recording rules named level:metric:operations, SLO burn-rate alerts
(multi-window, multi-burn-rate, SRE workbook), error spikes and silence.

Loaded by: Prometheus through rule_files in prometheus/prometheus.yml (compose and tests alike);
unit-tested by prometheus/tests/mcp.rules.test.yml with promtool.
Override: the objectives (availability ${percentText(availability.objective)}, latency ${percentText(latency.objective)} of calls under ${latencySeconds} s), burn
rates and windows, and the client error codes are the contract's (src/privacy/rules.json \`objectives\`,
\`errors\`); change them there and run \`npm run generate\`, with the promtool tests beside. Runbooks:
docs/runbooks/<alertname>.md.`,
  groups: [
    {
      comment: `One group: alerts follow the recording rules they read, so both are evaluated in order in the same
cycle (separate groups run independently and would make the alerts' timing vary by a cycle).`,
      name: 'mcp',
      rules: [
        ...recordingRules,
        ...slis.flatMap((sli) => sli.burnRates.map((name) => burnRateAlert(sli, name))),
        ...otherAlerts,
      ],
    },
  ],
};
