// The process-wide privacy state of layer 1: the attribute allow-list, the scrubber with its taint
// registry, and the pseudonymizer. startTelemetry() configures it; instrumentMcpServer() and the span
// and log processors read it.
import type { AnyValue, Attributes, AttributeValue } from '@opentelemetry/api';
import { interned } from '../metrics/interned-attributes.ts';
import { ATTR_MCPKIT_CLIENT_NAME } from '../semconv.ts';
import { PSEUDONYM_FORMAT, Pseudonymizer, type PseudonymizerOptions } from './pseudonymizer.ts';
import { countRedaction } from './redaction-counter.ts';
import { privacyRules, rulesAdditionsFromEnv, valueShapeOf } from './rules.ts';
import { A_FEW_DIGITS, scrubText, TaintRegistry } from './scrubber.ts';

export type AttributeLocation = 'resource' | 'record';

export interface PrivacyGuardOptions extends PseudonymizerOptions {
  extraAttributes?: string[] | undefined;
  /** Client names exported as they are, beside rules.json's; default MCP_KIT_KNOWN_CLIENTS. */
  knownClients?: readonly string[] | undefined;
}

/** What a value outside its key's closed set is exported as. */
export const OTHER = 'other';

/**
 * MCP_KIT_KNOWN_CLIENTS: client names separated by `|`, the same variable the collector reads into its
 * closed set (collector/privacy.yaml), so both layers keep the same names.
 */
export function knownClientsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return rulesAdditionsFromEnv('MCP_KIT_KNOWN_CLIENTS', env);
}

/** Allowed on records, never on a data point (the contract's `metrics.deniedAttributes`). */
const METRIC_FORBIDDEN_IDS = privacyRules.metrics.deniedAttributes;

/** What sanitizing does to a key's values: see PrivacyGuard.treatment(). */
const DROPPED = 'dropped';
const PSEUDONYMISED = 'pseudonymised';
const SCRUBBED = 'scrubbed';
/** Values kept only in a shape (rules.json `attributes.shapes`), then scrubbed; dropped otherwise. */
class InShape {
  readonly shape: RegExp;
  constructor(shape: RegExp) {
    this.shape = shape;
  }
}
/** A RegExp: a shaped key; an array: a key with a closed set of values. */
type KeyTreatment =
  | typeof DROPPED
  | typeof PSEUDONYMISED
  | typeof SCRUBBED
  | InShape
  | RegExp
  | readonly string[];
const KEY_TREATMENTS_SIZE = 4096;
/** Clean-text memo bounds: the same few values (method and tool names, enum values) recur on every call. */
const CLEAN_MEMO_SIZE = 1024;
const CLEAN_MEMO_MAX_LENGTH = 128;

export class PrivacyGuard {
  readonly pseudonymizer: Pseudonymizer;
  readonly taint = new TaintRegistry();
  private readonly allowed: Record<AttributeLocation, Set<string>>;
  private readonly treatments: Record<AttributeLocation, Map<string, KeyTreatment>> = {
    resource: new Map(),
    record: new Map(),
  };
  private readonly pseudonymised = new Set(privacyRules.attributes.pseudonymised);
  private readonly shaped = new Map(
    Object.entries(privacyRules.attributes.shaped.keys).map(([key, shape]) => [key, new RegExp(shape)]),
  );
  /**
   * Short texts that scrubbing left unchanged: without taint (valid for good, the patterns are fixed),
   * and with taint (valid until a word in them is tainted: the generation recorded is checked against the
   * words tainted since, so a call with new arguments does not void every entry). They are exported
   * verbatim anyway, so remembering them holds nothing the backends do not get; bounded, oldest first.
   */
  private readonly cleanWithoutTaint = new Set<string>();
  private readonly cleanWithTaint = new Map<string, number>();
  /**
   * Sanitized copies of frozen metric attribute sets (the kit interns its own, src/metrics/interned-attributes.ts):
   * a frozen set cannot change, so its copy stays right until a new word is tainted or the pseudonym key
   * rotates (an id under a pseudonymised key would otherwise keep last period's pseudonym).
   */
  private readonly sanitizedMetricSets = new WeakMap<
    Attributes,
    { generation: number; period: number; sanitized: Attributes }
  >();

  /** Keys with a closed set of values (rules.json), each extended by the operator's additions. */
  private readonly closedSets: Map<string, readonly string[]>;

