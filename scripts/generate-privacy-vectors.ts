// `npm run generate` (with the collector's privacy config): writes test/vectors/privacy.json, the privacy
// layer 1 test vectors both languages read. Inputs (texts with every PII pattern in many formats, the
// generated canary corpus's records, percent-encoding, Unicode forms, tainted arguments, ids to
// pseudonymise) and what the TypeScript library makes of them; python/tests check that the Python package
// makes exactly the same, byte for byte (issue #22).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PrivacyGuard } from '../src/privacy/guard.ts';
import { Pseudonymizer } from '../src/privacy/pseudonymizer.ts';
import { scrubText, TaintRegistry } from '../src/privacy/scrubber.ts';
import { generateCanaryCorpus } from '../test/support/canary-corpus.ts';
import { repoRoot } from './provision/cache.ts';

export const privacyVectorsPath = path.join(repoRoot, 'test/vectors/privacy.json');

/** A fixed key and clock: the pseudonyms of one period, 2026-12-07 UTC. */
const PSEUDONYM_SECRET = 'privacy-vectors-secret-0123456789abcdef';
const NOW_MS = Date.UTC(2026, 11, 7, 12);

/** Texts with every pattern, in isolation, in sentences, and at the edges of what the patterns take. */
const TEXTS = [
  'no match for ana.lopez@example.org, born 1987-03-04',
  'A-123-456-789',
  'a#12345678',
  'call (555) 123-4567 or +1 555 123 4567',
  'from 10.0.0.1 and fe80:0:1:2 and 2001:db8::1',
  'born 3 de marzo de 1987, or March 3rd, 1987, or 04.03.1987, or 1/1/00',
  'Authorization: Bearer abc.def-ghi',
  'token user_ABCDEFGHIJKLMNOP',
  'Created new transport with session ID: a233027a99284a4c91a2e19c6cd4748f',
  'Terminating session: 1A497F6F-4B57-4164-B107-5FF0C0EBA3BA; trace abcdefabcdefabcdefabcdefabcdefab',
  'sha 0123456789abcdef0123456789abcdef0, ps_a233027a99284a4c91a2e19c6cd4748f',
  'ref 1 2 3 4 5 6 7 and 1234567',
  '123456',
  'tools/call search_detainee_by_name',
  'search%20for%20ana%40example.org',
  '100%G a%20b',
  'broken %E0%A4%A utf-8',
  'plus+sign%20and+space',
  'Ünïcödé 12/03/1990 ok',
  'call\u00a0555\u00a0123\u00a04567',
  '٥٥٥١٢٣٤٥٦٧ arabic digits',
  'ﾀﾛｳ 1990/3/4',
  '',
];

