import { describe, expect, it } from 'vitest';
import { analyzePattern, assertLinearTime } from '../../../functions/core/redaction/pattern-analysis.ts';

describe('analyzePattern', () => {
  it('measures the shortest and longest match of bounded patterns', () => {
    expect(analyzePattern('EMP-[0-9]{6}', '')).toEqual({
      minLength: 10,
      maxLength: 10,
      lookbehind: 0,
      lookahead: 0,
    });
    expect(analyzePattern('(?:ab|c){2,3}x?', '')).toEqual({
      minLength: 2,
      maxLength: 7,
      lookbehind: 0,
      lookahead: 0,
    });
    expect(analyzePattern('a|bcd|ef', 'i')).toEqual({
      minLength: 1,
      maxLength: 3,
      lookbehind: 0,
      lookahead: 0,
    });
  });

  it('counts word boundaries and lookarounds as context outside the match', () => {
    expect(analyzePattern('\\bEMP-[0-9]{6}\\b', '')).toEqual({
      minLength: 10,
      maxLength: 10,
      lookbehind: 1,
      lookahead: 1,
    });
    expect(analyzePattern('(?<=id:)[0-9]{6}', '')).toEqual({
      minLength: 6,
      maxLength: 6,
      lookbehind: 3,
      lookahead: 0,
    });
    expect(analyzePattern('(?<![A-Z]{1,4})[0-9]{3}(?![0-9]|-[0-9]{2})', '')).toEqual({
      minLength: 3,
      maxLength: 3,
      lookbehind: 4,
      lookahead: 3,
    });
    expect(analyzePattern('(?=[0-9]{8})[0-9]{2}', '')).toEqual({
      minLength: 2,
      maxLength: 2,
      lookbehind: 0,
      lookahead: 6,
    });
  });

  it('reaches past a lookahead nested in a lookbehind', () => {
    expect(analyzePattern('(?<=a(?=bcd))b', '')).toEqual({
      minLength: 1,
      maxLength: 1,
      lookbehind: 1,
      lookahead: 2,
    });
  });

  it('allows ^ and $ as line anchors with the m flag, one character of context each', () => {
    expect(analyzePattern('^[A-Z]{2}[0-9]{4}$', 'm')).toEqual({
      minLength: 6,
      maxLength: 6,
      lookbehind: 1,
      lookahead: 1,
    });
  });

  it('counts two code units for characters that can be astral with the u flag', () => {
    expect(analyzePattern('.{3}', 'u').maxLength).toBe(6);
    expect(analyzePattern('.{3}', '').maxLength).toBe(3);
    expect(analyzePattern('[😀a]', 'u').maxLength).toBe(2);
    expect(analyzePattern('😀', 'u').maxLength).toBe(2);
    expect(analyzePattern('[a-z\\d]{4}', 'u').maxLength).toBe(4);
    expect(analyzePattern('[^a]\\p{L}', 'u').maxLength).toBe(4);
  });

  it('rejects unbounded quantifiers, naming the quantifier and its offset', () => {
    expect(() => analyzePattern('EMP-[0-9]+', '')).toThrow(
      'unbounded quantifier `+` at offset 9; use a bounded repeat such as {1,64}',
    );
    expect(() => analyzePattern('a.*b', '')).toThrow('unbounded quantifier `*` at offset 2');
    expect(() => analyzePattern('x{2,}', '')).toThrow('unbounded quantifier `{2,}` at offset 1');
    expect(() => analyzePattern('^(a+)+$', 'm')).toThrow('unbounded quantifier `+`');
  });

  it('rejects unbounded lookarounds', () => {
    expect(() => analyzePattern('(?<=a+)b', '')).toThrow('lookbehind must be bounded');
    expect(() => analyzePattern('b(?=.*c)', '')).toThrow('lookahead must be bounded');
  });

  it('rejects backreferences, named or numbered', () => {
    expect(() => analyzePattern('(a)\\1', '')).toThrow('backreferences are not allowed');
    expect(() => analyzePattern('(?<x>a)\\k<x>', '')).toThrow('backreferences are not allowed');
  });

  it('rejects patterns that can match the empty string', () => {
    expect(() => analyzePattern('a?', '')).toThrow('pattern can match the empty string');
    expect(() => analyzePattern('a{0,3}|b', '')).toThrow('pattern can match the empty string');
    expect(() => analyzePattern('\\b', '')).toThrow('pattern can match the empty string');
  });

  it('rejects ^ and $ without the m flag: they would anchor to a scan window', () => {
    expect(() => analyzePattern('^[0-9]{3}', '')).toThrow('`^` at offset 0 anchors to the scanned window');
    expect(() => analyzePattern('[0-9]{3}$', '')).toThrow('`$` at offset 8');
  });

  it('rejects syntax errors and flags other than imsu', () => {
    expect(() => analyzePattern('(a', '')).toThrow('invalid regular expression');
    expect(() => analyzePattern('a', 'g')).toThrow('flags "g" are not allowed');
    expect(() => analyzePattern('a', 'v')).toThrow('flags "v" are not allowed');
  });
});

describe('assertLinearTime', () => {
  it('accepts patterns without ambiguous repetition', () => {
    expect(() => assertLinearTime('EMP-[0-9]{6}', '')).not.toThrow();
    expect(() => assertLinearTime('(?<![0-9])[0-9]{3}-[0-9]{2}-[0-9]{4}', '')).not.toThrow();
  });

  it('rejects the classic exponential pattern', () => {
    expect(() => assertLinearTime('^(a+)+$', '')).toThrow(
      /catastrophic backtracking: recheck found exponential/,
    );
  });

  it('rejects a bounded pattern with nested repeats that still backtracks exponentially', () => {
    expect(analyzePattern('(a{1,30}){1,30}b', '').maxLength).toBe(901);
    expect(() => assertLinearTime('(a{1,30}){1,30}b', '')).toThrow(
      /exponential.*attack string of \d+ characters/,
    );
  });

  it('rejects adjacent overlapping repeats that backtrack polynomially', () => {
    expect(() => assertLinearTime('\\s{0,50}\\s{0,50}x', '')).toThrow(/polynomial/);
  });
});
