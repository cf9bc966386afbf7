// Clients and journeys: which AI assistants call the server (name and version as they report
// themselves), with which protocol revisions, how long sessions last and how many calls they make, how
// callers move from tool to tool (a node graph of mcpkit.tool.transitions), and where they give up.
import {
  bargauge,
  higherIsWorse,
  job,
  jobVariable,
  mcpDashboard,
  neutral,
  nodeGraph,
  promql,
  promqlTable,
  rename,
  table,
  timeseries,
  traceqlMetrics,
} from './lib.ts';

const transitions = `mcpkit_tool_transitions_total{${job}}`;
const calls = `mcpkit_tool_calls_total{${job}}`;

export const clients = mcpDashboard({
  key: 'clients',
  source: 'clients.ts',
  description:
    'AI clients and versions, protocol versions, calls per session, session duration, tool-to-tool transitions as a node graph, and drop-off after each tool.',
  variables: [jobVariable()],
  panels: [
    timeseries({
      title: 'Tool calls by AI client',
      description:
        'Tool calls per second by the client name the assistant reports in initialize (mcpkit.client.name, at most 64 characters).',
      unit: 'reqps',
      steps: neutral,
      queries: [
        promql(`sum by (mcpkit_client_name) (rate(${calls}[$__rate_interval]))`, '{{mcpkit_client_name}}'),
      ],
    }),
    table({
      title: 'Client versions',
      description:
        'Tool calls per client name and version over the range, from the spans in Tempo (versions are span attributes, kept off metrics to bound their cardinality).',
      unit: 'short',
      steps: neutral,
      queries: [
        traceqlMetrics(
          '{ span.mcp.method.name = "tools/call" } | count_over_time() by (span.mcpkit.client.name, span.mcpkit.client.version)',
        ),
      ],
    }),
    timeseries({
      title: 'Protocol versions',
      description:
        'Operations per second by the MCP protocol revision negotiated at initialize (mcp.protocol.version). Old revisions still in use tell when a change of the server would break clients.',
      unit: 'reqps',
      steps: neutral,
      queries: [
        promql(
          `sum by (mcp_protocol_version) (rate(mcp_server_operation_duration_seconds_count{${job}, mcp_protocol_version!=""}[$__rate_interval]))`,
          '{{mcp_protocol_version}}',
        ),
      ],
    }),
    timeseries({
      title: 'Calls per session',
      description:
        'Median and p95 of the calls made in a session (mcpkit.session.calls, recorded when a session ends). One call per session usually means the first answer helped; many, that callers struggle.',
      unit: 'short',
      steps: higherIsWorse(10, 20),
      queries: [0.5, 0.95].map((q) =>
        promql(
          `histogram_quantile(${q}, sum by (le) (rate(mcpkit_session_calls_bucket{${job}}[$__rate_interval])))`,
          `p${q * 100}`,
        ),
      ),
    }),
    timeseries({
      title: 'Session duration',
      description:
        'Median and p95 of mcp.server.session.duration by client (recorded when a session ends; stateless servers have none).',
      unit: 's',
      steps: higherIsWorse(300, 1800),
      queries: [0.5, 0.95].map((q) =>
        promql(
          `histogram_quantile(${q}, sum by (le) (rate(mcp_server_session_duration_seconds_bucket{${job}}[$__rate_interval])))`,
          `p${q * 100}`,
        ),
      ),
    }),
    bargauge({
      title: 'Sessions by client',
      description: 'Sessions that ended over the range, per client name.',
      unit: 'short',
      steps: neutral,
      queries: [
        promql(
          `sum by (mcpkit_client_name) (increase(mcp_server_session_duration_seconds_count{${job}}[$__range]))`,
          '{{mcpkit_client_name}}',
        ).instant(),
      ],
    }),
    nodeGraph({
      title: 'Journeys: tool-to-tool transitions',
      description:
        "Each node is a tool (or (start), a session's first call) with its calls over the range; each edge, how often callers went from one tool to the next (mcpkit.tool.transitions).",
      unit: 'short',
      steps: neutral,
      queries: [
        promqlTable(
          `label_replace(sum by (gen_ai_tool_name) (increase(${calls}[$__range])), "id", "$1", "gen_ai_tool_name", "(.*)") or label_replace(label_replace(sum(increase(mcpkit_tool_transitions_total{${job}, mcpkit_tool_previous="(start)"}[$__range])), "id", "(start)", "", ""), "gen_ai_tool_name", "(start)", "", "")`,
        ),
        promqlTable(
          `label_join(sum by (mcpkit_tool_previous, gen_ai_tool_name) (increase(${transitions}[$__range])), "id", " -> ", "mcpkit_tool_previous", "gen_ai_tool_name")`,
        ),
      ],
      transformations: [
        {
          id: 'organize',
          filter: { id: 'byRefId', options: 'A' },
          options: {
            renameByName: { gen_ai_tool_name: 'title', Value: 'mainstat' },
            excludeByName: { Time: true },
          },
        },
        {
          id: 'organize',
          filter: { id: 'byRefId', options: 'B' },
          options: {
            renameByName: { mcpkit_tool_previous: 'source', gen_ai_tool_name: 'target', Value: 'mainstat' },
            excludeByName: { Time: true },
          },
        },
      ],
    }),
    table({
      title: 'Drop-off after each tool',
      description:
        'Share of calls to a tool after which the caller called nothing else in the session (1 − transitions out of the tool / calls of the tool), next to the share of its calls that failed or found nobody. A tool whose failures are followed by drop-off loses people.',
      unit: 'percentunit',
      steps: higherIsWorse(0.5, 0.8),
      width: 24,
      queries: [
        promqlTable(
          `1 - ((sum by (gen_ai_tool_name) (label_replace(sum by (mcpkit_tool_previous) (increase(mcpkit_tool_transitions_total{${job}, mcpkit_tool_previous!="(start)"}[$__range])), "gen_ai_tool_name", "$1", "mcpkit_tool_previous", "(.*)")) or 0 * sum by (gen_ai_tool_name) (increase(${calls}[$__range]))) / sum by (gen_ai_tool_name) (increase(${calls}[$__range])))`,
        ),
        promqlTable(
          `sum by (gen_ai_tool_name) (increase(mcpkit_tool_calls_total{${job}, mcpkit_tool_outcome!="ok"}[$__range])) / sum by (gen_ai_tool_name) (increase(${calls}[$__range]))`,
        ),
      ],
      transformations: [
        { id: 'merge', options: {} },
        rename({ gen_ai_tool_name: 'tool', 'Value #A': 'drop-off', 'Value #B': 'not ok' }),
      ],
    }),
  ],
});
