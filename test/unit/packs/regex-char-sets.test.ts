import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CharSet } from '../../../functions/core/redaction/regex-char-sets.ts';

/** The codes 0–128 in `set` (128 stands for every character above U+007F). */
function members(set: CharSet): number[] {
  return Array.from({ length: 129 }, (_, code) => code).filter((code) => set.has(code));
}

describe('CharSet.caseFolded', () => {
  it('adds the other case of each ASCII letter in the set and nothing else (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 40 }), (codes) => {
        const set = CharSet.empty();
        for (const code of codes) set.add(code);
        const folded = new Set(members(set));
        for (const code of members(set)) {
          const letter = String.fromCharCode(code);
          if (/[A-Za-z]/.test(letter)) {
            folded.add(letter.toLowerCase().charCodeAt(0));
            folded.add(letter.toUpperCase().charCodeAt(0));
          }
        }
        expect(members(set.caseFolded())).toEqual([...folded].sort((a, b) => a - b));
        // The set folded is left as it was.
        expect(members(set)).toEqual(
          [...new Set(codes.map((code) => Math.min(code, 128)))].sort((a, b) => a - b),
        );
      }),
    );
  });
});

describe('CharSet.toJSON and CharSet.fromJSON', () => {
  it('give back, through JSON text, a set with the same members (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 60 }), (codes) => {
        const set = CharSet.empty();
        for (const code of codes) set.add(code);
        const copy = CharSet.fromJSON(JSON.parse(JSON.stringify(set)) as number[]);
        expect(members(copy)).toEqual(members(set));
        expect(copy).toEqual(set);
      }),
    );
  });
});
