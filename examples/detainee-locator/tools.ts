// The reference server's tools, with the tool surface of the ICE Locator MCP server (same names and
// inputs), over the simulated upstream. Each tool declares its outcome to the kit and runs its stages in
// their own spans, so a trace shows where the time goes.

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { trace } from '@opentelemetry/api';
import pLimit from 'p-limit';
import { z } from 'zod';
import { currentToolCall, type ToolExportPolicy } from '../../src/index.ts';
import type { DetaineeRecord } from './dataset.ts';
import { type MatchType, matchName, normaliseName, parseAlienNumber, parseNaturalQuery } from './matching.ts';
import { type UpstreamClient, UpstreamError } from './upstream-client.ts';

const tracer = trace.getTracer('detainee-locator');
const languages = ['en', 'es'] as const;
type Language = (typeof languages)[number];

interface PersonQuery {
  first_name?: unknown;
  last_name?: unknown;
  country_of_birth?: unknown;
  alien_number?: unknown;
}

/**
 * Who a search looks for, as the kit's enumeration count needs it (one key per person, the same however
 * it is spelled); the kit keeps it only as a keyed pseudonym in memory and never exports it.
 */
function personKey(query: PersonQuery): string | undefined {
  const number = typeof query.alien_number === 'string' ? parseAlienNumber(query.alien_number) : undefined;
  if (number) return `a:${number}`;
  const parts = [query.first_name, query.last_name, query.country_of_birth];
  if (!parts.every((part) => typeof part === 'string' && part.length > 0)) return undefined;
  return `n:${parts.map((part) => normaliseName(part as string)).join('|')}`;
}

/** What each tool may export: enums, booleans, counts and sizes only. */
export const toolPolicies: Record<string, ToolExportPolicy> = {
  search_detainee_by_name: {
    lookupKeys: personKey,
    arguments: { language: { enum: languages }, fuzzy_search: 'boolean' },
    results: { match_type: { enum: ['exact', 'fuzzy', 'none'] }, language: { enum: languages } },
  },
  search_detainee_by_alien_number: {
    lookupKeys: personKey,
    arguments: { language: { enum: languages } },
    results: { format_valid: 'boolean', language: { enum: languages } },
  },
  smart_detainee_search: {
    lookupKeys: (args) =>
      typeof args.query === 'string' ? personKey(parseNaturalQuery(args.query)) : undefined,
    arguments: { language: { enum: languages }, suggest_corrections: 'boolean', query: 'size' },
    results: {
      parse_success: 'boolean',
      query_language: { enum: languages },
      match_type: { enum: ['exact', 'fuzzy', 'none'] },
    },
  },
  bulk_search_detainees: {
    lookupKeys: (args) =>
      Array.isArray(args.search_requests)
        ? args.search_requests.flatMap((request: PersonQuery) => personKey(request) ?? [])
        : undefined,
    arguments: {
      search_requests: 'count',
      max_concurrent: { enum: [1, 2, 3, 4, 5] },
      continue_on_error: 'boolean',
    },
    results: { failed: 'count' },
  },
  generate_search_report: {
    arguments: {
      report_type: { enum: ['legal', 'advocacy', 'family'] },
      format: { enum: ['markdown', 'json'] },
      results: 'count',
    },
  },
};

const MESSAGES = {
  en: {
    none: 'No one in custody matches these details. Check the spelling, the date of birth and the country of birth.',
    found: (n: number) => `Found ${n} possible match${n === 1 ? '' : 'es'}.`,
    invalidNumber: 'That is not a valid A-number. It has 8 or 9 digits, often written A-123-456-789.',
    upstream: 'The detainee locator is not answering right now. Please try again in a few minutes.',
    notUnderstood:
      'I could not tell who you are looking for. Please give a full name and country of birth, or an A-number.',
  },
  es: {
    none: 'Nadie bajo custodia coincide con estos datos. Revise la ortografía, la fecha y el país de nacimiento.',
    found: (n: number) =>
      `Se encontraron ${n} posible${n === 1 ? '' : 's'} coincidencia${n === 1 ? '' : 's'}.`,
    invalidNumber:
      'Ese no es un número de extranjero válido. Tiene 8 o 9 dígitos, a menudo escrito A-123-456-789.',
    upstream: 'El localizador no responde en este momento. Inténtelo de nuevo en unos minutos.',
    notUnderstood:
      'No pude saber a quién busca. Indique el nombre completo y el país de nacimiento, o el número de extranjero.',
  },
} satisfies Record<Language, unknown>;

const text = (value: string, isError = false) => ({
  content: [{ type: 'text' as const, text: value }],
  ...(isError ? { isError } : {}),
});

