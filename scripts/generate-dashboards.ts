// Writes grafana/dashboards/*.json from the TypeScript sources in grafana/dashboards-src/.
//
//   npm run dashboards
//
// The JSON is committed (Grafana's provisioning reads it as is); test/unit/grafana-dashboards.test.ts
// fails when it drifts from the source.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dashboards, renderDashboard } from '../grafana/dashboards-src/index.ts';
import { repoRoot } from './provision/cache.ts';

const outDir = path.join(repoRoot, 'grafana/dashboards');
mkdirSync(outDir, { recursive: true });
// A dashboard removed from the source must not linger as JSON.
for (const file of readdirSync(outDir).filter((f) => f.endsWith('.json') && !(f in dashboards)))
  rmSync(path.join(outDir, file));
for (const [file, dashboard] of Object.entries(dashboards)) {
  writeFileSync(path.join(outDir, file), renderDashboard(dashboard));
  console.log(`wrote grafana/dashboards/${file} (${dashboard.panels?.length ?? 0} panels)`);
}
