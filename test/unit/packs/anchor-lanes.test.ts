import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AnchorLanes,
  LANES_BLOCK_CHARS,
  type LanesAnchors,
} from '../../../functions/core/redaction/detectors/anchor-lanes.ts';
import { isWord } from '../../../functions/core/redaction/detectors/is-word.ts';

/** The automaton of the one anchor `ab` in any case: 0 root, 1 after `a`, 2 after `ab` (the output). */
function abAutomaton() {
  const transitions = new Uint16Array(3 * 128);
  for (const state of [0, 1, 2]) {
    transitions[state * 128 + 97] = 1;
    transitions[state * 128 + 65] = 1;
  }
  transitions[1 * 128 + 98] = 2;
  transitions[1 * 128 + 66] = 2;
  return { transitions, width: 128, extraSymbols: new Map(), firstOutputState: 2, outputs: [[0]], depth: 2 };
}

/** The ends the lanes report reading all of `text`. */
function endsOf(anchors: LanesAnchors, text: string): number[] {
  const lanes = new AnchorLanes(abAutomaton(), anchors);
  const ends: number[] = [];
  for (let first = 0; first < text.length; first += LANES_BLOCK_CHARS) {
    const count = lanes.scan(text, 0, first, Math.min(text.length, first + LANES_BLOCK_CHARS));
    for (let index = 0; index < count; index++) ends.push(lanes.endAt(index));
  }
  return ends;
}

/**
 * `ends` (reported by the lanes) are `expected`, but for ends at a block's end, where the
 * character after an anchor is unknown and the lanes may report one more; every expected end
 * is reported.
 */
function expectEndsBesideBlockEnds(ends: readonly number[], expected: readonly number[]): void {
  const blockEnds = ends.filter((end) => end % LANES_BLOCK_CHARS === 0);
  expect(ends.filter((end) => !blockEnds.includes(end))).toEqual(
    expected.filter((end) => !blockEnds.includes(end)),
  );
  for (const end of expected) expect(ends).toContain(end);
}

/**
 * Text of `units`, Latin-1 only or with characters above U+00FF besides (U+0100, whose low byte
 * is NUL, U+0161 `š`, U+2062, whose low byte is `b`, an emoji's halves): the lanes read a
 * Latin-1 stretch a byte a character, any other as UTF-16.
 */
function textOf(units: readonly string[]): fc.Arbitrary<string> {
  const latin1 = [...units, 'é', '\u00ff', '\u0080'];
  return fc.oneof(
    fc.string({ unit: fc.constantFrom(...latin1), maxLength: 1200 }),
    fc.string({ unit: fc.constantFrom(...latin1, '\u0100', 'š', '\u2062', '😀'), maxLength: 1200 }),
  );
}

