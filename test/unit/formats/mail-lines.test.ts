import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LimitExceededError, MalformedObjectError } from '../../../functions/core/errors.ts';
import { MailLines } from '../../../functions/core/redaction/formats/mail-lines.ts';
import { countStringWork } from '../support/count-string-work.ts';
import { splitAt } from '../support/split-at.ts';

/** Mail-like text: lines of a few lengths, CRLF or LF, and now and then a CR that ends no line. */
const text = fc
  .array(fc.constantFrom('\r\n', '\n', '\r', 'From: a', ' b', '', 'x'.repeat(12)), { maxLength: 30 })
  .map((parts) => parts.join(''));

/** What reading `chunks` gives, pushed `perDrain` at a time between reads: its lines, or the error it fails with. */
function read(chunks: readonly string[], perDrain: number, maxLineChars: number): unknown[] {
  const lines = new MailLines(maxLineChars);
  const out: unknown[] = [];
  try {
    chunks.forEach((chunk, i) => {
      lines.push(chunk);
      if ((i + 1) % perDrain !== 0) return;
      for (let line = lines.next(); line !== undefined; line = lines.next()) out.push(line);
    });
    for (let line = lines.next(); line !== undefined; line = lines.next()) out.push(line);
    out.push(lines.lastLine());
  } catch (error) {
    out.push(error);
  }
  return out;
}

describe('MailLines', () => {
  it('gives the same lines, or fails the same way, whatever the pieces and however often they are read', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 40 }),
        (input, cuts, perDrain, maxLineChars) => {
          expect(read(splitAt(input, cuts), perDrain, maxLineChars)).toEqual(read([input], 1, maxLineChars));
        },
      ),
    );
  });

  it('fails on a CR that ends no line, in a line or in the last one, whatever the pieces', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('a\rb\r\n', 'a\r\r\n', '\ra\n', 'ok\r\na\rb', 'ok\nab\r'),
        fc.array(fc.nat()),
        (input, cuts) => {
          const [error] = read(splitAt(input, cuts), 1, 100).filter((each) => each instanceof Error);
          expect(error).toBeInstanceOf(MalformedObjectError);
          expect((error as Error).message).toBe('mail: a line holds a CR that ends no line');
        },
      ),
    );
  });

  it('takes a line of the limit and fails on a longer one, ended or not', () => {
    expect(read(['x'.repeat(10), '\n'], 1, 10)).toEqual([{ text: 'x'.repeat(10), newline: '\n' }, '']);
    for (const input of ['x'.repeat(11), `${'x'.repeat(11)}\n`, `a\n${'x'.repeat(11)}`]) {
      const [error] = read(splitAt(input, [1, 5]), 1, 10).filter((each) => each instanceof Error);
      expect(error).toBeInstanceOf(LimitExceededError);
      expect((error as Error).message).toBe('mail: a line is longer than 10 characters');
    }
  });

  it('reads a long line in 1-character pieces with work linear in its length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 8000 }), fc.constantFrom('\n', '\r\n'), (length, newline) => {
        const input = `${'x'.repeat(length)}${newline}`;
        const work = countStringWork(() => {
          const lines = new MailLines(length + 1);
          for (const char of input) {
            lines.push(char);
            while (lines.next() !== undefined);
          }
        });
        // Searching the line again from its start at each piece costs about length²/2.
        expect(work).toBeLessThanOrEqual(8 * input.length);
      }),
      { numRuns: 10 },
    );
  });
});
