import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPrefixCoverage } from '../../../functions/core/key-prefix-coverage.ts';
import { ruleSetCovers } from '../../../functions/core/redaction/scope-match.ts';

function matches(patterns: readonly string[], key: string): boolean {
  return ruleSetCovers(
    { scope: { buckets: ['*'], keys: [...patterns], callers: ['*'] } },
    { bucket: 'b', key, caller: { id: 'c' } },
  );
}

describe('keyPrefixCoverage', () => {
  it('answers none, some and all for the prefix form, a glob and an unrelated prefix', () => {
    expect(keyPrefixCoverage(['exports/'], 'exports/2026/')).toBe('all');
    expect(keyPrefixCoverage(['exports/'], 'exp')).toBe('some');
    expect(keyPrefixCoverage(['exports/*.csv'], 'exports/')).toBe('some');
    expect(keyPrefixCoverage(['exports/', 'logs/**'], 'logs/a')).toBe('all');
    expect(keyPrefixCoverage(['exports/'], 'logs/')).toBe('none');
    expect(keyPrefixCoverage(['**'], '')).toBe('all');
  });

  it('never says none when a key under the prefix matches, nor all when one does not', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '/', '.'), maxLength: 6 });
    const pattern = fc
      .array(fc.constantFrom('a', 'b', '/', '.', '*', '**', '?', 'ab/', '**/'), {
        minLength: 1,
        maxLength: 5,
      })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 3 }),
        text,
        fc.array(text, { maxLength: 12 }),
        (patterns, prefix, tails) => {
          const coverage = keyPrefixCoverage(patterns, prefix);
          const keys = tails.map((tail) => prefix + tail);
          if (coverage === 'none') expect(keys.filter((key) => matches(patterns, key))).toEqual([]);
          if (coverage === 'all') expect(keys.filter((key) => !matches(patterns, key))).toEqual([]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
