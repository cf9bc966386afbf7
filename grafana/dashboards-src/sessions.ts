// Session explorer: pick a pseudonymous session or principal and see its calls in order from Tempo
// (TraceQL) with the matching logs from Loki. Pseudonyms are keyed HMACs that rotate; nothing here can
// tell who a caller is. Groups smaller than k are hidden: a principal is listed, and can be picked, only
// when it made at least $k lookups over the range, so a rare caller cannot be singled out.
import {
  CustomVariableBuilder,
  QueryVariableBuilder,
  TextBoxVariableBuilder,
  VariableRefresh,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  datasources,
  job,
  jobVariable,
  logql,
  logs,
  mcpDashboard,
  neutral,
  promqlTable,
  table,
  timeseries,
  traceql,
  traceqlMetrics,
} from './lib.ts';

/** Principals with at least $k lookups over the range: the only groups this dashboard shows. */
const principalsAtLeastK = `sum by (mcpkit_principal) (increase(mcpkit_principal_lookups_total{${job}, mcpkit_principal!=""}[$__range])) >= $k`;

const selectCall =
  'select(span.gen_ai.tool.name, span.mcpkit.tool.outcome, span.error.type, span.mcpkit.result.count, span.mcpkit.client.name)';

export const sessions = mcpDashboard({
  key: 'sessions',
  source: 'sessions.ts',
  description:
    'Pick a pseudonymous session or principal: its calls in order from Tempo (TraceQL) and its logs from Loki. Principals with fewer than k lookups are hidden (k-anonymity).',
  variables: [
    jobVariable(),
    new CustomVariableBuilder('k')
      .label('k (smallest group shown)')
      .description('Groups smaller than k are hidden: principals with fewer lookups over the range.')
      .values('5,10,20,50')
      .current({ text: '5', value: '5' }),
    new QueryVariableBuilder('principal')
      .label('Principal (pseudonym)')
      .description("Pseudonymous callers (keyed HMAC of the identify hook's id) with at least k lookups.")
      .datasource(datasources.prometheus)
      .query({ query: `query_result(${principalsAtLeastK})`, refId: 'principal' })
      .definition(`query_result(${principalsAtLeastK})`)
      .regex('/mcpkit_principal="([^"]+)"/')
      .allowCustomValue(false)
      .refresh(VariableRefresh.OnTimeRangeChanged),
    new TextBoxVariableBuilder('session')
      .label('Session (pseudonym)')
      .description('A pseudonymous mcp.session.id, e.g. copied from a trace.')
      .defaultValue(''),
  ],
  panels: [
    table({
      title: 'Principals with at least k lookups',
      description:
        'Pseudonymous principals and their lookups over the range, first lookups of a target (new) apart from repeats. Principals with fewer than k lookups are not shown.',
      unit: 'short',
      steps: neutral,
      queries: [
        promqlTable(
          `sum by (mcpkit_principal, mcpkit_lookup_novelty) (increase(mcpkit_principal_lookups_total{${job}, mcpkit_principal!=""}[$__range])) and on (mcpkit_principal) (${principalsAtLeastK})`,
        ),
      ],
    }),
    timeseries({
      title: 'Calls of the principal by outcome',
      description:
        "The selected principal's tool calls per outcome, from its spans in Tempo (TraceQL metrics).",
      unit: 'short',
      steps: neutral,
      queries: [
        traceqlMetrics(
          '{ span.mcpkit.principal = "$principal" && span.mcp.method.name = "tools/call" } | count_over_time() by (span.mcpkit.tool.outcome)',
        ),
      ],
    }),
    table({
      title: 'Calls of the session, in order',
      description:
        'Every MCP request of the selected session, oldest first, with tool, outcome, error type and result-count bucket. Open a trace to see its stages and its logs.',
      unit: 'none',
      steps: neutral,
      width: 24,
      queries: [traceql(`{ span.mcp.session.id = "$session" } | ${selectCall}`, 100)],
    }),
    table({
      title: 'Calls of the principal',
      description: "The selected principal's tool calls across sessions, with the same columns.",
      unit: 'none',
      steps: neutral,
      width: 24,
      queries: [
        traceql(
          `{ span.mcpkit.principal = "$principal" && span.mcp.method.name = "tools/call" } | ${selectCall}`,
          100,
        ),
      ],
    }),
    logs({
      title: 'Logs of the session',
      description:
        'Log records the server wrote while serving the selected session (scrubbed bodies; the trace_id opens the trace).',
      unit: 'none',
      steps: neutral,
      queries: [logql('{service_name=~"$job"} | mcp_session_id = "$session"')],
    }),
    logs({
      title: 'Logs of the principal',
      description: "Log records of the selected principal's calls.",
      unit: 'none',
      steps: neutral,
      queries: [logql('{service_name=~"$job"} | mcpkit_principal = "$principal"')],
    }),
  ],
});
