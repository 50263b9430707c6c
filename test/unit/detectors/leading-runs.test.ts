import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LeadingRuns,
  RUNS_BLOCK_CHARS,
  RUNS_MAX_LENGTH,
} from '../../../functions/core/redaction/detectors/leading-runs.ts';
import { CharSet } from '../../../functions/core/redaction/regex-char-sets.ts';

/** The first run of `length` characters of `chars` at or after `from`, read one character at a time. */
function naiveRun(
  text: string,
  from: number,
  length: number,
  chars: CharSet,
): { first: number; end: number } {
  let runStart = from;
  for (let at = from; at < text.length; at++) {
    if (!chars.has(text.charCodeAt(at))) runStart = at + 1;
    else if (at + 1 - runStart >= length) {
      let end = at + 1;
      while (end < text.length && chars.has(text.charCodeAt(end))) end++;
      return { first: runStart, end };
    }
  }
  return { first: -1, end: -1 };
}

function setOf(codes: readonly number[]): CharSet {
  const set = CharSet.empty();
  for (const code of codes) set.add(code);
  return set;
}

// ASCII characters in every row and column of the kernel's table (NUL, `1`, `A`, `p`, DEL), and
// units above U+007F: Latin-1, units whose low byte is an ASCII character (`ı` U+0131 is 0x31,
// `1`; U+8031 too, above 0x7fff), the halves of an astral character, a lone one, U+FFFF.
const asciiUnits = ['\0', '1', 'A', 'p', '\x7f', ' ', 'z', '-'];
const otherUnits = ['é', '\u00ff', '\u0131', '\u0141', '\u8031', '😀', '\ud800', '\uffff'];

const setArbitrary = fc
  .tuple(fc.subarray(asciiUnits), fc.array(fc.integer({ min: 0, max: 127 }), { maxLength: 40 }), fc.boolean())
  .map(([units, codes, isAboveAsciiIn]) =>
    setOf([...units.map((unit) => unit.charCodeAt(0)), ...codes, ...(isAboveAsciiIn ? [128] : [])]),
  );

/** Texts of stretches of one of `units`, a few long enough to cross a block or to reach across one. */
function stretchesOf(units: readonly string[]): fc.Arbitrary<string> {
  return fc
    .array(
      fc.tuple(
        fc.constantFrom(...units),
        fc.oneof(
          { weight: 8, arbitrary: fc.integer({ min: 1, max: 80 }) },
          { weight: 1, arbitrary: fc.integer({ min: 1, max: RUNS_BLOCK_CHARS + 100 }) },
        ),
      ),
      { maxLength: 30 },
    )
    .map((stretches) => stretches.map(([unit, count]) => unit.repeat(count)).join(''));
}

/**
 * Texts of any of the units, and Latin-1 ones (read a byte a character), some with a unit above
 * U+00FF at or next to the end of the first block (the whole text read as UTF-16).
 */
const latin1Units = [...asciiUnits, ...otherUnits.filter((unit) => unit.charCodeAt(0) <= 0xff)];
const textArbitrary = fc.oneof(
  stretchesOf([...asciiUnits, ...otherUnits]),
  stretchesOf(latin1Units),
  fc
    .tuple(stretchesOf(latin1Units), fc.constantFrom('\u0131', '\u8031'), fc.integer({ min: -2, max: 2 }))
    .map(([text, unit, shift]) => {
      const at = RUNS_BLOCK_CHARS + shift;
      const long = text.padEnd(at + 1, '1');
      return `${long.slice(0, at)}${unit}${long.slice(at + 1)}`;
    }),
);

const lengthArbitrary = fc.oneof(
  fc.integer({ min: 1, max: 130 }),
  fc.integer({ min: RUNS_MAX_LENGTH - 2, max: RUNS_MAX_LENGTH }),
);

describe('LeadingRuns', () => {
  it('finds the first run of the set at or after a position and where it ends', () => {
    const runs = new LeadingRuns(3, setOf([...'0123456789'].map((digit) => digit.charCodeAt(0))));

    expect(runs.next('a 12 3456 b', 0)).toBe(5);
    expect(runs.end).toBe(9);
    expect(runs.next('a 12 3456 b', 6)).toBe(6);
    expect(runs.next('a 12 3456 b', 7)).toBe(-1);
  });

  it('forgets the run and the block of the last text when asked about another', () => {
    const runs = new LeadingRuns(1, setOf([112]));

    expect(runs.next('p', 0)).toBe(0);
    expect(runs.next('\0\0\0', 3)).toBe(-1);
    expect(runs.next('\0\0\0', 0)).toBe(-1);
    expect(runs.next('p', 0)).toBe(0);
    expect(runs.next('\0', 0)).toBe(-1);
    expect(runs.next('\0', 0)).toBe(-1);
  });

  it('finds the runs that reading every character finds, in any text and from any position (property)', () => {
    fc.assert(
      fc.property(
        setArbitrary,
        lengthArbitrary,
        fc.array(textArbitrary, { minLength: 1, maxLength: 2 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { minLength: 1, maxLength: 8 }),
        (chars, length, texts, queries) => {
          const runs = new LeadingRuns(length, chars);
          for (const [which, at, isFollowed] of queries) {
            const text = texts[which % texts.length] as string;
            let from = at % (text.length + 2);
            // Then from each run found on, as a search asking again after each candidate does.
            for (let step = 0; step < (isFollowed ? 6 : 1); step++) {
              const expected = naiveRun(text, from, length, chars);
              const first = runs.next(text, from);

              expect(first, `from ${from} of ${text.length}`).toBe(expected.first);
              if (first === -1) break;
              expect(runs.end, `end of the run at ${first}`).toBe(expected.end);
              from = step % 2 === 0 ? first + 1 : runs.end + 1;
            }
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('fails to look for runs longer than a block can hold with what leads up to them', () => {
    const digits = setOf([48, 49]);

    expect(() => new LeadingRuns(RUNS_MAX_LENGTH + 1, digits)).toThrow(RangeError);
    expect(() => new LeadingRuns(0, digits)).toThrow(RangeError);
  });
});