  constructor(options: PrivacyGuardOptions = {}) {
    this.pseudonymizer = new Pseudonymizer(options);
    this.allowed = {
      resource: new Set(privacyRules.attributes.resource),
      record: new Set([...privacyRules.attributes.record, ...(options.extraAttributes ?? [])]),
    };
    const knownClients = options.knownClients ?? knownClientsFromEnv();
    this.closedSets = new Map(
      Object.entries(privacyRules.attributes.values.keys).map(([key, values]) => [
        key,
        key === ATTR_MCPKIT_CLIENT_NAME ? [...values, ...knownClients] : values,
      ]),
    );
  }

  private readonly formats = new Map(
    Object.entries(privacyRules.attributes.formats.keys).map(([key, format]) => [key, new RegExp(format)]),
  );

  /** A value of a key kept only in a format (a client's version) as exported: itself in it, else `other`. */
  formattedValue(key: string, value: string): string {
    const format = this.formats.get(key);
    return !format || format.test(value) ? value : OTHER;
  }

  /**
   * A value of a key with a closed set of values (an MCP method, a client name) as exported: itself when
   * in the set, else `other`. Keys without a closed set keep their value.
   */
  closedValue(key: string, value: string): string {
    const set = this.closedSets.get(key);
    return !set || set.includes(value) ? value : OTHER;
  }

  isAllowed(key: string, location: AttributeLocation): boolean {
    if (this.allowed[location].has(key)) return true;
    return (
      location === 'record' && privacyRules.attributes.recordPrefixes.some((prefix) => key.startsWith(prefix))
    );
  }

  /**
   * How a key's values are treated, decided once per key: every exported span and record asks it for
   * each of its attributes, and the answer depends on the key alone. Bounded: keys come from code, but
   * a careless application can build them from data.
   */
  private treatment(key: string, location: AttributeLocation): KeyTreatment {
    const known = this.treatments[location];
    let found = known.get(key);
    if (found === undefined) {
      found = !this.isAllowed(key, location)
        ? DROPPED
        : (this.closedSets.get(key) ??
          (this.pseudonymised.has(key) ? PSEUDONYMISED : (this.shaped.get(key) ?? this.inShape(key))));
      if (known.size >= KEY_TREATMENTS_SIZE) known.clear();
      known.set(key, found);
    }
    return found;
  }

  private inShape(key: string): InShape | typeof SCRUBBED {
    const shape = valueShapeOf(key);
    return shape ? new InShape(shape) : SCRUBBED;
  }

  /**
   * Scrubs free text: PII patterns always; tainted values (a call's arguments) unless `taint` is false,
   * for values built from fixed vocabularies that a tainted word must not mangle.
   */
  scrub(text: string, taint = true): string {
    // A bare short number (a request id) is scrubbed in a taint lookup: remembering each would only
    // push the recurring texts out of the memo.
    const memo = text.length <= CLEAN_MEMO_MAX_LENGTH && !A_FEW_DIGITS.test(text);
    if (memo && (taint ? this.stillClean(text) : this.cleanWithoutTaint.has(text))) return text;
    const scrubbed = scrubText(text, taint ? this.taint : undefined, countRedaction);
    if (memo && scrubbed === text) this.rememberClean(text, taint);
    const limit = privacyRules.limits.attributeValueLength;
    return scrubbed.length > limit ? `${scrubbed.slice(0, limit)}…` : scrubbed;
  }

  /** A text scrubbing left unchanged stays so until a word in it is tainted (TaintRegistry.mayRedactSince). */
  private stillClean(text: string): boolean {
    const since = this.cleanWithTaint.get(text);
    if (since === undefined || this.taint.mayRedactSince(since, text)) return false;
    if (since !== this.taint.generation) this.cleanWithTaint.set(text, this.taint.generation);
    return true;
  }

  private rememberClean(text: string, taint: boolean): void {
    const memo = taint ? this.cleanWithTaint : this.cleanWithoutTaint;
    if (memo.size >= CLEAN_MEMO_SIZE) memo.delete(memo.keys().next().value as string);
    if (taint) this.cleanWithTaint.set(text, this.taint.generation);
    else this.cleanWithoutTaint.add(text);
  }

