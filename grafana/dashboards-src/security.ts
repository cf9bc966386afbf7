// Security and abuse: requests refused at the HTTP layer (bad tokens, foreign Origins, unknown sessions),
// enumeration signals (callers looking up many different people: first lookups of a target per
// pseudonymous principal), bulk-search sizes, and invalid requests. Principals appear only as keyed
// pseudonyms, and only when they made at least $k lookups (groups smaller than k are hidden).
import { CustomVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { clientErrorCodesRegex } from '../../prometheus/rules-src/mcp.ts';
import {
  higherIsWorse,
  job,
  jobVariable,
  mcpDashboard,
  neutral,
  promql,
  promqlInstant,
  promqlTable,
  stat,
  table,
  timeseries,
  traceqlMetrics,
} from './lib.ts';

const rejections = (selector = '') =>
  `mcpkit_http_rejections_total{${job}${selector ? `, ${selector}` : ''}}`;
const lookups = (selector = '') => `mcpkit_principal_lookups_total{${job}${selector ? `, ${selector}` : ''}}`;
/** Principals with at least $k lookups over the range (k-anonymity: smaller groups are not shown). */
const atLeastK = `(sum by (mcpkit_principal) (increase(${lookups('mcpkit_principal!=""')}[$__range])) >= $k)`;

export const security = mcpDashboard({
  key: 'security',
  source: 'security.ts',
  description:
    'Authentication and Origin failures, other refused requests, enumeration signals per pseudonymous principal (groups smaller than k hidden), bulk-search sizes and invalid requests.',
  variables: [
    jobVariable(),
    new CustomVariableBuilder('k')
      .label('k (smallest group shown)')
      .description('Principals with fewer lookups than k over the range are hidden.')
      .values('5,10,20,50')
      .current({ text: '5', value: '5' }),
  ],
  panels: [
    stat({
      title: 'Authentication failures',
      description:
        'Requests refused for a missing or wrong bearer token (401) or a forbidden principal (403), over the range.',
      unit: 'short',
      steps: higherIsWorse(10, 100),
      queries: [
        promqlInstant(`sum(increase(${rejections('error_type=~"unauthorized|forbidden"')}[$__range]))`),
      ],
    }),
    stat({
      title: 'Origin failures',
      description:
        'Requests refused because their Origin header is not an allowed browser origin (DNS-rebinding and cross-site protection), over the range.',
      unit: 'short',
      steps: higherIsWorse(1, 10),
      queries: [promqlInstant(`sum(increase(${rejections('error_type="forbidden_origin"')}[$__range]))`)],
    }),
    stat({
      title: 'Bulk search: lookups per call',
      description:
        'Average number of people looked up by one bulk_search_detainees call. The tool allows a handful; large batches from one caller are an enumeration pattern.',
      unit: 'short',
      steps: higherIsWorse(10, 20),
      queries: [
        promqlInstant(
          `sum(increase(${lookups('mcpkit_lookup_batch="true"')}[$__range])) / sum(increase(mcp_server_operation_duration_seconds_count{${job}, gen_ai_tool_name="bulk_search_detainees"}[$__range]))`,
        ),
      ],
    }),
    stat({
      title: 'Share of first-time lookups',
      description:
        'Lookups of a target the caller had not looked up before in the pseudonym period, over all lookups. Families re-check one person (repeats); a sweep through a list is almost all first-time.',
      unit: 'percentunit',
      steps: higherIsWorse(0.7, 0.9),
      queries: [
        promqlInstant(
          `sum(increase(${lookups('mcpkit_lookup_novelty="new"')}[$__range])) / sum(increase(${lookups()}[$__range]))`,
        ),
      ],
    }),
    timeseries({
      title: 'Refused HTTP requests by reason',
      description:
        "Requests the server's HTTP layer refused before MCP, by reason (mcpkit.http.rejections): unauthorized, forbidden, forbidden_origin, unknown_session, not_found, rate_limited, payload_too_large, bad_request.",
      unit: 'reqps',
      steps: higherIsWorse(0.1, 1),
      queries: [promql(`sum by (error_type) (rate(${rejections()}[$__rate_interval]))`, '{{error_type}}')],
    }),
    timeseries({
      title: 'First-time lookups per principal',
      description:
        'Per pseudonymous principal (at least k lookups over the range), how many people it looks up for the first time per minute. One principal far above the rest is enumerating.',
      unit: 'short',
      steps: higherIsWorse(10, 30),
      queries: [
        promql(
          `sum by (mcpkit_principal) (rate(${lookups('mcpkit_lookup_novelty="new"')}[$__rate_interval])) * 60 and on (mcpkit_principal) ${atLeastK}`,
          '{{mcpkit_principal}}',
        ),
      ],
    }),
    table({
      title: 'Top principals by first-time lookups',
      description:
        'Pseudonymous principals with the most first-time lookups over the range (only those with at least k lookups), with their share of first-time lookups.',
      unit: 'short',
      steps: higherIsWorse(50, 200),
      queries: [
        promqlTable(
          `topk(10, sum by (mcpkit_principal) (increase(${lookups('mcpkit_lookup_novelty="new"')}[$__range])) and on (mcpkit_principal) ${atLeastK})`,
        ),
      ],
    }),
    timeseries({
      title: 'Bulk-search sizes',
      description:
        'p50 and p95 of the number of requests in a bulk_search_detainees call (span attribute mcpkit.arg.search_requests, a count), from Tempo.',
      unit: 'short',
      steps: higherIsWorse(10, 20),
      queries: [
        traceqlMetrics(
          '{ span.gen_ai.tool.name = "bulk_search_detainees" } | quantile_over_time(span.mcpkit.arg.search_requests, 0.5, 0.95)',
        ),
      ],
    }),
    timeseries({
      title: 'Invalid requests',
      description: `Requests the server answered with a client error (the JSON-RPC codes ${clientErrorCodesRegex.replaceAll('|', ', ')}: parse error, invalid request, unknown method, invalid params, resource not found) and tool calls rejected for invalid input. Probing shows here first.`,
      unit: 'reqps',
      steps: higherIsWorse(0.1, 1),
      queries: [
        promql(
          `sum by (error_type) (rate(mcp_server_operation_duration_seconds_count{${job}, error_type=~"${clientErrorCodesRegex}"}[$__rate_interval]))`,
          '{{error_type}}',
        ),
        promql(
          `sum by (gen_ai_tool_name) (rate(mcpkit_tool_calls_total{${job}, mcpkit_tool_outcome="rejected"}[$__rate_interval]))`,
          'rejected {{gen_ai_tool_name}}',
        ),
      ],
    }),
    timeseries({
      title: 'Lookups by kind',
      description:
        'Lookups per second, single or in a bulk call, first-time or repeat, all principals together.',
      unit: 'reqps',
      steps: neutral,
      queries: [
        promql(
          `sum by (mcpkit_lookup_batch, mcpkit_lookup_novelty) (rate(${lookups()}[$__rate_interval]))`,
          'batch={{mcpkit_lookup_batch}} {{mcpkit_lookup_novelty}}',
        ),
      ],
    }),
  ],
});
