import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClassSequences,
  SEQUENCES_BLOCK_CHARS,
} from '../../../functions/core/redaction/detectors/class-sequences.ts';
import { startSequencesOf } from '../../../functions/core/redaction/pattern-start-sequences.ts';
import { CharSet } from '../../../functions/core/redaction/regex-char-sets.ts';

/** A class of the characters of `chars`; `é` in it stands for every character above U+007F. */
function classOf(chars: string): CharSet {
  const set = CharSet.empty();
  for (const char of chars) set.add(char.charCodeAt(0));
  return set;
}

const classes = ['sS', 'eE', 'cC', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789', ' _-', 'a', 'S@_[', 'sé'].map(
  classOf,
);

/**
 * Characters the classes hold or nearly do, and others above U+007F: `œ` (U+0153) and `Ł`
 * (U+0141) whose low bytes are `S` and `A`, `é`, an astral character (a surrogate pair).
 */
const characters = [
  's',
  'S',
  'e',
  'E',
  'c',
  'C',
  'A',
  'Z',
  '0',
  '9',
  ' ',
  '_',
  '-',
  'a',
  '@',
  'x',
  'é',
  'œ',
  'Ł',
  '😀',
];

/** Every position at or after `from` where one of `sequences` starts, by trying each. */
function naiveStarts(sequences: readonly (readonly CharSet[])[], text: string, from: number): number[] {
  const starts: number[] = [];
  for (let start = from; start < text.length; start++) {
    const isStart = sequences.some(
      (sequence) =>
        start + sequence.length <= text.length &&
        sequence.every((charSet, offset) => charSet.has(text.charCodeAt(start + offset))),
    );
    if (isStart) starts.push(start);
  }
  return starts;
}

/** Every position `next` reports at or after `from`, asking from each one found plus one. */
function reported(search: ClassSequences, text: string, from: number): number[] {
  const starts: number[] = [];
  for (let at = search.next(text, from); at !== -1; at = search.next(text, at + 1)) starts.push(at);
  return starts;
}

const sequencesArbitrary = fc.array(fc.array(fc.constantFrom(...classes), { minLength: 1, maxLength: 18 }), {
  minLength: 1,
  maxLength: 11,
});

/**
 * Texts of up to three blocks and a bit, so that blocks end inside them: a few pieces of the
 * characters above, each repeated up to 1500 times.
 */
const longTextArbitrary = fc
  .array(
    fc.tuple(
      fc.array(fc.constantFrom(...characters), { minLength: 1, maxLength: 12 }),
      fc.integer({ min: 1, max: 1500 }),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((pieces) =>
    pieces
      .map(([piece, times]) => piece.join('').repeat(times))
      .join('')
      .slice(0, 3 * SEQUENCES_BLOCK_CHARS + 100),
  );

describe('class sequences', () => {
  it('find where a keyword starts in any case', () => {
    const search = new ClassSequences(startSequencesOf('secret', 'i')?.sequences ?? []);

    expect(search.next('top SECRET, a Secret', 0)).toBe(4);
    expect(search.next('top SECRET, a Secret', 5)).toBe(14);
    expect(search.next('top SECRET, a Secret', 15)).toBe(-1);
  });

  it('skip no position where one of the sequences starts, in short texts from any position (property)', () => {
    fc.assert(
      fc.property(
        sequencesArbitrary,
        fc.array(fc.constantFrom(...characters), { maxLength: 80 }),
        fc.nat(),
        (sequences, chars, seed) => {
          const text = chars.join('');
          const from = seed % (text.length + 1);
          const found = reported(new ClassSequences(sequences), text, from);

          expect(found).toEqual(expect.arrayContaining(naiveStarts(sequences, text, from)));
          expect(found).toEqual([...found].sort((a, b) => a - b));
          expect(found.every((at) => at >= from && at < text.length)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('skip no position where one of the sequences starts, across blocks of long texts (property)', () => {
    fc.assert(
      fc.property(sequencesArbitrary, longTextArbitrary, fc.nat(), (sequences, text, seed) => {
        const from = seed % (text.length + 1);
        const found = new Set(reported(new ClassSequences(sequences), text, from));

        for (const start of naiveStarts(sequences, text, from))
          expect(found.has(start), `at ${start}`).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('skip no sequence cut by the end of a block (property)', () => {
    // Sequences written over `x` (in no class) where blocks end: a block starts at the first
    // position asked for, the next where it ends.
    const membersOf = (charSet: CharSet): string[] => [
      ...Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)).filter((char) =>
        charSet.has(char.charCodeAt(0)),
      ),
      ...(charSet.has(128) ? ['é', 'œ'] : []),
    ];
    fc.assert(
      fc.property(
        sequencesArbitrary,
        fc.nat(100),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: -20, max: 20 }), fc.nat()), {
          minLength: 1,
          maxLength: 6,
        }),
        (sequences, from, plants) => {
          const chars = Array<string>(2 * SEQUENCES_BLOCK_CHARS + 200).fill('x');
          for (const [which, shift, seed] of plants) {
            const sequence = sequences[which % sequences.length] as readonly CharSet[];
            const at = from + SEQUENCES_BLOCK_CHARS * (1 + (seed % 2)) + shift;
            sequence.forEach((charSet, offset) => {
              const members = membersOf(charSet);
              chars[at + offset] = members[(seed >> offset) % members.length] as string;
            });
          }
          const text = chars.join('');
          const found = new Set(reported(new ClassSequences(sequences), text, from));

          for (const start of naiveStarts(sequences, text, from))
            expect(found.has(start), `at ${start}`).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answer each query as a fresh search would, whatever the order of texts and positions (property)', () => {
    fc.assert(
      fc.property(
        sequencesArbitrary,
        fc.array(longTextArbitrary, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 12 }),
        (sequences, texts, queries) => {
          const search = new ClassSequences(sequences);
          for (const [which, seed] of queries) {
            const text = texts[which % texts.length] as string;
            const from = seed % (text.length + 1);

            expect(search.next(text, from), `from ${from}`).toBe(
              new ClassSequences(sequences).next(text, from),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
