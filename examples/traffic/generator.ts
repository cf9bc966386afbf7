// Simulated AI agents for the reference server: real MCP clients over Streamable HTTP that report
// themselves as the assistants people use, search in English and Spanish along realistic journeys,
// make typos and malformed requests, and (profile `enumeration`) one principal probing many A-numbers,
// which the abuse alert must catch. Bounded in rate, duration and count; talks only to the URL given.
//
//   node examples/traffic/generator.ts --url http://127.0.0.1:8080/mcp --token T [--rate 2] [--duration 60]
//     [--sessions N] [--seed S] [--mix family=4,lawyer=3,typo=2,bulk=1,enumeration=0]
//     [--enumeration-token T2] [--agents N]
//
// With --agents N (TRAFFIC_AGENTS) the ordinary journeys come from N principals in turn, each presenting
// a token derived from --token (the server's `label*N:secret` pool): many families and lawyers, as in real
// use, so none of them looks up enough people to look like enumeration. The enumeration journey keeps its
// own token (--enumeration-token). TRAFFIC_TOKEN and TRAFFIC_ENUMERATION_TOKEN may instead name files
// (TRAFFIC_TOKEN_FILE, TRAFFIC_ENUMERATION_TOKEN_FILE; see ../env-secret.ts).
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import seedrandom from 'seedrandom';
import { agentToken } from '../detainee-locator/agent-pool.ts';
import { type DetaineeRecord, syntheticDetainees } from '../detainee-locator/dataset.ts';
import { SPANISH_MONTHS } from '../detainee-locator/matching.ts';
import { EnvSecretError, envSecret } from '../env-secret.ts';

/** How assistants report themselves in `clientInfo` (name, version). */
export const CLIENTS: ReadonlyArray<{ name: string; version: string }> = [
  { name: 'claude-ai', version: '0.1.0' },
  { name: 'Claude Desktop', version: '1.2.3' },
  { name: 'cursor-vscode', version: '1.0.0' },
  { name: 'Visual Studio Code', version: '1.106.0' },
  { name: 'windsurf-client', version: '0.9.2' },
  { name: 'mcp-inspector', version: '0.17.0' },
];

/**
 * Protocol revisions the agents ask for in `initialize`, as clients of different ages do; the server
 * answers with the revision it supports, and the kit records the negotiated one.
 */
export const PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;

export type Journey = 'family' | 'lawyer' | 'typo' | 'bulk' | 'enumeration';
export const DEFAULT_MIX: Record<Journey, number> = {
  family: 4,
  lawyer: 3,
  typo: 2,
  bulk: 1,
  enumeration: 0,
};

export interface TrafficOptions {
  url: string;
  token: string;
  /**
   * Ordinary journeys spread over this many principals: session k is agent (k mod agents) + 1, whose
   * bearer token is derived from `token` (examples/detainee-locator/agent-pool.ts). Absent or 1: every
   * ordinary session presents `token` itself.
   */
  agents?: number;
  /** Token of the enumerating principal; defaults to `token`. */
  enumerationToken?: string;
  /** New sessions per second. */
  rate?: number;
  /** Stop starting sessions after this many seconds. */
  durationSeconds?: number;
  /** Stop after this many sessions (whichever comes first). */
  sessions?: number;
  seed?: string;
  mix?: Partial<Record<Journey, number>>;
  /** Called after each session. */
  onProgress?: (summary: TrafficSummary) => void;
}

export interface TrafficSummary {
  sessions: number;
  completed: number;
  failed: number;
  calls: number;
  toolErrors: number;
  journeys: Record<Journey, number>;
  clients: Record<string, number>;
  protocolVersions: Record<string, number>;
}

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function weighted(rng: () => number, mix: Record<Journey, number>): Journey {
  const entries = Object.entries(mix).filter(([, weight]) => weight > 0) as [Journey, number][];
  let roll = rng() * entries.reduce((total, [, weight]) => total + weight, 0);
  for (const [journey, weight] of entries) {
    roll -= weight;
    if (roll < 0) return journey;
  }
  return entries[0]?.[0] ?? 'family';
}

function typo(rng: () => number, word: string): string {
  const at = 1 + Math.floor(rng() * (word.length - 2));
  return word.slice(0, at) + word.slice(at + 1, at + 2) + word.slice(at, at + 1) + word.slice(at + 2);
}