function describe(record: DetaineeRecord, language: Language): string {
  const where = `${record.facility.name}, ${record.facility.city}, ${record.facility.state} (${record.facility.phone})`;
  const name = [record.first_name, record.middle_name, record.last_name].filter(Boolean).join(' ');
  return language === 'es'
    ? `${name} — ${record.alien_number} — nacido el ${record.date_of_birth} en ${record.country_of_birth} — ${where}`
    : `${name} — ${record.alien_number} — born ${record.date_of_birth} in ${record.country_of_birth} — ${where}`;
}

interface NameCriteria {
  first_name: string;
  last_name: string;
  date_of_birth?: string | undefined;
  country_of_birth: string;
}

async function findByName(upstream: UpstreamClient, criteria: NameCriteria, fuzzy: boolean) {
  const candidates = await upstream.search(criteria.country_of_birth, criteria.date_of_birth);
  return tracer.startActiveSpan('match names', (span) => {
    const matches: { record: DetaineeRecord; type: MatchType }[] = [];
    for (const record of candidates) {
      const type = matchName(criteria, record, fuzzy);
      if (type) matches.push({ record, type });
    }
    span.end();
    // Exact matches first.
    return matches.sort((a, b) => (a.type === b.type ? 0 : a.type === 'exact' ? -1 : 1));
  });
}

function upstreamFailure(error: unknown, language: Language) {
  if (!(error instanceof UpstreamError)) throw error;
  currentToolCall()?.setOutcome('upstream_failure');
  return text(MESSAGES[language].upstream, true);
}

