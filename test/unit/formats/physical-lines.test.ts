import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type PhysicalLine,
  PhysicalLines,
} from '../../../functions/core/redaction/formats/physical-lines.ts';
import { countStringWork } from '../support/count-string-work.ts';
import { splitAt } from '../support/split-at.ts';

/** Text heavy in line breaks and lone CRs, with some other characters. */
const text = fc
  .array(fc.constantFrom('\n', '\r', '\r\n', 'a', ' ', 'é', '😀', 'xyz'), { maxLength: 40 })
  .map((parts) => parts.join(''));

/** The lines of `chunks`, pushed `perDrain` at a time between reads, then the rest as a line without a line break. */
function read(chunks: readonly string[], perDrain: number): PhysicalLine[] {
  const lines = new PhysicalLines();
  const out: PhysicalLine[] = [];
  chunks.forEach((chunk, i) => {
    lines.push(chunk);
    if ((i + 1) % perDrain !== 0) return;
    for (let line = lines.next(); line !== undefined; line = lines.next()) out.push(line);
  });
  for (let line = lines.next(); line !== undefined; line = lines.next()) out.push(line);
  return [...out, { text: lines.rest(), newline: '' }];
}

/** The lines of `input`, cut at each LF (with the CR before it), the last one without a line break. */
function linesOf(input: string): PhysicalLine[] {
  const parts = input.split('\n');
  return parts.map((part, i) => {
    if (i === parts.length - 1) return { text: part, newline: '' };
    return part.endsWith('\r') ? { text: part.slice(0, -1), newline: '\r\n' } : { text: part, newline: '\n' };
  });
}

describe('PhysicalLines', () => {
  it('gives the lines of the whole text whatever the pieces and however often they are read', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 1, max: 3 }),
        (input, cuts, perDrain) => {
          expect(read(splitAt(input, cuts), perDrain)).toEqual(linesOf(input));
        },
      ),
    );
  });

  it('counts the characters held after the last complete line, pieces not joined yet included', () => {
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), (input, cuts) => {
        const lines = new PhysicalLines();
        for (const chunk of splitAt(input, cuts)) {
          lines.push(chunk);
          while (lines.next() !== undefined);
        }
        expect(lines.unterminatedChars).toBe(input.length - input.lastIndexOf('\n') - 1);
      }),
    );
  });

  it('reads a long line in small pieces with work linear in its length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 8000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('', '\n', '\r\n'),
        text,
        (length, pieceChars, newline, after) => {
          const input = `${'x'.repeat(length)}${newline}${after}`;
          const pieces = Array.from({ length: Math.ceil(input.length / pieceChars) }, (_, i) =>
            input.slice(i * pieceChars, (i + 1) * pieceChars),
          );
          let out: PhysicalLine[] = [];
          const work = countStringWork(() => {
            const lines = new PhysicalLines();
            for (const piece of pieces) {
              lines.push(piece);
              // As the formats do: read what is complete after each piece.
              for (let line = lines.next(); line !== undefined; line = lines.next()) out.push(line);
            }
            out = [...out, { text: lines.rest(), newline: '' }];
          });
          expect(out).toEqual(linesOf(input));
          // Searching the line again from its start at each piece costs about length²/2.
          expect(work).toBeLessThanOrEqual(8 * input.length);
        },
      ),
      { numRuns: 20 },
    );
  });
});
