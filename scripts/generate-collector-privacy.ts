// `npm run generate`: writes collector/privacy.yaml, privacy layer 2's processors, from the one source
// of truth src/privacy/rules.json, so the collector enforces the same allow-lists and patterns as the
// library. The file is committed; test/unit/collector-privacy-generated.test.ts fails when it drifts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { PSEUDONYM_FORMAT } from '../src/privacy/pseudonymizer.ts';
import { escapeRegex, unanchored, valueShapeSource } from '../src/privacy/rules.ts';
import { ATTR_MCPKIT_BODY_SCRUBBED, INSTRUMENTATION_SCOPE, METRIC_DESCRIPTIONS } from '../src/semconv.ts';
import { repoRoot } from './provision/cache.ts';

export const privacyConfigPath = path.join(repoRoot, 'collector/privacy.yaml');

export interface Rules {
  patterns: Record<string, string>;
  attributes: {
    resource: string[];
    record: string[];
    recordPrefixes: string[];
    pseudonymised: string[];
    shaped: { keys: Record<string, string> };
    values: { keys: Record<string, string[]> };
    formats: { keys: Record<string, string> };
    shapes: {
      patterns: Record<string, string>;
      keys: Record<string, string>;
      prefixes: Record<string, string>;
      everyKey: string;
    };
  };
  names: { shape: string; keys: string[]; knownFrom: Record<string, string> };
  conventions: {
    aliases: Record<string, string>;
    serverSpanNames: Record<string, string>;
    errorTypeFallback: string;
  };
  metrics: { namePrefixes: string[]; nameShape: string; units: string[]; deniedAttributes: string[] };
  limits: { attributeValueLength: number; attributeCount: number };
}

/** The library's pseudonyms pass the collector as they are. */
const PSEUDONYM_SHAPE = PSEUDONYM_FORMAT.source;
/** A regex as an OTTL string literal. */
const ottl = (regex: string) => `"${regex.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const exactly = (keys: string[]) => `^(?:${keys.map(escapeRegex).join('|')})$`;
/**
 * Anchored regexes as one: the redaction processor tries its allowed values one by one on every
 * attribute value and span name, and one pass over a joined regex costs less than several calls.
 */
const anyOf = (regexes: string[]) => `^(?:${regexes.map(unanchored).join('|')})$`;

/**
 * Cheap tests that spare text the PII patterns (each a full unanchored scan in Go's RE2: together
 * they took half the collector's CPU). Both are derived by hand from the patterns of rules.json, so they
 * live beside the generator, and test/unit/collector-privacy-prefilters.test.ts proves them against the
 * patterns: every match of any pattern holds two digits at most one [-./ whitespace] apart (the
 * dates, IPv4, A-number, phone and digit-run patterns), an `@` (email), a `:` (IPv6), `_` then 12
 * letters or digits (opaque id), `bearer` then whitespace (bearer token), or 12 hex digits in a row
 * (a hex id's last group); and is at least 5 characters long, or 6 without a `:`.
 */
export const PATTERN_PREFILTER = String.raw`(?i)\d[-\s./]?\d|[@:]|_[a-z0-9]{12}|bearer\s|[0-9a-f]{12}`;
/**
 * Stretches with no digit, `@`, `:`, `_` or whitespace, and never 12 of the letters a-f in a row (a hex
 * id's last group, which may hold no digit).
 */
const NO_DIGIT_NOR_HEX_ID = String.raw`(?:[a-f]{0,11}[^0-9a-f@:_\s])*[a-f]{0,11}`;
/**
 * Values no pattern can match, anchored (one pass instead of one scan per pattern): at most 4
 * characters, or 5 without a `:`, or no digit, `@`, `:` or whitespace, never `_` followed by 12
 * letters and never 12 of the letters a-f in a row. Among the redaction processors' allowed values, so
 * only such values skip the pattern masking; the id keys, whose raw values are hashed whole, are
 * therefore handled by a processor of their own. The flags are scoped to the group, so the other allowed
 * values it is joined with keep theirs.
 */
export const CANNOT_MATCH_A_PATTERN = String.raw`^(?is:.{0,4}|[^:]{5}|${NO_DIGIT_NOR_HEX_ID}(?:_[a-z]{0,11}(?:[^a-z0-9@:_\s]${NO_DIGIT_NOR_HEX_ID})?)*)$`;

/**
 * The PII patterns as one regex, for the redaction processors' `blocked_values`. The processor runs
 * its blocked values one after the other and replaces every match by its HMAC in hex, so with one entry per pattern
 * a later pattern found digits inside an earlier pattern's hash and hashed the hash again (chains of up
 * to 289 hex characters): a pseudonym must never be scrubbed twice. One pass of one regex never looks at
 * its own output. No library offers this (the processor has no placeholder or skip option), hence by hand.
 *
 * One pass decides overlaps by who starts first, where a pass per pattern lets an earlier pattern of the list
 * win: a run of digits could end inside a date (`1234567 12/03/1990` would leave `/03/1990`). So a match
 * goes on over what touches it: separators then another match or a word holding a digit, or characters
 * glued to it. Masking more next to a match is the safe side. test/unit/collector-privacy-prefilters.test.ts
 * proves on random text that this masks every character the passes one by one masked.
 */
export function patternsInOnePass(patterns: Record<string, string>): string {
  const any = `(?:${Object.values(patterns)
    .map((source) => `(?:${source})`)
    .join('|')})`;
  const separators = String.raw`[-\s./:,()#+@%_]*`;
  const wordWithDigit = String.raw`[0-9a-z_]*\d[0-9a-z_]*`;
  const glued = '[0-9a-z@.%+_]+';
  return `(?i)${any}(?:${separators}(?:${any}|${wordWithDigit})|${glued})*`;
}

