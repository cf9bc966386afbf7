// What a tool may export about a call: nothing, unless its policy names a field and
// the transform that makes it safe. The transforms only ever produce values from small fixed sets.
import type { FieldTransform, ToolExportPolicy } from '../types.ts';

const SIZE_BUCKETS: ReadonlyArray<[number, string]> = [
  [0, '0'],
  [10, '1-10'],
  [100, '11-100'],
  [1000, '101-1000'],
];

/** Bucket of a result count, e.g. for "how many detainees matched": 0, 1, 2-5, 6-20, 21+. */
export function resultCountBucket(count: number): string {
  if (!Number.isFinite(count) || count <= 0) return '0';
  if (count === 1) return '1';
  if (count <= 5) return '2-5';
  if (count <= 20) return '6-20';
  return '21+';
}

function sizeBucket(size: number): string {
  for (const [limit, label] of SIZE_BUCKETS) if (size <= limit) return label;
  return '1001+';
}

/** Applies one transform; `undefined` means "export nothing for this field". */
export function applyTransform(
  transform: FieldTransform,
  value: unknown,
): string | number | boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (transform === 'boolean') return typeof value === 'boolean' ? value : undefined;
  if (transform === 'count') {
    if (Array.isArray(value)) return value.length;
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
  }
  if (transform === 'size') {
    if (typeof value === 'string' || Array.isArray(value)) return sizeBucket(value.length);
    if (typeof value === 'object') return sizeBucket(Object.keys(value).length);
    return undefined;
  }
  return transform.enum.includes(value as never) ? (value as string | number | boolean) : 'other';
}

/** The attributes a call's arguments may export under the tool's policy, keyed by field. */
export function exportedArguments(
  policy: ToolExportPolicy | undefined,
  args: unknown,
): Record<string, string | number | boolean> {
  const exported: Record<string, string | number | boolean> = {};
  if (!policy?.arguments || typeof args !== 'object' || args === null) return exported;
  for (const [field, transform] of Object.entries(policy.arguments)) {
    const value = applyTransform(transform, (args as Record<string, unknown>)[field]);
    if (value !== undefined) exported[field] = value;
  }
  return exported;
}

/** Whether a transform yields a value from a small fixed set, so it may become a metric attribute. */
export function isLowCardinality(transform: FieldTransform): boolean {
  return transform !== 'count';
}
