// The scrubber removes personal data from free text: the patterns of rules.json for data with a shape,
// and tainted values (what a caller typed) for names, which have none.
import { describe, expect, it, vi } from 'vitest';
import rules from '../../src/privacy/rules.json' with { type: 'json' };
import { A_FEW_DIGITS, scrubText, TaintRegistry } from '../../src/privacy/scrubber.ts';

describe('pattern scrubbing', () => {
  it.each([
    [
      'A-numbers in every written form',
      'A113716303 A-113-716-303 113716303 A 113 716 303 a#113716303 A12345678',
    ],
    [
      'ISO, US, European and long dates',
      '1953-12-17 12/17/1953 17/12/1953 December 17, 1953 17 de diciembre de 1953',
    ],
    ['emails', 'write to quanmath.85@example.com'],
    ['phones', 'call +1 (555) 0145-4934 or 555-014-5493'],
    ['IPv4 and IPv6 addresses', 'from 198.51.100.129 and 2001:db8:12db::8f59'],
    ['opaque subject ids and bearer tokens', 'sub_fd993ac1833ff5623ed3dfd9 Bearer abc.def-ghi'],
  ])('removes %s', (_, text) => {
    const scrubbed = scrubText(text);
    expect(scrubbed).not.toMatch(/\d{3}/);
    expect(scrubbed).not.toMatch(/@|sub_|abc\.def/);
  });

  it('skips the patterns only for bare numbers no pattern can match (every one of up to six digits)', () => {
    const patterns = Object.values(rules.patterns).map((source) => new RegExp(source, 'i'));
    const matched: string[] = [];
    for (let digits = 1; digits <= 6; digits++) {
      for (let n = 0; n < 10 ** digits; n++) {
        const text = String(n).padStart(digits, '0');
        if (!A_FEW_DIGITS.test(text)) matched.push(`not skipped: ${text}`);
        if (patterns.some((pattern) => pattern.test(text))) matched.push(text);
      }
    }
    expect(matched).toEqual([]);
    // Seven digits are a digit run, and anything else than digits is scanned.
    expect(scrubText('1234567')).toBe('[digit_run]');
    expect(A_FEW_DIGITS.test('12-345')).toBe(false);
  });

  it('still removes a tainted bare number', () => {
    const taint = new TaintRegistry();
    taint.add({ room: '4711' });
    expect(scrubText('4711', taint)).toBe('[redacted]');
  });

  it('keeps text without personal data as it is', () => {
    expect(scrubText('tools/call search_detainee_by_name took 2.5 s, version 1.2.3')).toBe(
      'tools/call search_detainee_by_name took 2.5 s, version 1.2.3',
    );
  });

  it('decodes percent-encoding before scrubbing', () => {
    expect(scrubText('q=quanmath.85%40example.com')).toBe('q=[email]');
  });
});

