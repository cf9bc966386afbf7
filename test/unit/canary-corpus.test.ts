// The project's own canary corpus: generated, seeded, in the shared corpus's format, with the forms
// people write, and needles that never match ordinary text by chance.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/provision/cache.ts';
import { type CanaryRecord, loadCanaries, NeedleScanner } from '../support/canaries.ts';
import { GENERATED_CORPUS_RECORDS, generateCanaryCorpus } from '../support/canary-corpus.ts';
import { newCaptureRoot } from '../support/capture.ts';
import { foreignTelemetry } from '../support/fixtures/foreign-producer.ts';

const corpus = generateCanaryCorpus();
const names = corpus.records.flatMap((r) => [r.detainee.first_name, r.detainee.last_name, r.searcher.name]);

describe('the generated canary corpus', () => {
  it('is the same for the same seed and size, and grows with --records', () => {
    expect(JSON.stringify(generateCanaryCorpus())).toBe(JSON.stringify(corpus));
    expect(corpus.records).toHaveLength(GENERATED_CORPUS_RECORDS);
    expect(generateCanaryCorpus({ records: 1000 }).records).toHaveLength(1000);
    expect(generateCanaryCorpus({ seed: 'other' }).records[0]).not.toEqual(corpus.records[0]);
  });

  it('sends every record of a corpus of any size with valid OTLP ids (a 1,000-record run once failed at 257)', () => {
    const large = generateCanaryCorpus({ records: 1000 });
    for (const [index, record] of large.records.entries()) {
      const span = foreignTelemetry(record, index).traces.resourceSpans[0]?.scopeSpans[0]?.spans[0];
      expect(span?.traceId, record.id).toMatch(/^[0-9a-f]{32}$/);
      expect(span?.spanId, record.id).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(
      new Set(
        large.records.map(
          (record, index) =>
            foreignTelemetry(record, index).traces.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.traceId,
        ),
      ).size,
    ).toBe(1000);
  });

  it('gives every record its people, numbers, dates, contacts and requests, each with needles', () => {
    for (const record of corpus.records) {
      const entities = new Set(corpus.needles.filter((n) => n.record === record.id).map((n) => n.entity));
      expect([...entities].sort(), record.id).toEqual([
        'alien_number',
        'date_of_birth',
        'detainee_name',
        'searcher_email',
        'searcher_ip',
        'searcher_name',
        'searcher_oauth_subject',
        'searcher_phone',
      ]);
      expect(record.detainee.alien_number_formats.length).toBeGreaterThanOrEqual(5);
      expect(record.detainee.date_of_birth_formats.length).toBeGreaterThanOrEqual(7);
      expect(record.queries.some((q) => q.startsWith('Busco'))).toBe(true);
      expect(record.queries.some((q) => q.startsWith('Can you find'))).toBe(true);
    }
    expect(new Set(corpus.records.map((r) => r.id)).size).toBe(corpus.records.length);
  });

  it('writes names as people do: diacritics, plain ASCII, particles, hyphens, other scripts', () => {
    expect(names.some((n) => /[áéíóúëäãñ]/.test(n))).toBe(true);
    expect(names.some((n) => /^[A-Za-z ]+$/.test(n))).toBe(true);
    expect(names.some((n) => /\b(?:de la|del|van der|dos) /.test(n))).toBe(true);
    expect(names.some((n) => /\p{L}-\p{L}/u.test(n))).toBe(true);
    for (const script of [/\p{Script=Cyrillic}/u, /\p{Script=Arabic}/u, /\p{Script=Han}/u])
      expect(
        names.some((n) => script.test(n)),
        String(script),
      ).toBe(true);
    const ips = corpus.records.map((r) => r.searcher.ip);
    expect(ips.some((a) => a.includes(':'))).toBe(true);
    expect(ips.some((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a))).toBe(true);
  });

  it('has needles that ordinary text never matches by chance', () => {
    const scanner = new NeedleScanner(corpus.needles);
    const ordinary = ['README.md', 'docs/privacy.md', 'docs/telemetry.md', 'collector/privacy.yaml'];
    const found = ordinary.flatMap((file) =>
      scanner
        .scan(readFileSync(path.join(repoRoot, file)), file)
        // The partial-date check is no needle of the corpus (the docs show what it looks for).
        .filter((leak) => leak.needle.record !== '*')
        .map((leak) => `${leak.needle.value} in ${file}`),
    );
    expect(found).toEqual([]);
  });

  it('is what the privacy tests load, with an external corpus added beside it, never instead', () => {
    const ids = corpus.records.map((r) => r.id);
    const external = path.join(newCaptureRoot('external-corpus'), 'corpus.json');
    const record = { ...corpus.records[0], id: 'x0001' } as CanaryRecord;
    const needle = { record: 'x0001', entity: 'detainee_name', value: 'Qxuvarzel', match: 'text' };
    writeFileSync(external, JSON.stringify({ records: [record], needles: [needle] }));
    const both = loadCanaries({ external });
    expect(both.records.map((r) => r.id)).toEqual([...ids, 'x0001']);
    expect(both.needles.at(-1)).toEqual(needle);
    // Without a name given, MCP_KIT_CANARIES adds its corpus (CI's shared one) after the generated one.
    expect(
      loadCanaries()
        .records.slice(0, ids.length)
        .map((r) => r.id),
    ).toEqual(ids);
    writeFileSync(external, JSON.stringify({ records: [{ ...record, id: 'g0001' }], needles: [] }));
    expect(() => loadCanaries({ external })).toThrow(/record id g0001 is also a generated record's/);
  });
});
