// Every field of the OTLP data model that can carry text or an attribute has a decision in the table
// "Every field of OTLP" of docs/privacy.md, and the table names no field the data model lacks. The
// fields come from the protobuf definitions (test/support/otlp-fields.ts): a field added to OTLP without
// a decision fails here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { otlpFields } from '../support/otlp-fields.ts';

/** Message types that hold attributes or values, beside string and bytes fields. */
const VALUE_TYPES = new Set(['KeyValue', 'AnyValue', 'ArrayValue', 'KeyValueList', 'EntityRef', 'Link']);
const NUMERIC = new Set([
  'bool',
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
]);

function tableRows(): Map<string, string> {
  const doc = readFileSync(path.join(repoRoot, 'docs/privacy.md'), 'utf8');
  const section = doc.split('## Every field of OTLP')[1]?.split('\n## ')[0] ?? '';
  return new Map(
    [...section.matchAll(/^\| `([A-Za-z0-9_.]+)` \| ([^|]+) \|/gm)].map((row) => [
      row[1] ?? '',
      (row[2] ?? '').trim(),
    ]),
  );
}

describe('the privacy table over every field of OTLP', () => {
  const fields = otlpFields();
  const textBearing = fields.filter(
    ({ field }) =>
      field.type === 'string' ||
      field.type === 'bytes' ||
      (field.resolvedType instanceof protobuf.Type && VALUE_TYPES.has(field.resolvedType.name)),
  );

  it('decides every field that can carry text or an attribute, and no field OTLP lacks', () => {
    const rows = tableRows();
    expect(textBearing.length).toBeGreaterThan(40);
    expect(textBearing.map(({ path }) => path).filter((path) => !rows.has(path))).toEqual([]);
    const known = new Set(fields.map(({ path }) => path));
    expect([...rows.keys()].filter((path) => !known.has(path))).toEqual([]);
  });

  it('leaves only numbers, enums and nested messages undecided, which cannot spell a name', () => {
    const rows = tableRows();
    const rest = fields.filter(({ path }) => !rows.has(path));
    const text = rest.filter(
      ({ field }) =>
        !NUMERIC.has(field.type) &&
        !(field.resolvedType instanceof protobuf.Enum) &&
        !(field.resolvedType instanceof protobuf.Type),
    );
    expect(text.map(({ path }) => path)).toEqual([]);
    console.log(
      `OTLP fields: ${fields.length} reached by the export requests, ${textBearing.length} can carry text or attributes, all decided`,
    );
  });
});