describe('taint', () => {
  it('removes a name a caller typed wherever it reappears, in any case and Unicode form', () => {
    const taint = new TaintRegistry();
    taint.add({ first_name: 'Yúñezútl', last_name: 'Zhúthñíl' });
    for (const text of [
      'no match for Yúñezútl',
      'NO MATCH FOR YÚÑEZÚTL',
      'no match for Yúñezútl'.normalize('NFD'),
    ]) {
      expect(scrubText(text, taint).toLowerCase()).toBe('no match for [redacted]');
    }
  });

  it('removes a name in a script written without spaces, two characters long, inside a longer run', () => {
    const taint = new TaintRegistry();
    taint.add({ first_name: '王伟', query: '请帮我找李娜' });
    expect(scrubText('没有找到王伟的记录', taint)).toBe('没有找到[redacted]的记录');
    expect(scrubText('no match for 王伟', taint)).toBe('no match for [redacted]');
    // A one-character word is too common to taint.
    taint.add({ last_name: '王' });
    expect(scrubText('王先生', taint)).toBe('王先生');
  });

  it('removes words of a free-text query, but not the vocabulary it protects', () => {
    const taint = new TaintRegistry();
    taint.protect(['search']);
    taint.add({ query: 'search for Tsízmax please' });
    expect(scrubText('search found nothing for Tsízmax', taint)).toBe('search found nothing for [redacted]');
  });

  it('keeps a word the server declares its own after a caller typed it (a prompt listed later)', () => {
    const taint = new TaintRegistry();
    taint.add({ name: 'find maria lopez' });
    taint.protect(['find_relative']);
    expect(scrubText('prompts/get find_relative for maria', taint)).toBe(
      'prompts/get find_relative for [redacted]',
    );
  });

  it('removes a date of birth whole when the caller typed it: no day and month are left behind', () => {
    const taint = new TaintRegistry();
    taint.add({ date_of_birth: '1990-12-17', query: 'born 17/12/1990 or 12/17/1990' });
    expect(scrubText('searching for 17/12/1990, 12/17/1990 and 1990-12-17', taint)).toBe(
      'searching for [date_numeric], [date_numeric] and [date_numeric]',
    );
  });

  it('forgets tainted values after their time to live, and not before', () => {
    vi.useFakeTimers();
    try {
      const taint = new TaintRegistry(60_000);
      taint.add(['Quäzrutlzur']);
      vi.advanceTimersByTime(59_000);
      expect(scrubText('Quäzrutlzur', taint)).not.toContain('Quäzrutlzur');
      vi.advanceTimersByTime(2_000);
      expect(scrubText('Quäzrutlzur', taint)).toBe('Quäzrutlzur');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('redaction count', () => {
  it('reports a rewrite once per value, and not for text only decoded or left alone', () => {
    let count = 0;
    const counted = () => count++;
    scrubText('A-113-716-303 and quanmath.85@example.com', undefined, counted);
    scrubText('tools/call%20search', undefined, counted);
    scrubText('tools/call search', undefined, counted);
    expect(count).toBe(1);
  });
});

describe('clean texts remembered across new taint', () => {
  it('re-scrubs a remembered clean text once a word in it is tainted, and only then', async () => {
    const { PrivacyGuard } = await import('../../src/privacy/guard.ts');
    const guard = new PrivacyGuard({ secret: 'a'.repeat(40) });
    expect(guard.scrub('lookup for Quanmath Zhuthnil')).toBe('lookup for Quanmath Zhuthnil');
    guard.taint.add({ query: 'unrelated words here' });
    expect(guard.scrub('lookup for Quanmath Zhuthnil')).toBe('lookup for Quanmath Zhuthnil');
    guard.taint.add({ last_name: 'Zhúthñíl' });
    expect(guard.scrub('lookup for Quanmath Zhuthnil')).toBe('lookup for Quanmath [redacted]');
  });

  it('removes a word tainted later from percent-encoded text seen before (decoded text is never remembered)', async () => {
    const { PrivacyGuard } = await import('../../src/privacy/guard.ts');
    const guard = new PrivacyGuard({ secret: 'a'.repeat(40) });
    expect(guard.scrub('GET /search?q=Zhu%74hnil')).toBe('GET /search?q=Zhuthnil');
    guard.taint.add({ last_name: 'Zhuthnil' });
    expect(guard.scrub('GET /search?q=Zhu%74hnil')).toBe('GET /search?q=[redacted]');
  });

  it('re-scrubs everything after more new words than it keeps track of', async () => {
    const { PrivacyGuard } = await import('../../src/privacy/guard.ts');
    const guard = new PrivacyGuard({ secret: 'a'.repeat(40) });
    expect(guard.scrub('seen by Quanmath')).toBe('seen by Quanmath');
    guard.taint.add({ name: 'Quanmath' });
    guard.taint.add(Array.from({ length: 300 }, (_, i) => `filler${i}`));
    expect(guard.scrub('seen by Quanmath')).toBe('seen by [redacted]');
  });
});
