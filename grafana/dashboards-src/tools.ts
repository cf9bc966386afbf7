// Tools and search effectiveness: calls, errors and latency per tool for every server (the conventions'
// metric), then, where the kit's library runs, what each tool returns (outcomes, no-match rate, fuzzy vs exact,
// natural-language parse success, language mix, result counts) and the health of the upstream it calls
// (latency, 429s, retries, cache, circuit breaker). Upstream metrics are the reference server's
// locator_upstream_* (rename them to your server's).
import {
  bargauge,
  higherIsWorse,
  job,
  jobVariable,
  lowerIsWorse,
  mcpDashboard,
  neutral,
  promql,
  stateNames,
  stateTimeline,
  timeseries,
} from './lib.ts';

const calls = (selector = '') => `mcpkit_tool_calls_total{${job}${selector ? `, ${selector}` : ''}}`;
const upstreamRequests = (selector = '') =>
  `locator_upstream_requests_total{${job}${selector ? `, ${selector}` : ''}}`;

export const tools = mcpDashboard({
  key: 'tools',
  source: 'tools.ts',
  description:
    'Per-tool outcomes, no-match rate, fuzzy vs exact matches, natural-language parse success, language mix, result-count distribution, and the upstream: latency, 429s, retries, cache and circuit state.',
  variables: [jobVariable()],
  panels: [
    // Every server: the conventions' metric, which the kit's library sends and the collector derives
    // from the MCP spans of any other server (Python, another instrumentation).
    timeseries({
      title: 'Tool calls and errors by tool (every server)',
      description:
        'tools/call operations per second per tool from mcp.server.operation.duration, and those with an error.type (tool_error, an exception class, a JSON-RPC code). Works for servers without the kit’s library: the collector derives the metric from their MCP spans.',
      unit: 'reqps',
      steps: neutral,
      queries: [
        promql(
          `sum by (gen_ai_tool_name) (rate(mcp_server_operation_duration_seconds_count{${job}, mcp_method_name="tools/call"}[$__rate_interval]))`,
          '{{gen_ai_tool_name}}',
        ),
        promql(
          `sum by (gen_ai_tool_name, error_type) (rate(mcp_server_operation_duration_seconds_count{${job}, mcp_method_name="tools/call", error_type!=""}[$__rate_interval]))`,
          '{{gen_ai_tool_name}} {{error_type}}',
        ),
      ],
    }),
    timeseries({
      title: 'Tool latency p95 by tool (every server)',
      description:
        'The 95th percentile of tools/call durations per tool from mcp.server.operation.duration, for every server, the kit’s library or not.',
      unit: 's',
      steps: higherIsWorse(1, 2),
      queries: [
        promql(
          `histogram_quantile(0.95, sum by (gen_ai_tool_name, le) (rate(mcp_server_operation_duration_seconds_bucket{${job}, mcp_method_name="tools/call"}[$__rate_interval])))`,
          '{{gen_ai_tool_name}}',
        ),
      ],
    }),
    timeseries({
      title: 'Tool calls by outcome',
      description:
        'mcpkit.tool.calls per tool and mcpkit.tool.outcome: ok, no_match (nobody found), rejected (invalid input), upstream_failure, tool_error.',
      unit: 'reqps',
      steps: neutral,
      width: 24,
      queries: [
        promql(
          `sum by (gen_ai_tool_name, mcpkit_tool_outcome) (rate(${calls()}[$__rate_interval]))`,
          '{{gen_ai_tool_name}} {{mcpkit_tool_outcome}}',
        ),
      ],
    }),
    timeseries({
      title: 'No-match rate by tool',
      description:
        'Share of calls that found nobody. A rise after a release or an upstream change means searches stopped matching; a steady high value means people search in ways the matcher does not understand.',
      unit: 'percentunit',
      steps: higherIsWorse(0.5, 0.8),
      min: 0,
      max: 1,
      queries: [
        promql(
          `sum by (gen_ai_tool_name) (rate(${calls('mcpkit_tool_outcome="no_match"')}[$__rate_interval])) / sum by (gen_ai_tool_name) (rate(${calls()}[$__rate_interval]))`,
          '{{gen_ai_tool_name}}',
        ),
      ],
    }),
    timeseries({
      title: 'Fuzzy vs exact matches',
      description:
        'Name searches by the match type the tool declared (mcpkit.result.match_type): exact, fuzzy (typos or transliterations tolerated) or none.',
      unit: 'reqps',
      steps: neutral,
      queries: [
        promql(
          `sum by (mcpkit_result_match_type) (rate(${calls('mcpkit_result_match_type!=""')}[$__rate_interval]))`,
          '{{mcpkit_result_match_type}}',
        ),
      ],
    }),
    timeseries({
      title: 'Natural-language parse success',
      description:
        'Share of smart_detainee_search queries the server could turn into search criteria (mcpkit.result.parse_success). Below 80% the parser misses how people ask.',
      unit: 'percentunit',
      steps: lowerIsWorse(0.6, 0.8),
      min: 0,
      max: 1,
      queries: [
        promql(
          `sum(rate(${calls('gen_ai_tool_name="smart_detainee_search", mcpkit_result_parse_success="true"')}[$__rate_interval])) / sum(rate(${calls('gen_ai_tool_name="smart_detainee_search"')}[$__rate_interval]))`,
          'parsed',
        ),
      ],
    }),
    timeseries({
      title: 'Language mix',
      description:
        'Calls by the language the caller asked for (mcpkit.arg.language) and the language the natural-language query was written in (mcpkit.result.query_language).',
      unit: 'reqps',
      steps: neutral,
      queries: [
        promql(
          `sum by (mcpkit_arg_language) (rate(${calls('mcpkit_arg_language!=""')}[$__rate_interval]))`,
          'asked {{mcpkit_arg_language}}',
        ),
        promql(
          `sum by (mcpkit_result_query_language) (rate(${calls('mcpkit_result_query_language!=""')}[$__rate_interval]))`,
          'written {{mcpkit_result_query_language}}',
        ),
      ],
    }),
    bargauge({
      title: 'Result-count distribution',
      description:
        'Calls by the bucket of results the tool found (mcpkit.result.count: 0, 1, 2-5, 6-20, 21+) over the dashboard range. Many 21+ answers mean searches too broad to help.',
      unit: 'short',
      steps: neutral,
      queries: [
        promql(
          `sum by (mcpkit_result_count) (increase(${calls('mcpkit_result_count!=""')}[$__range]))`,
          '{{mcpkit_result_count}}',
        ).instant(),
      ],
    }),
    timeseries({
      title: 'Upstream lookup latency',
      description:
        "p50 and p95 of the `upstream lookup` spans (cache, politeness limiter, retries and the upstream call), from the collector's span metrics.",
      unit: 's',
      steps: higherIsWorse(1, 5),
      queries: [0.5, 0.95].map((q) =>
        promql(
          `histogram_quantile(${q}, sum by (le) (rate(traces_span_metrics_duration_seconds_bucket{${job}, span_name="upstream lookup"}[$__rate_interval])))`,
          `p${q * 100}`,
        ),
      ),
    }),
    timeseries({
      title: 'Upstream requests by answer',
      description:
        'Requests to the upstream by HTTP status, or by failure when there was no answer (timeout) or the circuit was open. 429 is the upstream asking the server to slow down; the server honours Retry-After.',
      unit: 'reqps',
      steps: neutral,
      queries: [
        promql(
          `sum by (http_response_status_code, error_type) (rate(${upstreamRequests()}[$__rate_interval]))`,
          '{{http_response_status_code}}{{error_type}}',
        ),
      ],
    }),
    timeseries({
      title: 'Upstream 429 share',
      description:
        'Share of upstream requests answered 429 (rate limited). Above 5% for 10 minutes fires MCPUpstreamRateLimited.',
      unit: 'percentunit',
      steps: higherIsWorse(0.01, 0.05),
      min: 0,
      queries: [
        promql(
          `sum(rate(${upstreamRequests('http_response_status_code="429"')}[$__rate_interval])) / sum(rate(${upstreamRequests()}[$__rate_interval]))`,
          '429',
        ),
      ],
    }),
    timeseries({
      title: 'Upstream retries and calls refused by the open circuit',
      description:
        'Retries of upstream requests (after 429 with Retry-After, 5xx or timeouts) and lookups refused without calling because the circuit breaker was open.',
      unit: 'reqps',
      steps: higherIsWorse(0.5, 2),
      queries: [
        promql(`sum(rate(locator_upstream_retries_total{${job}}[$__rate_interval]))`, 'retries'),
        promql(
          `sum(rate(${upstreamRequests('error_type="circuit_open"')}[$__rate_interval]))`,
          'refused (circuit open)',
        ),
      ],
    }),
    stateTimeline({
      title: 'Circuit breaker state',
      description:
        'The upstream circuit breaker: closed (calls go through), half-open (trying again), open (calls fail fast). Open for 2 minutes fires MCPUpstreamCircuitOpen.',
      unit: 'none',
      steps: [
        [null, 'green'],
        [1, 'orange'],
        [2, 'red'],
      ],
      mappings: stateNames({ 0: ['closed', 'green'], 1: ['half-open', 'orange'], 2: ['open', 'red'] }),
      queries: [promql(`max by (job) (locator_upstream_circuit_state{${job}})`, '{{job}}')],
    }),
    timeseries({
      title: 'Cache hit ratio',
      description:
        "Share of lookups served from the server's cache (mcpkit.cache.result) instead of the upstream.",
      unit: 'percentunit',
      steps: neutral,
      min: 0,
      max: 1,
      queries: [
        promql(
          `sum(rate(locator_cache_lookups_total{${job}, mcpkit_cache_result="hit"}[$__rate_interval])) / sum(rate(locator_cache_lookups_total{${job}}[$__rate_interval]))`,
          'hit ratio',
        ),
      ],
    }),
    timeseries({
      title: 'Upstream requests in flight',
      description:
        'Upstream requests being served at once (the connection pool in use). The politeness limiter allows 4; a flat line at the limit means callers queue.',
      unit: 'short',
      steps: higherIsWorse(3, 4),
      queries: [promql(`sum by (job) (locator_upstream_in_flight{${job}})`, '{{job}}')],
    }),
    bargauge({
      title: 'Outcomes by tool over the range',
      description: 'Calls per tool and outcome over the dashboard range, largest first.',
      unit: 'short',
      steps: neutral,
      width: 24,
      queries: [
        promql(
          `sort_desc(sum by (gen_ai_tool_name, mcpkit_tool_outcome) (increase(${calls()}[$__range])))`,
          '{{gen_ai_tool_name}} {{mcpkit_tool_outcome}}',
        ).instant(),
      ],
    }),
  ],
});
