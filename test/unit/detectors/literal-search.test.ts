import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  literalShapeSearch,
  startLiteralOf,
} from '../../../functions/core/redaction/detectors/literal-search.ts';
import {
  type StartSequences,
  startSequencesOf,
} from '../../../functions/core/redaction/pattern-start-sequences.ts';
import { naiveSearch } from './naive-search.ts';

const startOf = (pattern: string, flags = ''): StartSequences =>
  startSequencesOf(pattern, flags) as StartSequences;

describe('startLiteralOf', () => {
  it('finds the character every match holds alone near its start, at the least reach', () => {
    expect(startLiteralOf(startOf('(?:\\(0[0-9]|0[0-9]{2,4}-|0[1-9](?: [0-9]{2}){4})'))).toEqual({
      char: '0',
      reach: 1,
    });
    expect(startLiteralOf(startOf('[0-9]{2}/[0-9]'))).toEqual({ char: '/', reach: 2 });
  });

  it('finds none where V8 skips by a first character itself, or only letters and spaces hold alone', () => {
    expect(startLiteralOf(startOf('-p[a-z]'))).toBeUndefined();
    expect(startLiteralOf(startOf('[12] [0-9]{2}'))).toBeUndefined();
    expect(startLiteralOf(startOf('[0-9]x', 'i'))).toBeUndefined();
    expect(startLiteralOf(startOf('[0-9]x'))).toBeUndefined();
    // `/` past the first positions: an occurrence would leave too many starts to try.
    expect(startLiteralOf(startOf('[0-9]{3}/'))).toBeUndefined();
  });
});

describe('literalShapeSearch', () => {
  it('finds the positions the shape matches at, as trying each one does', () => {
    const pattern = '(?:\\(0[0-9]|0[0-9]-|0/)';
    const search = literalShapeSearch(
      startLiteralOf(startOf(pattern)) ?? { char: '', reach: 0 },
      new RegExp(pattern),
    );
    expect(search('a 07 (07 09- 0/', 0)).toBe(5);
    expect(search('a 07 (07 09- 0/', 6)).toBe(9);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0(7-/ x'), maxLength: 30 }),
        fc.nat(32),
        (text, from) => {
          expect(search(text, from)).toBe(naiveSearch(new RegExp(pattern), text, from));
        },
      ),
    );
  });
});
