import { missingTools, type Tools, toolPaths } from '../../scripts/provision/tools.ts';

/** Paths of the provisioned real programs; fails loudly, never skips, when one is missing. */
export function requireTools(): Tools {
  const tools = toolPaths();
  const missing = missingTools(tools);
  if (missing.length > 0)
    throw new Error(`Not provisioned: ${missing.join(', ')}. Run \`npm run tools\` (npm test does).`);
  return tools;
}
