import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digitShapes } from '../../../functions/core/redaction/detectors/digit-shapes.ts';
import { DIGIT_STARTS_BLOCK_CHARS } from '../../../functions/core/redaction/detectors/digit-starts.ts';
import { lookalikes, shapeLike, digitShapePatterns as shapes } from './digit-shape-patterns.ts';
import { naiveSearch } from './naive-search.ts';

const names = Object.keys(shapes) as (keyof typeof digitShapes)[];

/** Text made of what the shapes are made of: digits, their separators, a letter and a line feed. */
const digitText = fc.string({ unit: fc.constantFrom(...'0123456789.-) (x\n'), maxLength: 60 });

/**
 * Text long enough to be read by the kernel, across the end of its first block: shapes,
 * near-shapes, characters that could pass for theirs and any others (astral ones too),
 * repeated, then more shapes at the end of the block and past it.
 */
const longText = fc
  .tuple(
    fc.array(
      fc.oneof(
        ...shapeLike.map((shape) => fc.stringMatching(shape)),
        fc.string({ unit: fc.constantFrom(...'0123456789.-) (x\n', ...lookalikes), maxLength: 12 }),
        fc.string({ unit: 'grapheme', maxLength: 4 }),
      ),
      { minLength: 1, maxLength: 12 },
    ),
    fc.integer({ min: -20, max: 20 }),
    fc.array(fc.oneof(...shapeLike.map((shape) => fc.stringMatching(shape))), { maxLength: 4 }),
  )
  .map(([pieces, cut, tail]) => {
    const unit = `${pieces.join('')} `;
    const length = DIGIT_STARTS_BLOCK_CHARS + cut;
    return unit.repeat(Math.ceil(length / unit.length)).slice(0, length) + tail.join('');
  });

describe('digit shapes', () => {
  it('find where cards, SSNs, phone numbers and IPv4 addresses can be', () => {
    const text = 'call (555) 234-5678, ssn 123-45-6789 or 219099999, card 4111 1111 1111 1111 from 10.1.2.3';
    // The space before `234-5678`, not the `)`: the exchange must follow the separator.
    expect(digitShapes.nanpCore(text, 0)).toBe(10);
    expect(digitShapes.ssn(text, 0)).toBe(25);
    expect(digitShapes.compactSsn(text, 0)).toBe(40);
    expect(digitShapes.card(text, 0)).toBe(56);
    // The digit before the first dot of `10.1.2.3`, and none after it.
    expect(digitShapes.ipv4Core(text, 0)).toBe(82);
    expect(digitShapes.ipv4Core(text, 83)).toBe(-1);
  });

  it('answer every query as a fresh search of its shape would, whatever the order of texts, shapes and positions (property)', () => {
    fc.assert(
      fc.property(
        fc.array(digitText, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...names)), { maxLength: 40 }),
        (texts, queries) => {
          for (const [which, at, name] of queries) {
            const text = texts[which % texts.length] as string;
            const from = at % (text.length + 1);
            expect(digitShapes[name](text, from), `${name} in ${JSON.stringify(text)} from ${from}`).toBe(
              naiveSearch(shapes[name], text, from),
            );
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('give every position of every shape, each search walking its own from one to the next (property)', () => {
    fc.assert(
      fc.property(digitText, (text) => expectWalksFindAll(text, 0, JSON.stringify(text))),
      { numRuns: 2000 },
    );
  });

  it('give every position of every shape in long texts, read by the kernel, as the searches walk them (property)', () => {
    fc.assert(
      fc.property(longText, fc.nat(), (text, seed) => {
        // From the start or from a random position, as a detector resuming after a match does.
        const from = seed % 2 === 0 ? 0 : seed % (text.length + 1);
        expectWalksFindAll(text, from, `from ${from}`);
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * Walks every search through `text` from `from`, each from one of its positions to the next and
 * interleaved, as the detectors sharing the positions do, and expects each to give exactly the
 * positions where its shape matches.
 */
function expectWalksFindAll(text: string, from: number, label: string): void {
  const walks = names.map((name) => ({ name, at: digitShapes[name](text, from), found: [] as number[] }));
  const isOn = (walk: { at: number }): boolean => walk.at !== -1;
  for (let active = walks.filter(isOn); active.length > 0; active = active.filter(isOn)) {
    for (const walk of active) {
      walk.found.push(walk.at);
      walk.at = digitShapes[walk.name](text, walk.at + 1);
    }
  }
  for (const { name, found } of walks) {
    const expected: number[] = [];
    for (
      let at = naiveSearch(shapes[name], text, from);
      at !== -1;
      at = naiveSearch(shapes[name], text, at + 1)
    ) {
      expected.push(at);
    }
    expect(found, `${name} ${label}`).toEqual(expected);
  }
}
