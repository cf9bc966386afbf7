// `npm run generate`: writes collector/privacy.yaml, privacy layer 2's processors, from the one source
// of truth src/privacy/rules.json, so the collector enforces the same allow-lists and patterns as the
// library. The file is committed; test/unit/collector-privacy-generated.test.ts fails when it drifts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { PSEUDONYM_FORMAT } from '../src/privacy/pseudonymizer.ts';
import { repoRoot } from './provision/cache.ts';

export const privacyConfigPath = path.join(repoRoot, 'collector/privacy.yaml');

interface Rules {
  patterns: Record<string, string>;
  attributes: {
    resource: string[];
    record: string[];
    recordPrefixes: string[];
    pseudonymised: string[];
    shaped: { keys: Record<string, string> };
    values: Record<string, string[]>;
  };
  names: { shape: string };
  limits: { attributeValueLength: number; attributeCount: number };
}

/** The library's pseudonyms pass the collector as they are. */
const PSEUDONYM_SHAPE = PSEUDONYM_FORMAT.source;
const unanchored = (regex: string) => regex.replace(/^\^/, '').replace(/\$$/, '');
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A regex as an OTTL string literal. */
const ottl = (regex: string) => `"${regex.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const exactly = (keys: string[]) => `^(?:${keys.map(escapeRegex).join('|')})$`;

export async function renderCollectorPrivacy(): Promise<string> {
  const { default: rules } = (await import('../src/privacy/rules.json', { with: { type: 'json' } })) as {
    default: Rules;
  };
  const patterns = Object.entries(rules.patterns).map(([name, source]) => ({ name, regex: `(?i)${source}` }));
  const { attributeValueLength: maxLength, attributeCount: maxCount } = rules.limits;
  const scrub = (target: string) =>
    patterns.map(({ name, regex }) => `replace_pattern(${target}, ${ottl(regex)}, "[${name}]")`);
  // A name not in the safe shape is replaced whole: it may hold a person's name, which no pattern finds.
  const shape = ottl(rules.names.shape);
  const shaped = (target: string) => [
    ...scrub(target),
    `set(${target}, "[redacted]") where not IsMatch(${target}, ${shape})`,
  ];
  const shapedAttribute = (target: string) =>
    `set(${target}, "[redacted]") where ${target} != nil and not IsMatch(${target}, ${shape})`;
  const limits = (attributes: string) => [
    `limit(${attributes}, ${maxCount}, [])`,
    `truncate_all(${attributes}, ${maxLength})`,
  ];
  // Shaped keys bypass the redaction processors (their patterns would mangle a random UUID): a value
  // is kept in its shape or as a library pseudonym, and replaced otherwise.
  const shapedKeys = Object.keys(rules.attributes.shaped.keys);
  const resource = {
    context: 'resource',
    statements: [
      `keep_matching_keys(resource.attributes, ${ottl(exactly(rules.attributes.resource))})`,
      ...Object.entries(rules.attributes.shaped.keys).map(([key, keyShape]) => {
        const target = `resource.attributes[${ottl(key)}]`;
        const kept = ottl(`^(?:${unanchored(keyShape)}|${unanchored(PSEUDONYM_SHAPE)})$`);
        return `set(${target}, "[redacted]") where ${target} != nil and (not IsString(${target}) or not IsMatch(${target}, ${kept}))`;
      }),
    ],
  };
  // Scope attributes carry nothing an operator needs; scope names are free text.
  const scope = {
    context: 'scope',
    statements: ['delete_matching_keys(scope.attributes, ".*")', ...shaped('scope.name')],
  };
  const closedValues = Object.values(rules.attributes.values).flat();

  const config = {
    processors: {
      // Statements the redaction processor cannot express: the resource's stricter allow-list, free text
      // outside attributes (span, event and scope names, status messages), names kept only in a safe
      // shape, and size and count limits.
      'transform/privacy': {
        error_mode: 'ignore',
        trace_statements: [
          resource,
          scope,
          {
            context: 'span',
            statements: [
              'set(span.status.message, "")',
              ...shaped('span.name'),
              shapedAttribute('span.attributes["gen_ai.tool.name"]'),
              shapedAttribute('span.attributes["gen_ai.prompt.name"]'),
              ...limits('span.attributes'),
            ],
          },
          {
            context: 'spanevent',
            statements: [...shaped('spanevent.name'), ...limits('spanevent.attributes')],
          },
        ],
        log_statements: [resource, scope, { context: 'log', statements: limits('log.attributes') }],
        metric_statements: [
          resource,
          scope,
          { context: 'datapoint', statements: limits('datapoint.attributes') },
        ],
      },
      // Pattern masking for the keys the library exports per tool policy (mcpkit.arg.*, mcpkit.result.*),
      // whose names are not known here: every other key is ignored by this processor, and the next one
      // lets these keys through unchecked.
      'redaction/policy_keys': {
        allow_all_keys: true,
        ignored_keys: [...new Set([...rules.attributes.resource, ...rules.attributes.record])].sort(),
        blocked_values: patterns.map(({ regex }) => regex),
        redact_all_types: true,
        hash_function: 'hmac-sha256',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a collector environment reference, not JS
        hmac_key: '${env:MCP_KIT_COLLECTOR_HMAC_KEY}',
        summary: 'silent',
      },
      // Fail-closed attribute allow-list on resource, scope, span, span event, log (and log body maps)
      // and data point attributes; PII patterns in values (log bodies included) replaced by their keyed
      // HMAC; raw values under id keys replaced by their HMAC, while the library's pseudonyms pass.
      'redaction/privacy': {
        allow_all_keys: false,
        allowed_keys: [...new Set([...rules.attributes.resource, ...rules.attributes.record])].sort(),
        ignored_key_patterns: rules.attributes.recordPrefixes.map(
          (prefix) => `^${escapeRegex(prefix)}[a-z0-9_]+$`,
        ),
        ignored_keys: shapedKeys,
        blocked_key_patterns: rules.attributes.pseudonymised.map((key) => `^${escapeRegex(key)}$`),
        allowed_values: [PSEUDONYM_SHAPE, ...(closedValues.length ? [exactly(closedValues)] : [])],
        blocked_values: patterns.map(({ regex }) => regex),
        redact_all_types: true,
        hash_function: 'hmac-sha256',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a collector environment reference, not JS
        hmac_key: '${env:MCP_KIT_COLLECTOR_HMAC_KEY}',
        summary: 'silent',
      },
    },
  };
  return [
    '# GENERATED by scripts/generate-collector-privacy.ts from src/privacy/rules.json: do not edit.',
    '# Regenerate with `npm run generate`; a test fails when this file and its source disagree.',
    '# What: privacy layer 2, the processors transform/privacy, redaction/policy_keys and redaction/privacy.',
    '# Loaded by: the collector, after collector/config.yaml (--config=config.yaml --config=privacy.yaml).',
    '# Override: change src/privacy/rules.json and regenerate; never this file.',
    stringify(config, { lineWidth: 0, aliasDuplicateObjects: false }),
  ].join('\n');
}

if (import.meta.main) {
  writeFileSync(privacyConfigPath, await renderCollectorPrivacy());
  console.log(`wrote ${path.relative(repoRoot, privacyConfigPath)}`);
}