function spanishQuery(record: DetaineeRecord): string {
  const [year, month, day] = record.date_of_birth.split('-').map(Number);
  return `Busco a mi hermano ${record.first_name} ${record.last_name}, nacido el ${day} de ${SPANISH_MONTHS[(month ?? 1) - 1]} de ${year} en ${record.country_of_birth}`;
}

/** One agent's session: connect as an assistant, walk a journey, disconnect. Returns calls made. */
async function runSession(
  sessionIndex: number,
  journey: Journey,
  rng: () => number,
  records: DetaineeRecord[],
  options: TrafficOptions,
  summary: TrafficSummary,
): Promise<void> {
  const clientInfo =
    journey === 'enumeration' ? { name: 'bulk-probe', version: '0.0.1' } : pick(rng, CLIENTS);
  summary.clients[clientInfo.name] = (summary.clients[clientInfo.name] ?? 0) + 1;
  const token =
    journey === 'enumeration'
      ? (options.enumerationToken ?? options.token)
      : (options.agents ?? 1) > 1
        ? agentToken(options.token, (sessionIndex % (options.agents ?? 1)) + 1)
        : options.token;
  const client = new Client(clientInfo);
  const transport = new StreamableHTTPClientTransport(new URL(options.url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  // The SDK client always asks for its latest revision; an older client would ask for its own.
  const protocolVersion = pick(rng, PROTOCOL_VERSIONS);
  const send = transport.send.bind(transport);
  transport.send = (message, sendOptions) => {
    if ('method' in message && message.method === 'initialize' && message.params) {
      message.params.protocolVersion = protocolVersion;
    }
    return send(message, sendOptions);
  };
  summary.protocolVersions[protocolVersion] = (summary.protocolVersions[protocolVersion] ?? 0) + 1;
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown>) => {
    summary.calls++;
    const result = (await client.callTool({ name, arguments: args }).catch(() => ({ isError: true }))) as {
      isError?: boolean;
    };
    if (result.isError) summary.toolErrors++;
  };
  const someone = pick(rng, records);
  try {
    await client.listTools();
    switch (journey) {
      case 'family':
        await call('smart_detainee_search', { query: spanishQuery(someone), language: 'es' });
        if (rng() < 0.5) {
          await call('search_detainee_by_name', {
            first_name: someone.first_name,
            last_name: someone.last_name,
            country_of_birth: someone.country_of_birth,
            language: 'es',
            fuzzy_search: true,
          });
        }
        await call('generate_search_report', {
          search_criteria: { country_of_birth: someone.country_of_birth },
          results: ['match'],
          report_type: 'family',
          format: 'markdown',
        });
        break;
      case 'lawyer':
        await call('search_detainee_by_alien_number', { alien_number: someone.alien_number, language: 'en' });
        await call('generate_search_report', {
          search_criteria: {},
          results: ['match'],
          report_type: 'legal',
          format: 'json',
        });
        break;
      case 'typo':
        await call('search_detainee_by_name', {
          first_name: someone.first_name,
          last_name: typo(rng, someone.last_name),
          date_of_birth: someone.date_of_birth,
          country_of_birth: someone.country_of_birth,
        });
        await call('search_detainee_by_alien_number', {
          alien_number: `A${someone.alien_number.slice(1, 6)}`,
        });
        break;
      case 'bulk':
        await call('bulk_search_detainees', {
          search_requests: Array.from({ length: 5 }, () => ({
            alien_number: pick(rng, records).alien_number,
          })),
          max_concurrent: 3,
          continue_on_error: true,
        });
        break;
      case 'enumeration': {
        // One principal walking consecutive A-numbers: what the enumeration alert exists to catch.
        const start = Number(someone.alien_number.slice(1));
        for (let step = 0; step < 25; step++) {
          await call('search_detainee_by_alien_number', {
            alien_number: `A${String(start + step).padStart(9, '0')}`,
          });
        }
        break;
      }
    }
    summary.completed++;
  } catch {
    summary.failed++;
  } finally {
    // A well-behaved client ends its session (HTTP DELETE), so the server records the session's
    // duration and calls; closing the transport alone leaves the session open on the server.
    await transport.terminateSession().catch(() => undefined);
    await client.close().catch(() => undefined);
  }
}

export async function runTraffic(options: TrafficOptions): Promise<TrafficSummary> {
  // Seeded means reproducible: the journeys come from one stream and each session draws from a stream
  // of its own (seed and index), so however the concurrent sessions interleave, the same seed gives the
  // same journeys, clients and arguments.
  const seed = options.seed ?? 'traffic';
  const journeys = seedrandom(`${seed}:journeys`);
  const records = syntheticDetainees();
  // A mix names the journeys it wants; the ones it leaves out do not run.
  const given = options.mix && Object.keys(options.mix).length > 0;
  const mix = given
    ? { family: 0, lawyer: 0, typo: 0, bulk: 0, enumeration: 0, ...options.mix }
    : DEFAULT_MIX;
  const rate = options.rate ?? 2;
  const deadline = Date.now() + (options.durationSeconds ?? 60) * 1000;
  const maxSessions = options.sessions ?? Number.POSITIVE_INFINITY;
  const summary: TrafficSummary = {
    sessions: 0,
    completed: 0,
    failed: 0,
    calls: 0,
    toolErrors: 0,
    journeys: { family: 0, lawyer: 0, typo: 0, bulk: 0, enumeration: 0 },
    clients: {},
    protocolVersions: {},
  };
  const running: Promise<void>[] = [];
  while (summary.sessions < maxSessions && Date.now() < deadline) {
    const journey = weighted(journeys, mix);
    const index = summary.sessions;
    summary.sessions++;
    summary.journeys[journey]++;
    const rng = seedrandom(`${seed}:session:${index}`);
    const session = runSession(index, journey, rng, records, options, summary).then(() =>
      options.onProgress?.(summary),
    );
    running.push(session);
    await new Promise((resolve) => setTimeout(resolve, 1000 / rate));
  }
  await Promise.all(running);
  return summary;
}

function parseMix(text: string | undefined): Partial<Record<Journey, number>> {
  if (!text) return {};
  return Object.fromEntries(
    text
      .split(',')
      .map((pair) => pair.split('='))
      .map(([key, value]) => [key, Number(value)]),
  );
}

/** A token from its variable or its `_FILE` twin; one line and exit 1 when that file cannot be read. */
function secret(name: string): string | undefined {
  try {
    return envSecret(name);
  } catch (error) {
    if (!(error instanceof EnvSecretError)) throw error;
    console.error(`traffic: ${error.message}`);
    process.exit(1);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: process.env.TRAFFIC_URL ?? 'http://127.0.0.1:8080/mcp' },
      token: { type: 'string', default: secret('TRAFFIC_TOKEN') },
      agents: { type: 'string', default: process.env.TRAFFIC_AGENTS },
      'enumeration-token': { type: 'string', default: secret('TRAFFIC_ENUMERATION_TOKEN') },
      rate: { type: 'string', default: process.env.TRAFFIC_RATE ?? '2' },
      duration: { type: 'string', default: process.env.TRAFFIC_DURATION ?? '60' },
      sessions: { type: 'string', default: process.env.TRAFFIC_SESSIONS },
      seed: { type: 'string', default: process.env.TRAFFIC_SEED ?? 'traffic' },
      mix: { type: 'string', default: process.env.TRAFFIC_MIX },
    },
  });
  if (!values.token) throw new Error('--token (or TRAFFIC_TOKEN) is required');
  const summary = await runTraffic({
    url: values.url,
    token: values.token,
    ...(values.agents ? { agents: Number(values.agents) } : {}),
    ...(values['enumeration-token'] ? { enumerationToken: values['enumeration-token'] } : {}),
    rate: Number(values.rate),
    durationSeconds: Number(values.duration),
    ...(values.sessions ? { sessions: Number(values.sessions) } : {}),
    seed: values.seed,
    mix: parseMix(values.mix),
    onProgress: (s) =>
      process.stderr.write(
        `\rsessions ${s.completed + s.failed}/${s.sessions}  calls ${s.calls}  tool errors ${s.toolErrors}`,
      ),
  });
  process.stderr.write('\n');
  console.log(JSON.stringify(summary));
}
