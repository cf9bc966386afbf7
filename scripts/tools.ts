// `npm run tools`: provisions every real program the tests run (idempotent, cached outside the repo)
// and prints their versions. `npm test` runs it first.
import { provisionTools, toolVersions } from './provision/tools.ts';

const tools = provisionTools();
for (const [name, version] of Object.entries(toolVersions(tools))) {
  console.log(`${name.padEnd(17)} ${version}`);
  console.log(`${''.padEnd(17)} ${tools[name as keyof typeof tools]}`);
}