/** How deep a log body map is kept: below, containers are dropped (OTTL has no recursion). */
const BODY_DEPTH = 3;

/** The OpenTelemetry schema URLs (https://opentelemetry.io/schemas/<version>), the only ones kept. */
const OTEL_SCHEMA_URL = String.raw`^(?:https://opentelemetry\.io/schemas/[0-9]+\.[0-9]+\.[0-9]+)?$`;
/** Severity texts of the log data model and the common logging libraries, case-insensitive. */
const SEVERITY_TEXT =
  '^(?i:(?:trace|debug|info|notice|warn|warning|error|err|fatal|critical|crit|alert|emerg|emergency)[0-9]?)?$';
/** The application's metric namespaces, from the collector's environment (empty: none). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a collector environment reference, not JS
const OPERATOR_METRIC_PREFIXES = '${env:MCP_KIT_METRIC_PREFIXES:-}';

/**
 * The decisions about string values, grouped by shape: a regex of the keys of each group, and the shape
 * their values must fit (none for the keys decided elsewhere: closed sets, formats, id keys, names,
 * which take any string here and are checked after). The keys with any string come first, then the
 * largest groups, so the common keys are decided in the fewest steps.
 */
function valueGroups(rules: Rules): { keys: string; shape?: string }[] {
  const { attributes, names } = rules;
  const anyString = [
    ...Object.keys(attributes.values.keys),
    ...Object.keys(attributes.formats.keys),
    ...attributes.pseudonymised,
    ...Object.keys(attributes.shaped.keys),
    ...names.keys,
  ].map(escapeRegex);
  const byShape = new Map<string, string[]>();
  const add = (shape: string, keyRegex: string) =>
    byShape.set(shape, [...(byShape.get(shape) ?? []), keyRegex]);
  for (const [key, shape] of Object.entries(attributes.shapes.keys)) add(shape, escapeRegex(key));
  for (const [prefix, shape] of Object.entries(attributes.shapes.prefixes))
    add(shape, `${escapeRegex(prefix)}[a-z0-9_]+`);
  return [
    { keys: `^(?:${anyString.join('|')})$` },
    ...[...byShape]
      .sort(([, a], [, b]) => b.length - a.length)
      .map(([shape, keys]) => ({ keys: `^(?:${keys.join('|')})$`, shape: valueShapeSource(shape) })),
  ];
}

/** The same decisions as one regex over `key=value` (for tests in JavaScript, with the `s` flag). */
export function keptStringRegex(rules: Rules): string {
  const groups = valueGroups(rules);
  const alternatives = groups.map(
    ({ keys, shape }) => `(?:${unanchored(keys)})=${shape ? `(?:${unanchored(shape)})` : '.*'}`,
  );
  const everyKey = `(?:${groups.map(({ keys }) => unanchored(keys)).join('|')})=(?:${unanchored(rules.attributes.shapes.everyKey)})`;
  return `^(?:${[...alternatives, everyKey].join('|')})$`;
}