describe('AnchorLanes', () => {
  it('reports where a one-anchor automaton reaches its output state, as positions of the string', () => {
    const lanes = new AnchorLanes(abAutomaton(), {
      anchors: ['ab'],
      ignoreCase: [true],
      isWordOnly: [false],
    });
    const text = `😀ab${'x'.repeat(300)}abAB`;

    const count = lanes.scan(text, 0, 0, text.length);

    expect(Array.from({ length: count }, (_, i) => [lanes.endAt(i), lanes.stateAt(i)])).toEqual([
      [4, 2],
      [306, 2],
      [308, 2],
    ]);
  });

  it('does not report where an anchor compared as written is written in another case', () => {
    const text = `ab Ab aB AB${'x'.repeat(300)}ab Ab aB AB`;

    expect(endsOf({ anchors: ['aB'], ignoreCase: [false], isWordOnly: [false] }, text)).toEqual([8, 319]);
  });

  it('does not report a word-only anchor inside a longer word, in any case convention', () => {
    const text = `ab xab abc xAb ab_c x-AB.${'y'.repeat(300)}xAbc abx ab`;

    expect(endsOf({ anchors: ['ab'], ignoreCase: [true], isWordOnly: [true] }, text)).toEqual([
      2, 14, 17, 24, 336,
    ]);
  });

  it('reports every output some anchor can be, and no other, in lanes and blocks of any length', () => {
    fc.assert(
      fc.property(
        textOf(['a', 'b', 'A', 'B', 'x', ' ']),
        fc.boolean(),
        fc.boolean(),
        (text, ignoreCase, isWordOnly) => {
          const literal = 'aB';
          const expected: number[] = [];
          for (let end = 2; end <= text.length; end++) {
            const written = text.slice(end - 2, end);
            if (written.toLowerCase() !== 'ab' || (!ignoreCase && written !== literal)) continue;
            if (isWordOnly && !isWord(text, end - 2, end)) continue;
            expected.push(end);
          }
          const ends = endsOf(
            { anchors: [literal], ignoreCase: [ignoreCase], isWordOnly: [isWordOnly] },
            text,
          );
          expectEndsBesideBlockEnds(ends, expected);
        },
      ),
    );
  });

  it('does not report an anchor after a character excluded before it or before one not allowed after it', () => {
    const bitsOf = (chars: readonly string[]): Uint16Array => {
      const bits = new Uint16Array(8);
      for (const char of chars) {
        const code = char.charCodeAt(0);
        bits[code >> 4] = (bits[code >> 4] as number) | (1 << (code & 15));
      }
      return bits;
    };
    fc.assert(
      fc.property(
        textOf(['a', 'b', 'B', 'x', ' ', '-']),
        fc.subarray(['a', 'b', 'x', ' ', '-']),
        fc.option(fc.subarray(['a', 'b', 'x', ' ', '-'])),
        (text, excluded, allowed) => {
          const expected: number[] = [];
          for (let end = 2; end <= text.length; end++) {
            if (text.slice(end - 2, end).toLowerCase() !== 'ab') continue;
            if (end > 2 && excluded.includes(text[end - 3] as string)) continue;
            if (allowed !== null && end < text.length && !allowed.includes(text[end] as string)) continue;
            expected.push(end);
          }
          const edges = {
            excludedBefore: bitsOf(excluded),
            allowedAfter: allowed === null ? undefined : bitsOf(allowed),
          };
          const ends = endsOf(
            { anchors: ['ab'], ignoreCase: [true], isWordOnly: [false], edges: [edges] },
            text,
          );
          expectEndsBesideBlockEnds(ends, expected);
        },
      ),
    );
  });

  it('reports every output across blocks where one holds a character above U+00FF at its edge (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', 'B', 'x', 'é'), minLength: 1, maxLength: 40 }),
        fc.constantFrom('\u0100', '\u2062', '€'),
        fc.integer({ min: -3, max: 3 }),
        (piece, unit, shift) => {
          const at = LANES_BLOCK_CHARS + shift;
          const latin1 = piece.repeat(Math.ceil((2 * LANES_BLOCK_CHARS + 50) / piece.length));
          const text = latin1.slice(0, at) + unit + latin1.slice(at + 1);
          const expected: number[] = [];
          for (let end = 2; end <= text.length; end++) {
            if (text.slice(end - 2, end).toLowerCase() === 'ab') expected.push(end);
          }

          // Unchecked (no edges, any case, not word-only): the ends at a block's end are exact too.
          expect(endsOf({ anchors: ['ab'], ignoreCase: [true], isWordOnly: [false] }, text)).toEqual(
            expected,
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reports the same outputs reading a Latin-1 text a byte a character as reading it as UTF-16 (property)', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', 'b', 'B', 'x', ' ', '-', 'é', '\u00e1', '\u00ff'),
          maxLength: 1200,
        }),
        fc.boolean(),
        fc.boolean(),
        (text, ignoreCase, isWordOnly) => {
          const anchors = { anchors: ['aB'], ignoreCase: [ignoreCase], isWordOnly: [isWordOnly] };
          const lanes = new AnchorLanes(abAutomaton(), anchors);
          const outputsOf = (count: number, shift: number): number[][] =>
            Array.from({ length: count }, (_, i) => [lanes.endAt(i) - shift, lanes.stateAt(i)]);
          const asBytes = outputsOf(lanes.scan(text, 0, 0, text.length), 0);
          // U+0100 read first, in the root state (no anchor uses it, it is no letter): the text
          // after it is read as UTF-16, and its outputs are the same, one further.
          const asUnits = outputsOf(lanes.scan(`\u0100${text}`, 0, 1, text.length + 1), 1);

          expect(asUnits).toEqual(asBytes);
        },
      ),
    );
  });

  it('reads a block in one run when its lanes would need more characters before them than a slot holds', () => {
    // `a`, then 2,999 `b`s: an automaton 3,001 states deep, each state after one more `b`.
    const depth = 3001;
    const transitions = new Uint16Array((depth + 1) * 128);
    for (let state = 0; state <= depth; state++) {
      transitions[state * 128 + 97] = 1;
      if (state >= 1 && state < depth) transitions[state * 128 + 98] = state + 1;
    }
    const lanes = new AnchorLanes(
      { transitions, width: 128, extraSymbols: new Map(), firstOutputState: depth, outputs: [[0]], depth },
      { anchors: [`a${'b'.repeat(depth - 1)}`], ignoreCase: [true], isWordOnly: [false] },
    );
    const text = `${'x'.repeat(5100)}a${'b'.repeat(depth - 1)}${'x'.repeat(100)}`;

    const count = lanes.scan(text, 0, 0, LANES_BLOCK_CHARS);

    expect(Array.from({ length: count }, (_, i) => [lanes.endAt(i), lanes.stateAt(i)])).toEqual([
      [5100 + depth, depth],
    ]);
  });

  it('rejects a block longer than it can hold', () => {
    const lanes = new AnchorLanes(
      { ...abAutomaton(), transitions: new Uint16Array(128), firstOutputState: 1, outputs: [[0]], depth: 1 },
      { anchors: ['a'], ignoreCase: [true], isWordOnly: [false] },
    );

    expect(() => lanes.scan('x'.repeat(LANES_BLOCK_CHARS + 1), 0, 0, LANES_BLOCK_CHARS + 1)).toThrow(
      RangeError,
    );
  });
});
