import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnchorSearch } from '../../../functions/core/redaction/detectors/anchor-search.ts';
import { isWord } from '../../../functions/core/redaction/detectors/is-word.ts';

/** Every occurrence of every anchor (ignoring case) starting at or after `from`, by brute force. */
function occurrences(text: string, anchors: readonly string[], from: number): [number, number[]][] {
  const lower = text.toLowerCase();
  const found: [number, number[]][] = [];
  for (let start = from; start < text.length; start++) {
    const here = anchors.flatMap((anchor, index) =>
      lower.startsWith(anchor.toLowerCase(), start) ? [index] : [],
    );
    if (here.length > 0) found.push([start, here]);
  }
  return found;
}

function walk(search: AnchorSearch, text: string, from: number): [number, number[]][] {
  const found: [number, number[]][] = [];
  for (
    let occurrence = search.next(text, from);
    occurrence !== undefined;
    occurrence = search.next(text, occurrence.start + 1)
  ) {
    found.push([occurrence.start, [...occurrence.anchors].sort((a, b) => a - b)]);
  }
  return found;
}

const anchorArbitrary = fc.string({
  unit: fc.constantFrom('a', 'b', 'A', 'B', '-', '_', '1'),
  minLength: 1,
  maxLength: 5,
});

/**
 * The occurrences from `from` on, by the automaton in JavaScript: for each start, a search of the
 * few characters an anchor starting there can span (short texts are not read by the lanes).
 */
function occurrencesByWindows(
  text: string,
  anchors: readonly string[],
  ignoreCase: readonly boolean[],
  from: number,
): [number, number[]][] {
  const depth = Math.max(...anchors.map((anchor) => anchor.toLowerCase().length));
  const search = new AnchorSearch(anchors, ignoreCase);
  const found: [number, number[]][] = [];
  for (let start = from; start < text.length; start++) {
    const occurrence = search.next(text.slice(start, start + depth), 0);
    if (occurrence?.start === 0) found.push([start, [...occurrence.anchors].sort((a, b) => a - b)]);
  }
  return found;
}

/** Characters around anchors: other cases, beyond Latin-1, lone and paired surrogates, NUL, U+FFFF. */
const fillerArbitrary = fc.constantFrom(
  ' ',
  'x',
  'A',
  'b',
  '-',
  'ß',
  'İ',
  'é',
  'К',
  '主',
  '😀',
  '\ud83d',
  '\ude00',
  '\u0000',
  '\uffff',
);