  /** Free text of any shape (a log body, an event name) with every string leaf scrubbed. */
  scrubValue(value: AnyValue): AnyValue {
    if (typeof value === 'string') return this.scrub(value);
    if (Array.isArray(value)) return value.map((item) => this.scrubValue(item));
    if (value instanceof Uint8Array) return '[bytes]';
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [this.scrub(key), this.scrubValue(item)]),
      );
    }
    return value;
  }

  /**
   * Keeps allow-listed keys only, pseudonymises id keys, scrubs strings (patterns and tainted values:
   * an allow-listed key can still carry free text, e.g. an application's http.route) and enforces the
   * count limit. The kit's own vocabularies are protected from taint (TaintRegistry.protect).
   */
  sanitizeAttributes(attributes: Attributes | undefined, location: AttributeLocation): Attributes {
    const result: Attributes = {};
    if (!attributes) return result;
    let count = 0;
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key)) continue;
      const value = attributes[key];
      if (value === undefined) continue;
      const treatment = this.treatment(key, location);
      if (treatment === DROPPED) continue;
      if (count >= privacyRules.limits.attributeCount) break;
      const sanitized = this.sanitizeValue(key, value, treatment);
      if (sanitized === undefined) continue;
      count++;
      result[key] = sanitized;
    }
    return result;
  }

  /**
   * Metric attributes: as records, minus session and request ids, pseudonymous or not: they would make
   * one series per session or request. The principal's pseudonym stays, one series per
   * caller, which is what enumeration alerts count (the kit puts it on `mcpkit.principal.lookups` only).
   * A frozen (interned) set gets an interned result, so equal results are one object.
   */
  sanitizeMetricAttributes(attributes: Attributes): Attributes {
    const frozen = Object.isFrozen(attributes);
    const generation = this.taint.generation;
    const period = frozen ? this.pseudonymizer.period() : 0;
    if (frozen) {
      const memo = this.sanitizedMetricSets.get(attributes);
      if (memo?.generation === generation && memo.period === period) return memo.sanitized;
    }
    const result = this.sanitizeAttributes(attributes, 'record');
    for (const key of METRIC_FORBIDDEN_IDS) delete result[key];
    if (!frozen) return result;
    // Interned in turn: sets that sanitize alike share one object, which counts can be keyed by.
    const sanitized = interned(result);
    this.sanitizedMetricSets.set(attributes, { generation, period, sanitized });
    return sanitized;
  }

  private sanitizeValue(
    key: string,
    value: AttributeValue,
    treatment: KeyTreatment,
  ): AttributeValue | undefined {
    // Free text under a kept key (a name in error.type) fits no shape: the attribute is dropped, as the
    // collector drops it.
    if (treatment instanceof InShape) {
      const fits = (item: unknown) => typeof item !== 'string' || treatment.shape.test(item);
      if (Array.isArray(value) ? !value.every(fits) : !fits(value)) return undefined;
      return this.sanitizeValue(key, value, SCRUBBED);
    }
    if (treatment === SCRUBBED) {
      if (typeof value === 'string') return this.scrub(value);
      if (Array.isArray(value)) {
        return value.map((item) => (typeof item === 'string' ? this.scrub(item) : item)) as AttributeValue;
      }
      return value;
    }
    const text = String(value);
    // Already a kit pseudonym: keep. Anything else under an id key is a raw id: pseudonymise it.
    if (treatment === PSEUDONYMISED)
      return PSEUDONYM_FORMAT.test(text) ? text : this.pseudonymizer.pseudonym(key, text);
    // Verbatim in its shape (patterns would mangle a random UUID); otherwise an opaque but stable id.
    if (treatment instanceof RegExp)
      return treatment.test(text) ? text : this.pseudonymizer.pseudonym(key, text);
    // Keys with a closed set of values (a protocol version looks like a date, so patterns would eat it).
    return treatment.includes(text) ? text : OTHER;
  }
}

let current: PrivacyGuard | undefined;

export function configurePrivacyGuard(guard: PrivacyGuard): PrivacyGuard {
  current = guard;
  return guard;
}

/**
 * The configured guard, or one keyed from the environment (MCP_KIT_PSEUDONYM_KEY, _FILE, or ephemeral
 * pseudonyms asked for): instrumenting a server without a key throws, as startTelemetry() does.
 */
export function privacyGuard(): PrivacyGuard {
  // With the SDK disabled nothing is exported, so nothing needs a lasting key.
  current ??= new PrivacyGuard(
    process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' ? { ephemeral: true } : {},
  );
  return current;
}
