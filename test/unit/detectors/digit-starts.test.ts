import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DIGIT_STARTS_BLOCK_CHARS,
  DigitStarts,
} from '../../../functions/core/redaction/detectors/digit-starts.ts';
import { isLatin1 } from '../../../functions/core/redaction/latin1-text.ts';
import { digitShapePatterns, lookalikes, shapeLike } from './digit-shape-patterns.ts';

const stickyShapes = Object.values(digitShapePatterns).map((shape) => new RegExp(shape.source, 'y'));

/** Whether one of the shapes matches at `position`. */
function isShapeAt(text: string, position: number): boolean {
  return stickyShapes.some((shape) => {
    shape.lastIndex = position;
    return shape.test(text);
  });
}

const stickyIpv4Core = new RegExp(digitShapePatterns.ipv4Core.source, 'y');

function isIpv4CoreAt(text: string, position: number): boolean {
  stickyIpv4Core.lastIndex = position;
  return stickyIpv4Core.test(text);
}

/** Latin-1 characters that could pass for a shape's (the kernel reads Latin-1 text a byte a character). */
const latin1Lookalikes = lookalikes.filter((char) => char.charCodeAt(0) <= 0xff);

/**
 * Text made of shapes, near-shapes, their characters and characters that could pass for them:
 * Latin-1 only, or with characters above U+00FF (read as UTF-16).
 */
const shapeText = fc.oneof(
  fc
    .array(
      fc.oneof(
        ...shapeLike.map((shape) => fc.stringMatching(shape)),
        fc.string({ unit: fc.constantFrom(...'0123456789.-) (x\n', ...lookalikes), maxLength: 12 }),
        fc.string({ unit: 'grapheme', maxLength: 4 }),
      ),
      { maxLength: 30 },
    )
    .map((pieces) => pieces.join('')),
  fc
    .array(
      fc.oneof(
        ...shapeLike.map((shape) => fc.stringMatching(shape)),
        fc.string({
          unit: fc.constantFrom(...'0123456789.-) (x\n\u00ff\u0080', ...latin1Lookalikes),
          maxLength: 12,
        }),
      ),
      { maxLength: 30 },
    )
    .map((pieces) => pieces.join('')),
);

function startsIn(starts: DigitStarts, text: string, first: number, end: number): number[] {
  const count = starts.scan(text, first, end);
  return Array.from({ length: count }, (_, index) => starts.positionAt(index));
}

describe('digit starts kernel', () => {
  const starts = new DigitStarts();

  it('finds where each shape starts, reading the characters before and after the stretch', () => {
    const text = 'call (555) 234-5678, ssn 123-45-6789 or 219099999, card 4111 1111 1111 1111 from 10.1.2.3';
    const found = startsIn(starts, text, 0, text.length);
    for (const position of [10, 25, 40, 56, 82]) expect(found).toContain(position);
    // The look-behind of the compact SSN and the card: a digit before the stretch.
    expect(startsIn(starts, '7219099999 ', 1, 11)).not.toContain(1);
    expect(startsIn(starts, 'x219099999 ', 1, 11)).toEqual([1]);
    // The look-ahead: a tenth digit after the stretch.
    expect(startsIn(starts, '2190999991', 0, 5)).toEqual([]);
  });

  it('takes no character above U+00FF for a digit or a separator', () => {
    // U+0130 and U+3030 end in the byte of `0`, U+2E2E in that of `.`.
    const all = (text: string): number[] => startsIn(starts, text, 0, text.length);
    expect(all('İ219099999')).toEqual([1]);
    expect(all('219099999\u3030')).toEqual([0]);
    expect(all('1\u2e2e2.3.4')).toEqual([]);
  });

  it('reports every position where a shape matches, ascending and inside the stretch, and one followed by a dot only where the IPv4 core matches (property)', () => {
    fc.assert(
      fc.property(shapeText, fc.nat(), fc.nat(), (text, a, b) => {
        const first = a % (text.length + 1);
        const end = first + (b % (text.length - first + 1));
        const found = startsIn(starts, text, first, end);
        const expected: number[] = [];
        for (let position = first; position < end; position++) {
          if (isShapeAt(text, position)) expected.push(position);
        }

        expect(found.filter((position) => isShapeAt(text, position))).toEqual(expected);
        // The search takes these as IPv4 cores without checking them.
        const beforeDot = found.filter((position) => text.charCodeAt(position + 1) === 46);
        expect(beforeDot.filter((position) => isIpv4CoreAt(text, position))).toEqual(beforeDot);
        expect(
          found.every(
            (position, index) =>
              position >= first && position < end && (index === 0 || position > (found[index - 1] as number)),
          ),
        ).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('finds the same positions in a Latin-1 text, read a byte a character, as read as UTF-16 (property)', () => {
    fc.assert(
      fc.property(shapeText, fc.nat(), fc.constantFrom('\u0100', 'İ', '\u3030'), (text, a, beyond) => {
        fc.pre(isLatin1(text));
        const first = a % (text.length + 1);
        // A character above U+00FF after the text: in no class, as the end of the text is.
        expect(startsIn(starts, `${text}${beyond}`, first, text.length)).toEqual(
          startsIn(starts, text, first, text.length),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('reads a whole block', () => {
    const text = `${'x'.repeat(DIGIT_STARTS_BLOCK_CHARS - 9)}219099999`;

    expect(startsIn(starts, text, 0, DIGIT_STARTS_BLOCK_CHARS)).toEqual([DIGIT_STARTS_BLOCK_CHARS - 9]);
  });

  it('rejects a stretch longer than a block or outside the text', () => {
    const text = 'x'.repeat(DIGIT_STARTS_BLOCK_CHARS + 2);
    expect(() => starts.scan(text, 0, DIGIT_STARTS_BLOCK_CHARS + 1)).toThrow(RangeError);
    expect(() => starts.scan('12', 0, 3)).toThrow(RangeError);
  });
});
