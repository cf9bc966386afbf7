// Every dashboard of the kit, by the file name of its generated JSON in grafana/dashboards/.
// `npm run dashboards` (scripts/generate-dashboards.ts) writes them; test/unit/grafana-dashboards.test.ts
// fails when the committed JSON drifts from this source.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { clients } from './clients.ts';
import { host } from './host.ts';
import { overview } from './overview.ts';
import { pipeline } from './pipeline.ts';
import { security } from './security.ts';
import { sessions } from './sessions.ts';
import { tools } from './tools.ts';

export const dashboards: Record<string, Dashboard> = {
  'mcp-overview.json': overview,
  'mcp-tools.json': tools,
  'mcp-clients.json': clients,
  'mcp-sessions.json': sessions,
  'mcp-host.json': host,
  'mcp-pipeline.json': pipeline,
  'mcp-security.json': security,
};

/** The JSON text of a dashboard exactly as committed (stable key order, trailing newline). */
export function renderDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
