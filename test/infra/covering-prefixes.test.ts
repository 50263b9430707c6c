import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coveringPrefixes } from '../../infra/lib/materializer.ts';

describe('coveringPrefixes', () => {
  it('keeps the prefixes no other one covers', () => {
    expect(coveringPrefixes(['exports/2026/', 'shared/', 'exports/', 'shared/'])).toEqual([
      'exports/',
      'shared/',
    ]);
    expect(coveringPrefixes(['logs/', ''])).toEqual(['']);
  });

  it('covers every key the given prefixes cover, with no two prefixes overlapping, for generated lists', () => {
    const prefix = fc.constantFrom('', 'a/', 'a/b/', 'a/c/', 'ab/', 'b/', 'b/a/');
    fc.assert(
      fc.property(fc.array(prefix, { minLength: 1, maxLength: 5 }), (prefixes) => {
        const covering = coveringPrefixes(prefixes);
        for (const given of prefixes) expect(covering.some((kept) => given.startsWith(kept))).toBe(true);
        for (const kept of covering) expect(prefixes).toContain(kept);
        for (const a of covering) {
          for (const b of covering) if (a !== b) expect(a.startsWith(b)).toBe(false);
        }
      }),
    );
  });
});
