// The MCP server the library tests instrument: one tool per outcome the kit must tell apart, a prompt
// and a resource, on either SDK line.
import { z } from 'zod';
import { currentToolCall, instrumentMcpServer } from '../../src/index.ts';
import type { InstrumentMcpServerOptions } from '../../src/types.ts';
import { type AnyMcpServer, newMcpServer, type SdkLine } from './mcp.ts';

export const scenarioPolicy: NonNullable<InstrumentMcpServerOptions['tools']> = {
  search: {
    arguments: { language: { enum: ['en', 'es'] }, fuzzy: 'boolean', query: 'size' },
    results: { match_type: { enum: ['exact', 'fuzzy'] } },
  },
};

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

export function scenarioServer(
  line: SdkLine,
  options: InstrumentMcpServerOptions = { tools: scenarioPolicy },
): AnyMcpServer {
  const server = newMcpServer(line);
  server.registerTool(
    'search',
    {
      description: 'Finds records matching a query.',
      inputSchema: {
        query: z.string(),
        language: z.enum(['en', 'es']).optional(),
        fuzzy: z.boolean().optional(),
      },
    },
    (async ({ query }: { query: string }) => {
      const call = currentToolCall();
      call?.setResultCount(3);
      call?.setResultAttribute('match_type', 'fuzzy');
      call?.setResultAttribute('undeclared', 'must not be exported');
      return text(`3 results for ${query}`);
    }) as never,
  );
  server.registerTool(
    'lookup',
    { description: 'Looks one record up.', inputSchema: { id: z.string() } },
    (async () => {
      currentToolCall()?.setOutcome('no_match');
      currentToolCall()?.setResultCount(0);
      return text('no record');
    }) as never,
  );
  server.registerTool('fails', { description: 'Reports a tool error.' }, (async () => ({
    ...text('upstream unavailable'),
    isError: true,
  })) as never);
  server.registerTool('throws', { description: 'Throws.' }, (async () => {
    throw new Error('handler crashed');
  }) as never);
  server.registerPrompt(
    'greet',
    { description: 'Greets someone.', argsSchema: { name: z.string() } },
    (async ({ name }: { name: string }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: `Hello ${name}` } }],
    })) as never,
  );
  server.registerResource('record', 'records://one', { description: 'One record.' }, (async (uri: URL) => ({
    contents: [{ uri: uri.href, text: 'a record' }],
  })) as never);
  return instrumentMcpServer(server, options);
}
