// Reads the generated dashboards the way Grafana would: every query of every panel and variable, with
// its datasource, and the one place where Grafana's template variables are replaced by sample values so
// a query can be parsed by the lezer grammars and executed against the real Prometheus.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { repoRoot } from '../../scripts/provision/cache.ts';

export const dashboardsDir = path.join(repoRoot, 'grafana/dashboards');

export interface DashboardJson {
  uid: string;
  title: string;
  description?: string;
  tags?: string[];
  links?: { url?: string; type: string }[];
  panels: PanelJson[];
  templating?: { list?: VariableJson[] };
}
export interface PanelJson {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: { value: number | null }[] } } };
  targets?: {
    refId: string;
    datasource?: { type: string; uid: string };
    expr?: string;
    query?: string;
    instant?: boolean;
  }[];
}
export interface VariableJson {
  name: string;
  type: string;
  datasource?: { type: string; uid: string };
  query?: string | { query?: string };
}

export type Language = 'promql' | 'traceql' | 'logql';
const languageOf: Record<string, Language> = { prometheus: 'promql', tempo: 'traceql', loki: 'logql' };

export interface DashboardQuery {
  /** `<dashboard uid> #<panel id> <panel title> [refId]`, or `<uid> $<variable>`. */
  where: string;
  dashboard: string;
  datasourceUid: string;
  language: Language;
  /** The query as written in the dashboard, variables and all. */
  text: string;
  /** Instant (a table or a stat) rather than a range over time. */
  instant: boolean;
}

export function loadDashboards(): DashboardJson[] {
  return readdirSync(dashboardsDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as DashboardJson);
}

/**
 * Every query of every panel and every query variable. A variable's `label_values(metric, label)` is
 * the series selector `metric`; `query_result(expr)` is `expr` (what Grafana sends to Prometheus).
 */
export function dashboardQueries(dashboards: DashboardJson[] = loadDashboards()): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const dashboard of dashboards) {
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        const datasourceUid = target.datasource?.uid ?? panel.datasource?.uid ?? '';
        const language = languageOf[target.datasource?.type ?? panel.datasource?.type ?? ''];
        const text = target.expr ?? target.query;
        if (!language || text === undefined) throw new Error(`${dashboard.uid} #${panel.id}: unknown query`);
        queries.push({
          where: `${dashboard.uid} #${panel.id} ${panel.title} [${target.refId}]`,
          dashboard: dashboard.uid,
          datasourceUid,
          language,
          text,
          instant: target.instant === true,
        });
      }
    }
    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type !== 'query') continue;
      const raw = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      const labelValues = /^label_values\((.+),\s*\w+\)$/.exec(raw);
      const queryResult = /^query_result\((.+)\)$/.exec(raw);
      const text = labelValues?.[1] ?? queryResult?.[1];
      if (!text) throw new Error(`${dashboard.uid} $${variable.name}: unsupported variable query ${raw}`);
      queries.push({
        where: `${dashboard.uid} $${variable.name}`,
        dashboard: dashboard.uid,
        datasourceUid: variable.datasource?.uid ?? '',
        language: 'promql',
        text,
        instant: true,
      });
    }
  }
  return queries;
}

/**
 * Sample values for Grafana's template variables: the dashboards' own ($job, $k, $principal, $session)
 * and Grafana's built-in intervals. $__rate_interval is what Grafana computes for a 15 s scrape interval
 * over a long enough range; $__range covers the whole test run.
 */
export const sampleVariables: Record<string, string> = {
  job: '.+',
  k: '5',
  principal: 'p-3f9a0c1d2e',
  session: 's-8b7c6d5e4f',
  __rate_interval: '5m',
  __interval: '1m',
  __range: '15m',
  __auto: '1m',
};

/**
 * Replaces `$name`, `${name}` and `[[name]]` by sample values, as Grafana interpolates them. Regex group
 * references such as label_replace's "$1" are not variables and stay. An unknown variable is an error.
 */
export function substituteVariables(text: string, values: Record<string, string> = sampleVariables): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)|\[\[(\w+)\]\]/g, (match, braced, bare, bracketed) => {
    const name = (braced ?? bare ?? bracketed) as string;
    if (/^\d+$/.test(name)) return match;
    const value = values[name];
    if (value === undefined) throw new Error(`unknown template variable ${match} in ${text}`);
    return value;
  });
}

const parsers = { promql: promqlParser, traceql: traceqlParser, logql: logqlParser };

/** Positions where the grammar of `language` found an error (empty: the query parses). */
export function syntaxErrors(language: Language, text: string): { at: number; near: string }[] {
  const errors: { at: number; near: string }[] = [];
  parsers[language].parse(text).iterate({
    enter: (node) => {
      if (node.type.isError)
        errors.push({ at: node.from, near: text.slice(Math.max(0, node.from - 20), node.to + 20) });
    },
  });
  return errors;
}
