import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertBoundedBacktracking } from '../../../functions/core/redaction/backtracking-check.ts';
import { literalPrefixes } from '../../../functions/core/redaction/pattern-prefixes.ts';
import { shapeOf } from '../../../functions/core/redaction/pattern-shape.ts';

describe('literalPrefixes', () => {
  it('lists the literals every match starts with, in lower case when the pattern ignores case', () => {
    expect(literalPrefixes('(?<![a-z])(?:ghp|gho)_[A-Za-z0-9]{36}', '')).toEqual(['ghp_', 'gho_']);
    expect(literalPrefixes('[rs]k_(?:live|test)_x', '')).toEqual([
      'rk_live_x',
      'rk_test_x',
      'sk_live_x',
      'sk_test_x',
    ]);
    expect(literalPrefixes('AKIA[A-Z2-7]{16}', '')).toEqual(['AKIA']);
    expect(literalPrefixes('(?:Bearer|bearer) ', '')).toEqual(['Bearer ', 'bearer ']);
    expect(literalPrefixes('Token', 'i')).toEqual(['token']);
  });

  it('stops at the first part that is not literal', () => {
    expect(literalPrefixes('sk-(?:proj-)?[a-z]{20}', '')).toEqual(['sk-']);
    expect(literalPrefixes('xox[abeoprs]-', '')).toEqual(['xox']);
  });

  it('gives no prefix when a match can start with any of many characters', () => {
    expect(literalPrefixes('a?b', '')).toBeUndefined();
    expect(literalPrefixes('[0-9]{4}', '')).toBeUndefined();
  });
});

describe('assertBoundedBacktracking', () => {
  it('accepts token patterns whose repeats end where what follows begins', () => {
    for (const pattern of [
      'glpat-[0-9A-Za-z_-]{20,64}(?![0-9A-Za-z_-])',
      '(?:-[0-9]{10,13}){3}-[a-z]{2}',
      'sk-(?:proj-)?[A-Za-z0-9_-]{20,200}',
      '(?<=[a-z]{0,10}=)[0-9]{4}',
    ]) {
      expect(() => assertBoundedBacktracking(pattern, ''), pattern).not.toThrow();
    }
  });

  it('rejects overlapping repeats whose ways to split the text multiply past the bound', () => {
    expect(() => assertBoundedBacktracking('[a-z]{1,64}[a-z0-9]{1,64}x', '')).toThrow(/more than 256 ways/);
  });

  it('rejects ambiguity inside a repeated part', () => {
    expect(() => assertBoundedBacktracking('(?:a|a){1,30}b', '')).toThrow(
      /alternatives inside a repeated group/,
    );
    expect(() => assertBoundedBacktracking('(?:a{1,10}){1,10}b', '')).toThrow(/sits in a repeated part/);
    expect(() => assertBoundedBacktracking('(?:a?){2,5}', '')).toThrow(/can match nothing/);
  });

  it('checks lookbehinds right to left, as the engine runs them', () => {
    expect(() => assertBoundedBacktracking('(?<=[a-z]{0,64}[a-z0-9]{0,64}[a-z]{0,8})x', '')).toThrow();
  });
});

describe('shapeOf', () => {
  it('writes out the repeats every match starts with', () => {
    expect(shapeOf('(?<![0-9])[0-9]{2}-[0-9]{4,6}', '')).toBe('[0-9][0-9]-[0-9][0-9][0-9][0-9]');
    expect(shapeOf('a?b', '')).toBeUndefined();
  });

  it('matches wherever the pattern starts a match (property)', () => {
    const patterns = [
      '(?<![0-9A-Fa-f:.-])(?:[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4})',
      '(?<![A-Za-z0-9])[13][1-9A-HJ-NP-Za-km-z]{5,8}(?![A-Za-z0-9])',
      '(?<![0-9])[0-9]{2}[ -]?[0-9]{3}[ -]?[0-9](?![0-9])',
      '(?:ab|cd){2}[0-9]{1,3}x',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...patterns),
        fc.string({
          unit: fc.constantFrom('1', '3', 'a', 'b', 'c', 'd', 'F', ':', '-', '.', ' ', 'x', '9'),
          maxLength: 40,
        }),
        (pattern, text) => {
          const regex = new RegExp(pattern, 'y');
          const shape = new RegExp(shapeOf(pattern, '') as string, 'y');
          for (let start = 0; start < text.length; start++) {
            regex.lastIndex = start;
            shape.lastIndex = start;
            if (regex.test(text)) expect(shape.test(text), `${pattern} at ${start} of ${text}`).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