describe('AnchorSearch', () => {
  it('finds every anchor occurrence in start order, ignoring case, from any position (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(anchorArbitrary, {
          minLength: 1,
          maxLength: 8,
          selector: (anchor) => anchor.toLowerCase(),
        }),
        fc.string({
          unit: fc.constantFrom('a', 'b', 'A', 'B', '-', '_', '1', ' ', 'é', 'É', 'ß'),
          maxLength: 60,
        }),
        fc.nat(),
        (anchors, text, seed) => {
          const from = text.length === 0 ? 0 : seed % text.length;
          expect(walk(new AnchorSearch(anchors), text, from)).toEqual(occurrences(text, anchors, from));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps searches with the same anchors apart, and one with other anchors built afresh, interleaved (property)', () => {
    const textArbitrary = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '-', '1', ' '), maxLength: 40 });
    fc.assert(
      fc.property(
        fc.uniqueArray(anchorArbitrary, {
          minLength: 1,
          maxLength: 6,
          selector: (anchor) => anchor.toLowerCase(),
        }),
        anchorArbitrary,
        textArbitrary,
        textArbitrary,
        (anchors, other, first, second) => {
          // The second search reuses the first one's automaton, the third is built for other anchors.
          const searches = [new AnchorSearch(anchors), new AnchorSearch(anchors), new AnchorSearch([other])];
          // The first is left part way through its text while the second reads another.
          searches[0]?.next(first, 0);
          expect(walk(searches[1] as AnchorSearch, second, 0)).toEqual(occurrences(second, anchors, 0));
          expect(walk(searches[0] as AnchorSearch, first, 0)).toEqual(occurrences(first, anchors, 0));
          expect(walk(searches[2] as AnchorSearch, first, 0)).toEqual(occurrences(first, [other], 0));
          expect(walk(new AnchorSearch(anchors), second, 0)).toEqual(occurrences(second, anchors, 0));
        },
      ),
      { numRuns: 300 },
    );
  });

  // Anchors of up to 40 characters make the lanes start far before where they record (the
  // shipped packs' longest anchor has 37).
  it.each([6, 40])(
    'reads long texts (WebAssembly lanes, in blocks) to the same occurrences as short windows read in JavaScript, anchors of up to %i characters (property)',
    (maxAnchorLength) => {
      fc.assert(
        fc.property(
          fc.uniqueArray(
            fc.record({
              anchor: fc.string({
                unit: fc.constantFrom('a', 'b', 'A', 'B', '-', '_', '1', 'é', 'É', 'ü', 'К', 'к', '😀'),
                minLength: 1,
                maxLength: maxAnchorLength,
              }),
              isAnyCase: fc.boolean(),
            }),
            { minLength: 1, maxLength: 12, selector: ({ anchor }) => anchor },
          ),
          fc.array(fc.oneof(fc.nat(), fillerArbitrary), { minLength: 1, maxLength: 40 }),
          // Past the lanes' threshold, often past one block (8192 characters).
          fc.integer({ min: 256, max: 20_000 }),
          fc.nat(),
          (entries, pieces, length, seed) => {
            const anchors = entries.map(({ anchor }) => anchor);
            const ignoreCase = entries.map(({ isAnyCase }) => isAnyCase);
            // A number picks an anchor, as written or in the other case: anchors overlap, and one ends the text.
            const piece = (value: string | number, i: number): string => {
              if (typeof value === 'string') return value;
              const anchor = anchors[value % anchors.length] as string;
              return i % 3 === 0 ? anchor.toUpperCase() : anchor;
            };
            const body = pieces.map(piece).join('');
            const text = body.repeat(Math.ceil(length / body.length)).slice(0, length) + piece(seed, seed);
            const from = seed % text.length;
            expect(walk(new AnchorSearch(anchors, ignoreCase), text, from)).toEqual(
              occurrencesByWindows(text, anchors, ignoreCase, from),
            );
          },
        ),
        { numRuns: 150 },
      );
    },
  );

  it('finds a word-only anchor only where it is a word of its own, in short and long texts (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ anchor: anchorArbitrary, isWordOnly: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
          selector: ({ anchor }) => anchor.toLowerCase(),
        }),
        fc.array(fc.oneof(fc.nat(), fc.constantFrom('a', 'b', 'A', 'B', '-', 'x', 'X', ' ')), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 12_000 }),
        fc.nat(),
        (entries, pieces, length, seed) => {
          const anchors = entries.map(({ anchor }) => anchor);
          const isWordOnly = entries.map((entry) => entry.isWordOnly);
          const body = pieces
            .map((piece) => (typeof piece === 'string' ? piece : (anchors[piece % anchors.length] as string)))
            .join('');
          const text = body.repeat(Math.ceil(length / body.length)).slice(0, length);
          const from = seed % text.length;
          const expected = occurrences(text, anchors, from)
            .map(([start, found]): [number, number[]] => [
              start,
              found.filter(
                (anchor) =>
                  !isWordOnly[anchor] || isWord(text, start, start + (anchors[anchor] as string).length),
              ),
            ])
            .filter(([, found]) => found.length > 0);

          expect(
            walk(
              new AnchorSearch(
                anchors,
                anchors.map(() => true),
                isWordOnly,
              ),
              text,
              from,
            ),
          ).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers calls on one text in any order the same as a fresh search', () => {
    const anchors = ['glpat-', 'sk-', 'sk-ant-', 'AKIA'];
    const text = 'x sk-ant-1 akia GLPAT-2 sk-3';
    const search = new AnchorSearch(anchors);
    const forward = [0, 3, 9, 12, 20].map((from) => search.next(text, from));
    const backward = [20, 12, 9, 3, 0].map((from) => search.next(text, from)).reverse();

    expect(backward).toEqual(forward);
    expect(forward[0]).toEqual({ start: 2, anchors: [1, 2] });
  });

  it('finds nothing in text without anchors, and through characters beyond ASCII', () => {
    const search = new AnchorSearch(['hf_']);

    expect(search.next('😀 héllo wörld', 0)).toBeUndefined();
    expect(search.next('😀hf_x', 0)).toEqual({ start: 2, anchors: [0] });
  });

  it('finds anchors beyond ASCII in any case', () => {
    const search = new AnchorSearch(['führerschein', 'ключ']);

    expect(walk(search, 'Führerschein: B1, КЛЮЧ x', 0)).toEqual([
      [0, [0]],
      [18, [1]],
    ]);
  });

  it('rejects an anchor holding control characters', () => {
    expect(() => new AnchorSearch(['a\u0000b'])).toThrow(/control characters/);
  });
});