/**
 * An OTTL condition on an attribute's key and value: true when the value has a decision. Small regexes
 * per group rather than one over `key=value`: Go runs a large regex on its slow NFA engine, and it
 * halved the collector's throughput; a small one runs on its one-pass or backtracking engines.
 */
function keptValueOf(rules: Rules): (key: string, value: string) => string {
  const groups = valueGroups(rules);
  return (key, value) => {
    const decided = groups.map(({ keys, shape }) =>
      shape
        ? `(IsMatch(${key}, ${ottl(keys)}) and IsMatch(${value}, ${ottl(shape)}))`
        : `IsMatch(${key}, ${ottl(keys)})`,
    );
    return `(IsString(${value}) and (IsMatch(${value}, ${ottl(rules.attributes.shapes.everyKey)}) or ${decided.join(' or ')})) or IsInt(${value}) or IsDouble(${value}) or IsBool(${value})`;
  };
}

export async function renderCollectorPrivacy(): Promise<string> {
  const { default: rules } = (await import('../src/privacy/rules.json', { with: { type: 'json' } })) as {
    default: Rules;
  };
  const keptValue = keptValueOf(rules);
  const VERSION_SHAPE = valueShapeSource('version');
  const patterns = Object.entries(rules.patterns).map(([name, source]) => ({ name, regex: `(?i)${source}` }));
  const blockedValues = [patternsInOnePass(rules.patterns)];
  const { attributeValueLength: maxLength, attributeCount: maxCount } = rules.limits;
  // A statement group of its own, so the patterns run only on names the prefilter lets through.
  const scrub = (context: string, target: string) => ({
    context,
    conditions: [`IsMatch(${target}, ${ottl(PATTERN_PREFILTER)})`],
    statements: patterns.map(({ name, regex }) => `replace_pattern(${target}, ${ottl(regex)}, "[${name}]")`),
  });
  // A name not in the safe shape is replaced whole: it may hold a person's name, which no pattern finds.
  const shape = ottl(rules.names.shape);
  const shapeCheck = (target: string) =>
    `set(${target}, "[redacted]") where not IsMatch(${target}, ${shape})`;
  // A map or list under an allowed key would carry anything past the allow-list (the redaction processor
  // checks top-level string values): flattened into `key.sub` and `key.0` keys, which the allow-list drops.
  // Then one pass keeps only what has a decision: numbers and booleans, and strings in their key's shape
  // (rules.json `attributes.shapes`; keys decided elsewhere, closed sets, formats, id keys, names, take
  // any string here and are checked after). Bytes are dropped: the redaction processor reads them as
  // base64, where no pattern finds the text they hold, and OTTL has no IsBytes, so what is kept is named.
  // `Filter` is a lambda, behind the feature gate ottl.functions.enableLambda: a collector without the
  // gate refuses the configuration rather than run without the statement.
  const decidedAttributes = (attributes: string) => [
    `flatten(${attributes})`,
    // Rebuilt only when something must go: the test alone costs less than copying every map.
    `set(${attributes}, Filter(${attributes}, (k, v) => ${keptValue('k', 'v')})) where Any(${attributes}, (k, v) => not (${keptValue('k', 'v')}))`,
  ];
  // Log bodies. Text is free, and no pattern finds a name in a sentence: a body passes as text, or as a
  // list, only from a process whose privacy layer 1 scrubbed it (ATTR_MCPKIT_BODY_SCRUBBED on the record), and is
  // `[redacted]` otherwise. Maps are cleaned like attributes, at every level down to BODY_DEPTH: values
  // in their key's shape, numbers and booleans; lists inside them keep numbers and booleans; deeper
  // containers and bytes are dropped wherever they are.
  const scalar = (value: string) => `IsInt(${value}) or IsDouble(${value}) or IsBool(${value})`;
  const cleanMap = (map: string, depth: number): string => {
    const [key, value, item] = [`k${depth}`, `v${depth}`, `w${depth}`];
    if (depth === BODY_DEPTH) return `Filter(${map}, (${key}, ${value}) => ${keptValue(key, value)})`;
    const entries = `Filter(${map}, (${key}, ${value}) => ${keptValue(key, value)} or IsMap(${value}) or IsList(${value}))`;
    const list = `Filter(${item}, (_, e${depth}) => ${scalar(`e${depth}`)})`;
    return `MapEach(${entries}, (_, ${item}) => When(() => IsMap(${item}), ${cleanMap(item, depth + 1)}, When(() => IsList(${item}), ${list}, ${item})))`;
  };
  const unscrubbed = `log.attributes[${ottl(ATTR_MCPKIT_BODY_SCRUBBED)}] != true`;
  const logBody = [
    `set(log.body, "[redacted]") where log.body != nil and not (IsMap(log.body) or ${scalar('log.body')}) and ${unscrubbed}`,
    `set(log.body, "") where log.body != nil and not (IsString(log.body) or IsMap(log.body) or IsList(log.body) or ${scalar('log.body')})`,
    `set(log.body, Filter(log.body, (_, e) => IsString(e) or ${scalar('e')})) where IsList(log.body)`,
    `set(log.body, ${cleanMap('log.body', 1)}) where IsMap(log.body)`,
  ];
  const limits = (attributes: string) => [
    `limit(${attributes}, ${maxCount}, [])`,
    `truncate_all(${attributes}, ${maxLength})`,
  ];
  // Shaped keys bypass the redaction processors (their patterns would mangle a random UUID): a value
  // is kept in its shape or as a library pseudonym, and replaced otherwise.
  const shapedKeys = Object.keys(rules.attributes.shaped.keys);
  // Schema URLs are the producer's text: only the OpenTelemetry schema family passes.
  const schemaUrl = (target: string) =>
    `set(${target}, "") where not IsMatch(${target}, ${ottl(OTEL_SCHEMA_URL)})`;
  const resource = {
    context: 'resource',
    statements: [
      schemaUrl('resource.schema_url'),
      ...decidedAttributes('resource.attributes'),
      `keep_matching_keys(resource.attributes, ${ottl(exactly(rules.attributes.resource))})`,
      ...Object.entries(rules.attributes.shaped.keys).map(([key, keyShape]) => {
        const target = `resource.attributes[${ottl(key)}]`;
        const kept = ottl(`^(?:${unanchored(keyShape)}|${unanchored(PSEUDONYM_SHAPE)})$`);
        return `set(${target}, "[redacted]") where ${target} != nil and (not IsString(${target}) or not IsMatch(${target}, ${kept}))`;
      }),
    ],
  };
  // Scope attributes carry nothing an operator needs; scope names and versions are free text.
  const scope = [
    scrub('scope', 'scope.name'),
    // A version the patterns find something in ("123.456.789" is an A-number) fails the shape below.
    scrub('scope', 'scope.version'),
    {
      context: 'scope',
      statements: [
        'delete_matching_keys(scope.attributes, ".*")',
        shapeCheck('scope.name'),
        schemaUrl('scope.schema_url'),
        `set(scope.version, "") where not IsMatch(scope.version, ${ottl(VERSION_SHAPE)})`,
      ],
    },
  ];
  const closedSets = rules.attributes.values.keys;
  const closedValues = Object.values(closedSets).flat();
  // A value outside its key's closed set becomes `other`, as in the library (PrivacyGuard.closedValue).
  // The client names the operator adds (MCP_KIT_KNOWN_CLIENTS, `|`-separated, read by both layers) join
  // the set; unset, the empty alternative only lets an empty name through.
  const closedSetRegex = (key: string, values: string[]) =>
    key === 'mcpkit.client.name'
      ? `^(?:${values.map(escapeRegex).join('|')}|\${env:MCP_KIT_KNOWN_CLIENTS:-})$`
      : exactly(values);
  // Tool and prompt names: the operator's list (rules.json names.knownFrom), else `(unknown)`, the value
  // the library gives a name its server does not define. Unset, only an empty name passes.
  const knownNames = Object.entries(rules.names.knownFrom).filter(([key]) => !key.startsWith('$'));
  const closeValues = (attributes: string) => [
    ...knownNames.map(([key, variable]) => {
      const target = `${attributes}[${ottl(key)}]`;
      return `set(${target}, "(unknown)") where ${target} != nil and (not IsString(${target}) or not IsMatch(${target}, ${ottl(`^(?:\${env:${variable}:-})$`)}))`;
    }),
    ...Object.entries(closedSets).map(([key, values]) => {
      const target = `${attributes}[${ottl(key)}]`;
      return `set(${target}, "other") where ${target} != nil and (not IsString(${target}) or not IsMatch(${target}, ${ottl(closedSetRegex(key, values))}))`;
    }),
    // Keys kept only in a format (a client's version number), else `other`, as the library does.
    ...Object.entries(rules.attributes.formats.keys).map(([key, format]) => {
      const target = `${attributes}[${ottl(key)}]`;
      return `set(${target}, "other") where ${target} != nil and (not IsString(${target}) or not IsMatch(${target}, ${ottl(format)}))`;
    }),
  ];
  /**
   * The closed-set statements of one context as a group of their own, run only when one of those keys is
   * there at all: most spans, events, logs and data points carry none, and a group condition is one
   * check where the statements would be one each.
   */
  const closedSetGroup = (context: string, attributes: string, extra: string[] = []) => ({
    context,
    conditions: [
      [
        ...knownNames.map(([key]) => key),
        ...Object.keys(closedSets),
        ...Object.keys(rules.attributes.formats.keys),
      ]
        .map((key) => `${attributes}[${ottl(key)}] != nil`)
        .join(' or '),
    ],
    statements: [...closeValues(attributes), ...extra],
  });
  // An MCP span's name is rebuilt from its checked attributes ({mcp.method.name} {target}, as the
  // semantic conventions name it), whatever name the producer gave it.
  const method = 'span.attributes["mcp.method.name"]';
  const tool = 'span.attributes["gen_ai.tool.name"]';
  const prompt = 'span.attributes["gen_ai.prompt.name"]';
  const mcpSpanName = [
    `set(span.name, ${method}) where ${method} != nil and ${tool} == nil and ${prompt} == nil`,
    `set(span.name, Concat([${method}, ${tool}], " ")) where ${method} != nil and ${tool} != nil`,
    `set(span.name, Concat([${method}, ${prompt}], " ")) where ${method} != nil and ${tool} == nil and ${prompt} != nil`,
  ];
  const attribute = (key: string) => `span.attributes[${ottl(key)}]`;
  const conventionStatements = [
    ...Object.entries(rules.conventions.aliases).map(
      ([from, to]) =>
        `set(${attribute(to)}, ${attribute(from)}) where ${attribute(to)} == nil and ${attribute(from)} != nil`,
    ),
    ...Object.entries(rules.conventions.serverSpanNames).map(
      ([name, method]) =>
        `set(${attribute('mcp.method.name')}, ${ottl(method)}) where span.kind == SPAN_KIND_SERVER and span.name == ${ottl(name)} and ${attribute('mcp.method.name')} == nil`,
    ),
  ];
  const allowedKeys = [...new Set([...rules.attributes.resource, ...rules.attributes.record])].sort();
  // One regex each (the processor tries every key against each in turn).
  const policyKeyPattern = `^(?:${rules.attributes.recordPrefixes.map(escapeRegex).join('|')})[a-z0-9_]+$`;
  // Values that pass every redaction processor as they are: the library's pseudonyms, and the closed
  // values a pattern would take for PII (a protocol version looks like a date). The others need no
  // entry: no pattern changes them, and every value of every attribute is tried against this regex, so
  // each alternative costs on every span.
  const patternLike = closedValues.filter((value) =>
    Object.values(rules.patterns).some((source) => new RegExp(source, 'i').test(value)),
  );
  const keptValues = [PSEUDONYM_SHAPE, ...(patternLike.length ? [exactly(patternLike)] : [])];
  const hmac = {
    redact_all_types: true,
    hash_function: 'hmac-sha256',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a collector environment reference, not JS
    hmac_key: '${env:MCP_KIT_COLLECTOR_HMAC_KEY}',
    summary: 'silent',
  };
  const idKeys = {
    allow_all_keys: true,
    blocked_key_patterns: [exactly(rules.attributes.pseudonymised)],
    allowed_values: [anyOf(keptValues)],
    blocked_values: [],
    ...hmac,
  };

  // Fail-closed attribute allow-list on resource, scope, span, span event, log (and log body maps) and
  // data point attributes; PII patterns in values (log bodies included) replaced by their keyed HMAC.
  // First of the redaction processors, so the keys it drops cost the next ones nothing.
  const redactionPrivacy = {
    allow_all_keys: false,
    allowed_keys: allowedKeys,
    ignored_key_patterns: [policyKeyPattern],
    // Shaped keys are checked by transform/privacy, id keys hashed whole by redaction/id_keys.
    ignored_keys: [...shapedKeys, ...rules.attributes.pseudonymised],
    allowed_values: [anyOf([...keptValues, CANNOT_MATCH_A_PATTERN])],
    blocked_values: blockedValues,
    ...hmac,
  };

  const config = {
    processors: {
      // Statements the redaction processor cannot express: the resource's stricter allow-list, free text
      // outside attributes (span, event and scope names, status messages), names kept only in a safe
      // shape, and size and count limits.
      'transform/privacy': {
        error_mode: 'ignore',
        trace_statements: [
          resource,
          ...scope,
          // Other MCP instrumentations' keys and span names mapped to the conventions' (rules.json
          // conventions), before the allow-list drops their keys.
          { context: 'span', statements: conventionStatements },
          scrub('span', 'span.name'),
          {
            context: 'span',
            statements: [
              ...decidedAttributes('span.attributes'),
              // A failed MCP operation with no error.type in its shape (dd-trace's `Error`) gets the
              // conventions' fallback, so the availability rules count it.
              `set(span.attributes["error.type"], ${ottl(rules.conventions.errorTypeFallback)}) where span.status.code == STATUS_CODE_ERROR and span.attributes["mcp.method.name"] != nil and span.attributes["error.type"] == nil`,
              'set(span.status.message, "")',
              // Trace state is written by whoever started the trace: caller text, like a status message.
              'set(span.trace_state, "")',
              // Links carry attributes and trace state that no processor can reach (OTTL has no link
              // context, the redaction processor does not look at links): fail-closed, they are dropped.
              'set(span.links, nil)',
              shapeCheck('span.name'),
              ...limits('span.attributes'),
            ],
          },
          closedSetGroup('span', 'span.attributes', mcpSpanName),
          scrub('spanevent', 'spanevent.name'),
          {
            context: 'spanevent',
            statements: [
              ...decidedAttributes('spanevent.attributes'),
              shapeCheck('spanevent.name'),
              ...limits('spanevent.attributes'),
            ],
          },
          closedSetGroup('spanevent', 'spanevent.attributes'),
        ],
        log_statements: [
          resource,
          ...scope,
          {
            context: 'log',
            statements: [
              ...decidedAttributes('log.attributes'),
              ...logBody,
              `set(log.severity_text, "") where not IsMatch(log.severity_text, ${ottl(SEVERITY_TEXT)})`,
              `set(log.event_name, "[redacted]") where log.event_name != "" and not IsMatch(log.event_name, ${shape})`,
              ...limits('log.attributes'),
            ],
          },
          closedSetGroup('log', 'log.attributes'),
        ],
        metric_statements: [
          resource,
          ...scope,
          {
            // Descriptions are free text (Prometheus keeps them as HELP); units only from a closed set.
            context: 'metric',
            statements: [
              'set(metric.description, "")',
              // The kit's own metrics get their description back (src/semconv.ts).
              ...Object.entries(METRIC_DESCRIPTIONS).map(
                ([name, description]) =>
                  `set(metric.description, ${ottl(description)}) where metric.name == ${ottl(name)} and instrumentation_scope.name == ${ottl(INSTRUMENTATION_SCOPE)}`,
              ),
              // Metadata is a free-form attribute list beside the metric: nothing of it is needed.
              'delete_matching_keys(metric.metadata, ".*")',
              `set(metric.unit, "") where not IsMatch(metric.unit, ${ottl(exactly(rules.metrics.units))})`,
            ],
          },
          {
            context: 'datapoint',
            statements: [
              // Ids allowed on records make one series per session or request on a data point, hashed
              // or not (rules.json `metrics.deniedAttributes`): gone before transform/privacy_merge adds
              // up the series they split.
              ...rules.metrics.deniedAttributes.map(
                (key) => `delete_key(datapoint.attributes, ${ottl(key)})`,
              ),
              ...decidedAttributes('datapoint.attributes'),
              ...limits('datapoint.attributes'),
            ],
          },
          closedSetGroup('datapoint', 'datapoint.attributes'),
          // What an aggregator filtered out of a data point is exactly what must not be exported.
          { context: 'exemplar', statements: ['delete_matching_keys(exemplar.filtered_attributes, ".*")'] },
        ],
      },
      // Fail-closed for links: transform/privacy clears them, but only with the collector's feature gate
      // ottl.set.allowNil (the tests and docker-compose.yml pass it); a collector started without it
      // drops every span that still has links rather than export what is in them.
      //
      // Metrics: a name outside the known namespaces (rules.json `metrics.namePrefixes`, and the
      // application's own in MCP_KIT_METRIC_PREFIXES, `|`-separated) or outside the lowercase dotted
      // shape may hold anything ("lookups_<surname>"): the metric is dropped whole, and counted by the
      // processor's own telemetry.
      'filter/privacy': {
        error_mode: 'propagate',
        traces: { span: ['Len(span.links) > 0'] },
        metrics: {
          metric: [
            `not IsMatch(metric.name, ${ottl(rules.metrics.nameShape)}) or (not IsMatch(metric.name, ${ottl(
              `^(?:${rules.metrics.namePrefixes.map(escapeRegex).join('|')})`,
            )}) and ("${OPERATOR_METRIC_PREFIXES}" == "" or not IsMatch(metric.name, "^(?:${OPERATOR_METRIC_PREFIXES})")))`,
          ],
        },
      },
      // Data points that dropped attributes made alike (a label of a person's name on each of three
      // series) are added up, so no series overwrites another and the total stays what was counted:
      // sums are summed and histograms merged. Last of the metrics processors, after every attribute
      // that goes has gone. Gauges are left as they are: no sum of them means anything.
      'transform/privacy_merge': {
        error_mode: 'ignore',
        metric_statements: [
          {
            context: 'metric',
            statements: [
              'aggregate_on_attributes("sum") where metric.type == METRIC_DATA_TYPE_SUM',
              'aggregate_on_attributes("sum") where metric.type == METRIC_DATA_TYPE_HISTOGRAM',
              'aggregate_on_attributes("sum") where metric.type == METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM',
            ],
          },
        ],
      },
      // Resources rebuilt from their attributes alone: entity references (type, id and description keys,
      // schema URL: free text no OTTL path reaches) are left behind. Without keys it groups nothing.
      'groupbyattrs/privacy': { keys: [] },
      'redaction/privacy': redactionPrivacy,
      // The same for logs, without redaction/policy_keys after it: that processor would mask every log
      // body a second time, hashing digits inside this one's hashes. The library's log records carry no
      // policy keys (mcpkit.arg.*, mcpkit.result.*), so here they are off the allow-list and dropped.
      'redaction/log_privacy': { ...redactionPrivacy, ignored_key_patterns: [] },
      // Pattern masking for the keys the library exports per tool policy (mcpkit.arg.*, mcpkit.result.*),
      // whose names are not known here: every other key is ignored by this processor, and the previous
      // one let these keys through unchecked.
      'redaction/policy_keys': {
        allow_all_keys: true,
        ignored_keys: allowedKeys,
        allowed_values: [CANNOT_MATCH_A_PATTERN],
        blocked_values: blockedValues,
        ...hmac,
      },
      // Raw ids under id keys (mcp.session.id, mcpkit.principal) replaced by their HMAC, while the
      // library's pseudonyms pass. A processor of its own: the others list CANNOT_MATCH_A_PATTERN among
      // their allowed values, which would let a raw id through. For spans, data points and resources
      // it looks at the id keys only (the processor never looks inside a map-valued attribute there).
      'redaction/id_keys': {
        ...idKeys,
        ignored_keys: allowedKeys.filter((key) => !rules.attributes.pseudonymised.includes(key)),
        ignored_key_patterns: [policyKeyPattern],
      },
      // The same for logs, where it also walks body maps: an id key nested under any other key is
      // hashed too, so no key is skipped.
      'redaction/log_id_keys': idKeys,
    },
  };
  return [
    '# GENERATED by scripts/generate-collector-privacy.ts from src/privacy/rules.json: do not edit.',
    '# Regenerate with `npm run generate`; a test fails when this file and its source disagree.',
    '# What: privacy layer 2, the processors transform/privacy, filter/privacy, groupbyattrs/privacy,',
    '# transform/privacy_merge (metrics),',
    '# redaction/privacy, redaction/policy_keys, redaction/id_keys (traces, metrics) and',
    '# redaction/log_privacy, redaction/log_id_keys (logs).',
    '# Loaded by: the collector, after collector/config.yaml (--config=config.yaml --config=privacy.yaml).',
    '# Override: change src/privacy/rules.json and regenerate; never this file.',
    stringify(config, { lineWidth: 0, aliasDuplicateObjects: false }),
  ].join('\n');
}

if (import.meta.main) {
  writeFileSync(privacyConfigPath, await renderCollectorPrivacy());
  console.log(`wrote ${path.relative(repoRoot, privacyConfigPath)}`);
}
