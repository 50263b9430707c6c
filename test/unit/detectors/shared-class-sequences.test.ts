import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classSequenceSearch,
  shapeSearch,
} from '../../../functions/core/redaction/detectors/candidate-search.ts';
import { SEQUENCES_BLOCK_CHARS } from '../../../functions/core/redaction/detectors/class-sequences.ts';
import { SharedClassSequences } from '../../../functions/core/redaction/detectors/shared-class-sequences.ts';
import { startSequencesOf } from '../../../functions/core/redaction/pattern-start-sequences.ts';
import { CharSet } from '../../../functions/core/redaction/regex-char-sets.ts';

function classOf(chars: string): CharSet {
  const set = CharSet.empty();
  for (const char of chars) set.add(char.charCodeAt(0));
  return set;
}

const classes = ['sS', 'eE', 'cC', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789', ' _-', 'a', 'S@_['].map(
  classOf,
);
const characters = [
  's',
  'S',
  'e',
  'E',
  'c',
  'C',
  'r',
  't',
  'k',
  'y',
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
];

const sequencesArbitrary = fc.array(fc.array(fc.constantFrom(...classes), { minLength: 1, maxLength: 18 }), {
  minLength: 1,
  maxLength: 11,
});

/** Texts of up to three blocks and a bit: pieces of the characters above, each repeated. */
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

/** The first position at or after `from` where one of `sequences` starts, by trying each, or -1. */
function naiveNext(sequences: readonly (readonly CharSet[])[], text: string, from: number): number {
  for (let start = from; start < text.length; start++) {
    const isStart = sequences.some(
      (sequence) =>
        start + sequence.length <= text.length &&
        sequence.every((charSet, offset) => charSet.has(text.charCodeAt(start + offset))),
    );
    if (isStart) return start;
  }
  return -1;
}

describe('shared class sequences', () => {
  it('find each member its own sequences in one pass', () => {
    const shared = new SharedClassSequences();
    const secret = shared.member('secret', startSequencesOf('secret', 'i')?.sequences ?? []);
    const iban = shared.member('iban', startSequencesOf('[A-Z][A-Z][0-9][0-9]', '')?.sequences ?? []);
    const text = 'top SECRET, DE89 and a Secret';

    expect(iban(text, 0)).toBe(12);
    expect(secret(text, 0)).toBe(4);
    expect(secret(text, 5)).toBe(23);
    expect(iban(text, 13)).toBe(-1);
  });

  it('skip no start of a member, whatever the order in which members and texts ask (property)', () => {
    fc.assert(
      fc.property(
        fc.array(sequencesArbitrary, { minLength: 1, maxLength: 3 }),
        fc.array(longTextArbitrary, { minLength: 1, maxLength: 2 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 16 }),
        (members, texts, queries) => {
          const shared = new SharedClassSequences();
          const searches = members.map((sequences, i) => shared.member(`m${i}`, sequences));
          for (const [who, which, seed] of queries) {
            const member = who % members.length;
            const text = texts[which % texts.length] as string;
            const from = seed % (text.length + 1);
            const found = (searches[member] as (text: string, from: number) => number)(text, from);
            const first = naiveNext(members[member] as readonly (readonly CharSet[])[], text, from);

            if (first === -1) expect(found === -1 || found >= from, `from ${from}`).toBe(true);
            else expect(found >= from && found <= first, `from ${from}: ${found}, first ${first}`).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('give the searches of shapes what their own kernels give, asked in turns (property)', () => {
    const shapes = [
      /[A-Z][A-Z][0-9][0-9] ?[0-9A-Z][0-9A-Z]/,
      /secret_key|aws_secret|secret access key/i,
      /[0-9]_S/,
    ];
    fc.assert(
      fc.property(
        longTextArbitrary,
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 24 }),
        (text, queries) => {
          const shared = new SharedClassSequences();
          const together = shapes.map((shape) => classSequenceSearch(shape, shapeSearch(shape), 0, shared));
          const alone = shapes.map((shape) => classSequenceSearch(shape, shapeSearch(shape), 0));
          for (const [who, seed] of queries) {
            const from = seed % (text.length + 1);
            const which = who % shapes.length;

            expect(together[which]?.(text, from), `shape ${which} from ${from}`).toBe(
              alone[which]?.(text, from),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects a ninth member', () => {
    const shared = new SharedClassSequences();
    for (let i = 0; i < 8; i++) shared.member(`m${i}`, [[classOf('a')]]);

    expect(() => shared.member('m8', [[classOf('a')]])).toThrow(RangeError);
  });
});