export function renderPrivacyVectors(): string {
  const corpus = generateCanaryCorpus({ records: 24 });
  const texts = [
    ...TEXTS,
    ...corpus.records.flatMap((record) => [
      ...record.queries,
      ...record.detainee.alien_number_formats.map((anumber) => `A-number ${anumber}`),
      ...record.detainee.date_of_birth_formats.map((dob) => `born ${dob}`),
      `${record.searcher.name} <${record.searcher.email}> ${record.searcher.phone} from ${record.searcher.ip}`,
    ]),
  ];
  const pseudonymizer = new Pseudonymizer({ secret: PSEUDONYM_SECRET, now: () => NOW_MS });
  const ids = [
    ['session', 'a30e7b411f823d86be06dcb6555d6bdf'],
    ['principal', 'agent-7'],
    ['principal', 'María José'],
    ['mcp.session.id', ''],
    ['lookup', 'A123456789'],
  ];
  const taintCases = corpus.records.slice(0, 12).map((record) => {
    const taint = new TaintRegistry();
    const { first_name, middle_name, last_name, country_of_birth } = record.detainee;
    const args = { first_name, last_name, query: record.queries[0] ?? '' };
    taint.add(args);
    const text =
      `No record for ${first_name.toUpperCase()} ${middle_name} ${last_name.normalize('NFD')} ` +
      `(${country_of_birth}), asked by ${record.searcher.name}: ${record.queries[1] ?? ''}`;
    return { arguments: args, text, scrubbed: scrubText(text, taint) };
  });
  // Attribute sets through the allow-list: every treatment (dropped, closed set, pseudonymised, shaped,
  // in shape or not, scrubbed), numbers, booleans and lists, the count and length limits.
  const guard = new PrivacyGuard({
    secret: PSEUDONYM_SECRET,
    now: () => NOW_MS,
    knownClients: ['family-agent'],
  });
  const attributeCases: { location: 'record' | 'resource'; attributes: Record<string, unknown> }[] = [
    {
      location: 'record',
      attributes: {
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'search_detainee_by_name',
        'error.type': 'TimeoutError',
        'http.route': '/callback/555-123-4567',
        'mcp.session.id': 'raw-session-1',
        'mcpkit.principal': 'ps_AbCdEfGhIjKlMnOpQrStUv',
        'mcpkit.client.name': 'family-agent',
        'mcpkit.arg.language': 'es',
        'mcpkit.arg.note': 'call 555 123 4567',
        'mcpkit.arg.tags': ['a', 'b 1234567'],
        'jsonrpc.request.id': 7,
        'mcpkit.result.count': 3,
        'mcpkit.body.scrubbed': true,
        'detainee.name': 'Maria Lopez',
      },
    },
    {
      location: 'record',
      attributes: {
        'mcp.method.name': 'find maria lopez',
        'error.type': 'not found, call 555-123-4567',
        'mcpkit.client.name': 'Maria family laptop',
        'jsonrpc.request.id': 'abc',
        'mcpkit.arg.note': 'Maria Lopez',
        'http.route': `/${'a'.repeat(300)}`,
        'mcp.protocol.version': '2025-06-18',
      },
    },
    {
      location: 'resource',
      attributes: {
        'service.name': 'detainee-locator',
        'service.instance.id': '135922fe-8b82-4991-88da-2ebf7793f62d',
        'host.name': 'maria-laptop',
        'enduser.id': 'maria@example.org',
      },
    },
    {
      location: 'resource',
      attributes: { 'service.name': 'locator', 'service.instance.id': 'host-555-123-4567' },
    },
    {
      location: 'record',
      attributes: Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`mcpkit.arg.k${i}`, 'v'])),
    },
  ];
  // Han names inside a longer run of the script, with no word boundary around them.
  const unspaced = new TaintRegistry();
  unspaced.add({ name: '王伟' });
  const vectors = {
    $comment:
      'GENERATED by scripts/generate-privacy-vectors.ts from the TypeScript library: do not edit. Regenerate with `npm run generate`; a test fails on drift. python/tests check the Python package against it.',
    knownClients: ['family-agent'],
    pseudonyms: {
      secret: PSEUDONYM_SECRET,
      nowMs: NOW_MS,
      cases: ids.map(([kind = '', id = '']) => ({ kind, id, pseudonym: pseudonymizer.pseudonym(kind, id) })),
    },
    scrub: texts.map((text) => ({ text, scrubbed: scrubText(text) })),
    attributes: attributeCases.map(({ location, attributes }) => ({
      location,
      attributes,
      sanitized: guard.sanitizeAttributes(attributes as never, location),
    })),
    taint: [
      ...taintCases,
      {
        arguments: { name: '王伟' },
        text: '我在找王伟的消息',
        scrubbed: scrubText('我在找王伟的消息', unspaced),
      },
    ],
  };
  return `${JSON.stringify(vectors, null, 2)}\n`;
}

if (import.meta.main) {
  writeFileSync(privacyVectorsPath, renderPrivacyVectors());
  console.log(`wrote ${path.relative(repoRoot, privacyVectorsPath)}`);
}
