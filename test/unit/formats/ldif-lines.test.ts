import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LimitExceededError, MalformedObjectError } from '../../../functions/core/errors.ts';
import { type LdifLine, LdifLines } from '../../../functions/core/redaction/formats/ldif-lines.ts';
import { splitAt } from '../support/split-at.ts';

/** Physical lines: attribute lines, folds, empty lines, comments; LF or CRLF. */
const text = fc
  .array(fc.constantFrom('dn: uid=a', ' continued', '', '# note', 'mail: a@b.c', ' ', 'x'.repeat(40)), {
    maxLength: 12,
  })
  // A fold onto no line fails (tested below).
  .filter((lines) => !lines.some((line, i) => line.startsWith(' ') && (i === 0 || lines[i - 1] === '')))
  .chain((lines) =>
    fc
      .tuple(fc.constantFrom('\n', '\r\n'), fc.boolean())
      .map(
        ([newline, isTerminated]) => lines.join(newline) + (isTerminated && lines.length > 0 ? newline : ''),
      ),
  );

/** The logical lines of `chunks`, pushed `perDrain` at a time between reads. */
function read(chunks: readonly string[], perDrain: number, maxLineChars = 1 << 20): LdifLine[] {
  const lines = new LdifLines(maxLineChars);
  const out: LdifLine[] = [];
  chunks.forEach((chunk, i) => {
    lines.push(chunk);
    if ((i + 1) % perDrain !== 0) return;
    for (let line = lines.next(); line !== undefined; line = lines.next()) out.push(line);
  });
  for (let line = lines.next(); line !== undefined; line = lines.next()) out.push(line);
  return [...out, ...lines.end()];
}

describe('LdifLines', () => {
  it('gives the same logical lines whatever the pieces and however often they are read', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 1, max: 3 }),
        (input, cuts, n) => {
          expect(read(splitAt(input, cuts), n)).toEqual(read([input], 1));
        },
      ),
    );
  });

  it('unfolds a line and keeps its physical lines as written', () => {
    const [first, second] = read(['dn: uid=a,\r\n dc=x\r\nmail: a', '@b.c'], 1);
    expect(first).toEqual({
      text: 'dn: uid=a,dc=x',
      number: 1,
      lines: [
        { text: 'dn: uid=a,', newline: '\r\n' },
        { text: ' dc=x', newline: '\r\n' },
      ],
    });
    expect(second).toEqual({ text: 'mail: a@b.c', number: 3, lines: [{ text: 'mail: a@b.c', newline: '' }] });
  });

  it('fails on a fold onto no line, at the start or after an empty line', () => {
    expect(() => read([' x\n'], 1)).toThrow(MalformedObjectError);
    expect(() => read(['dn: a\n\n x\n'], 1)).toThrow(MalformedObjectError);
  });

  it('fails on a logical line longer than the limit, folds and pieces without a line break included', () => {
    expect(() => read(['dn: a\n', ...Array.from({ length: 20 }, () => ' xxxxx\n')], 1, 64)).toThrow(
      LimitExceededError,
    );
    expect(() =>
      read(
        Array.from({ length: 20 }, () => 'xxxxx'),
        1,
        64,
      ),
    ).toThrow(LimitExceededError);
  });
});
