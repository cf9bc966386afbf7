// The kit's copies of unstable semantic-convention names (src/semconv.ts) are what the installed
// @opentelemetry/semantic-conventions calls them: an upgrade that renames one fails here.
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as semconv from '../../src/semconv.ts';

const copies = Object.entries(semconv).filter(
  ([name, value]) => typeof value === 'string' && name in incubating && !name.includes('MCPKIT'),
);

describe('the copied semantic-convention names', () => {
  it('are the MCP, GenAI and other unstable names the kit uses', () => {
    expect(copies.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'ATTR_MCP_METHOD_NAME',
        'METRIC_MCP_SERVER_OPERATION_DURATION',
        'ATTR_GEN_AI_TOOL_NAME',
      ]),
    );
  });

  it.each(copies)('%s is the installed package’s', (name, value) => {
    expect(value).toBe((incubating as Record<string, unknown>)[name]);
  });
});