export function registerLocatorTools(server: McpServer, upstream: UpstreamClient): void {
  const language = z.enum(languages).optional();

  server.registerTool(
    'search_detainee_by_name',
    {
      description: 'Search for a person in immigration detention by name, date and country of birth.',
      inputSchema: {
        first_name: z.string().min(1),
        last_name: z.string().min(1),
        date_of_birth: z.string().optional(),
        country_of_birth: z.string().min(1),
        middle_name: z.string().optional(),
        language,
        fuzzy_search: z.boolean().optional(),
      },
    },
    async (args) => {
      const lang = args.language ?? 'en';
      const call = currentToolCall();
      call?.setResultAttribute('language', lang);
      try {
        const criteria = tracer.startActiveSpan('normalise criteria', (span) => {
          const normalised = {
            ...args,
            date_of_birth: args.date_of_birth ? normaliseDob(args.date_of_birth) : undefined,
          };
          span.end();
          return normalised;
        });
        const matches = await findByName(upstream, criteria, args.fuzzy_search ?? true);
        call?.setResultCount(matches.length);
        call?.setResultAttribute('match_type', matches[0]?.type ?? 'none');
        if (matches.length === 0) {
          call?.setOutcome('no_match');
          return text(MESSAGES[lang].none);
        }
        return text(
          [MESSAGES[lang].found(matches.length), ...matches.map((m) => describe(m.record, lang))].join('\n'),
        );
      } catch (error) {
        return upstreamFailure(error, lang);
      }
    },
  );

  server.registerTool(
    'search_detainee_by_alien_number',
    {
      description: 'Search for a person in immigration detention by A-number (alien registration number).',
      inputSchema: { alien_number: z.string().min(1), language },
    },
    async (args) => {
      const lang = args.language ?? 'en';
      const call = currentToolCall();
      call?.setResultAttribute('language', lang);
      const canonical = parseAlienNumber(args.alien_number);
      call?.setResultAttribute('format_valid', canonical !== undefined);
      if (!canonical) {
        call?.setOutcome('rejected');
        return text(MESSAGES[lang].invalidNumber, true);
      }
      try {
        const record = await upstream.byAlienNumber(canonical);
        call?.setResultCount(record ? 1 : 0);
        if (!record) {
          call?.setOutcome('no_match');
          return text(MESSAGES[lang].none);
        }
        return text(describe(record, lang));
      } catch (error) {
        return upstreamFailure(error, lang);
      }
    },
  );

  server.registerTool(
    'smart_detainee_search',
    {
      description: 'Search from a natural-language request in English or Spanish.',
      inputSchema: {
        query: z.string().min(1),
        context: z.string().optional(),
        suggest_corrections: z.boolean().optional(),
        language,
      },
    },
    async (args) => {
      const call = currentToolCall();
      const parsed = tracer.startActiveSpan('parse query', (span) => {
        const result = parseNaturalQuery(args.query);
        span.end();
        return result;
      });
      const lang = args.language ?? parsed.language;
      call?.setResultAttribute('query_language', parsed.language);
      try {
        if (parsed.alien_number) {
          call?.setResultAttribute('parse_success', true);
          const record = await upstream.byAlienNumber(parsed.alien_number);
          call?.setResultCount(record ? 1 : 0);
          call?.setResultAttribute('match_type', record ? 'exact' : 'none');
          if (!record) call?.setOutcome('no_match');
          return text(record ? describe(record, lang) : MESSAGES[lang].none);
        }
        if (parsed.first_name && parsed.last_name && parsed.country_of_birth) {
          call?.setResultAttribute('parse_success', true);
          const matches = await findByName(
            upstream,
            {
              first_name: parsed.first_name,
              last_name: parsed.last_name,
              date_of_birth: parsed.date_of_birth,
              country_of_birth: parsed.country_of_birth,
            },
            args.suggest_corrections ?? true,
          );
          call?.setResultCount(matches.length);
          call?.setResultAttribute('match_type', matches[0]?.type ?? 'none');
          if (matches.length === 0) call?.setOutcome('no_match');
          return text(
            matches.length ? matches.map((m) => describe(m.record, lang)).join('\n') : MESSAGES[lang].none,
          );
        }
        call?.setResultAttribute('parse_success', false);
        call?.setOutcome('rejected');
        return text(MESSAGES[lang].notUnderstood, true);
      } catch (error) {
        return upstreamFailure(error, lang);
      }
    },
  );

  const bulkRequest = z.object({
    first_name: z.string().optional(),
    last_name: z.string().optional(),
    date_of_birth: z.string().optional(),
    country_of_birth: z.string().optional(),
    alien_number: z.string().optional(),
  });
  server.registerTool(
    'bulk_search_detainees',
    {
      description: 'Run several searches at once (at most 5 in parallel, politely).',
      inputSchema: {
        search_requests: z.array(bulkRequest).min(1).max(50),
        max_concurrent: z.number().int().min(1).max(5).optional(),
        continue_on_error: z.boolean().optional(),
      },
    },
    async (args) => {
      const call = currentToolCall();
      const limit = pLimit(args.max_concurrent ?? 3);
      let failed = 0;
      let found = 0;
      const lines = await Promise.all(
        args.search_requests.map((request, index) =>
          limit(async () => {
            try {
              const canonical = request.alien_number ? parseAlienNumber(request.alien_number) : undefined;
              if (canonical) {
                const record = await upstream.byAlienNumber(canonical);
                if (record) found++;
                return `${index + 1}. ${record ? describe(record, 'en') : MESSAGES.en.none}`;
              }
              if (request.first_name && request.last_name && request.country_of_birth) {
                const matches = await findByName(upstream, request as NameCriteria, true);
                found += matches.length;
                return `${index + 1}. ${matches.length ? matches.map((m) => describe(m.record, 'en')).join('; ') : MESSAGES.en.none}`;
              }
              failed++;
              return `${index + 1}. incomplete request`;
            } catch (error) {
              failed++;
              if (!args.continue_on_error) throw error;
              return `${index + 1}. ${MESSAGES.en.upstream}`;
            }
          }),
        ),
      ).catch((error: unknown) => error);
      call?.setResultAttribute('failed', failed);
      if (!Array.isArray(lines)) return upstreamFailure(lines, 'en');
      call?.setResultCount(found);
      if (found === 0) call?.setOutcome('no_match');
      return text(lines.join('\n'));
    },
  );

  server.registerTool(
    'generate_search_report',
    {
      description: 'Write a report of a search for a lawyer, an advocate or a family.',
      inputSchema: {
        search_criteria: z.record(z.string(), z.unknown()),
        results: z.array(z.unknown()),
        report_type: z.enum(['legal', 'advocacy', 'family']),
        format: z.enum(['markdown', 'json']).optional(),
      },
    },
    async (args) => {
      const titles = {
        legal: 'Detention search record (legal)',
        advocacy: 'Detention search summary (advocacy)',
        family: 'What we found',
      };
      const generated = new Date().toISOString();
      if (args.format === 'json') {
        return text(
          JSON.stringify(
            {
              title: titles[args.report_type],
              generated,
              criteria: args.search_criteria,
              results: args.results,
            },
            null,
            2,
          ),
        );
      }
      const criteria = Object.entries(args.search_criteria).map(
        ([key, value]) => `- ${key}: ${String(value)}`,
      );
      const results = args.results.length
        ? args.results.map((r, i) => `${i + 1}. ${typeof r === 'string' ? r : JSON.stringify(r)}`)
        : ['No results.'];
      currentToolCall()?.setResultCount(args.results.length);
      return text(
        [
          `# ${titles[args.report_type]}`,
          `Generated ${generated}`,
          '## Search criteria',
          ...criteria,
          '## Results',
          ...results,
        ].join('\n'),
      );
    },
  );
}

/** A date of birth in any form the matcher understands, as ISO; unknown forms pass unchanged. */
function normaliseDob(value: string): string {
  const parsed = parseNaturalQuery(value).date_of_birth;
  return parsed ?? value;
}
