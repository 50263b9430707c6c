import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedObjectError } from '../../../functions/core/errors.ts';
import { CsvTokenizer } from '../../../functions/core/redaction/formats/csv-tokenizer.ts';
import {
  countLines,
  lastLineEnd,
  scanCsvRecords,
} from '../../../functions/core/redaction/formats/record-boundaries.ts';

const csvText = (delimiter: string) =>
  fc.string({ unit: fc.constantFrom('a', 'é', ' ', '"', '\n', '\r', delimiter, ',', ';'), maxLength: 120 });

/**
 * `text` as bytes the way the scanner meets them: a `Buffer`, or (as a segment is) a `Uint8Array`
 * view into a larger buffer whose bytes around it are quotes and line breaks, so that a search
 * that strays out of the view finds them.
 */
const asBytes = fc.record({
  isView: fc.boolean(),
  before: fc.nat({ max: 8 }),
  after: fc.nat({ max: 8 }),
  filler: fc.constantFrom(0x22, 0x0a, 0x0d),
});
function toBytes(
  text: string,
  as: { isView: boolean; before: number; after: number; filler: number },
): Uint8Array {
  const encoded = Buffer.from(text);
  if (!as.isView) return encoded;
  const whole = new Uint8Array(as.before + encoded.length + as.after).fill(as.filler);
  whole.set(encoded, as.before);
  return whole.subarray(as.before, as.before + encoded.length);
}

/** The tokenizer's records of `text` (fed whole, not finished): byte ends, or 'malformed'. */
function tokenizerRecordEnds(text: string, delimiter: string): number[] | 'malformed' {
  const tokenizer = new CsvTokenizer(delimiter, 1_000_000);
  try {
    tokenizer.feed(text);
  } catch (error) {
    if (error instanceof MalformedObjectError) return 'malformed';
    throw error;
  }
  return Array.from(tokenizer.recordEnds.subarray(0, tokenizer.recordCount), (end) =>
    Buffer.byteLength(text.slice(0, end)),
  );
}

describe('scanCsvRecords', () => {
  it('finds the record ends the CSV tokenizer finds, in bytes, quoted line breaks skipped', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(',', ';', '\t', '|')
          .chain((delimiter) => fc.tuple(fc.constant(delimiter), csvText(delimiter))),
        asBytes,
        ([delimiter, text], as) => {
          const bytes = toBytes(text, as);
          const expected = tokenizerRecordEnds(text, delimiter);
          const counted = scanCsvRecords(bytes, delimiter.charCodeAt(0), { isCounting: true });
          const found = scanCsvRecords(bytes, delimiter.charCodeAt(0));
          if (expected === 'malformed') {
            expect(found.isMalformed).toBe(true);
            // Whole characters: the record that fails is handed on whole.
            expect(found.end).toBe(bytes.length);
            return;
          }
          expect(found.isMalformed).toBe(false);
          expect(counted.records).toBe(expected.length);
          expect(found.end).toBe(expected.at(-1) ?? 0);
          expect(counted.end).toBe(found.end);
          // As a segment worker counts a whole segment: a CR at the very end ends a record.
          const complete = scanCsvRecords(bytes, delimiter.charCodeAt(0), {
            isCounting: true,
            isComplete: true,
          });
          const completeEnds = tokenizerRecordEnds(text.endsWith('\r') ? `${text}\n` : text, delimiter);
          if (completeEnds === 'malformed') throw new Error('a CRLF after a CR makes no record malformed');
          expect(complete.records).toBe(completeEnds.length);
          expect(complete.end).toBe(Math.min(completeEnds.at(-1) ?? 0, bytes.length));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('hands on a malformed record up to the last whole character after it, or asks for more bytes (generated)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(',', ';', '\t', '|'),
        fc
          .string({ unit: fc.constantFrom('a', 'é', '€', '😀', ','), minLength: 1, maxLength: 8 })
          .filter((tail) => !tail.startsWith(',')),
        fc.nat(),
        (delimiter, tail, cutAt) => {
          // `"x"` closes its cell, and the character after it makes the record malformed.
          const text = `id${delimiter}name\n"x"${tail}\n`;
          const whole = Buffer.from(text);
          const afterQuote = Buffer.byteLength(`id${delimiter}name\n"x"`);
          // Cut anywhere past the first byte after the closing quote.
          const bytes = whole.subarray(0, afterQuote + 1 + (cutAt % (whole.length - afterQuote)));
          const found = scanCsvRecords(bytes, delimiter.charCodeAt(0));
          expect(found.isMalformed).toBe(true);
          const wholeCharacters = new TextDecoder().decode(bytes).replace(/\uFFFD$/, '');
          const charactersEnd = Buffer.byteLength(wholeCharacters);
          expect(found.end).toBe(charactersEnd > afterQuote ? charactersEnd : 0);
          if (found.end > 0) new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, found.end));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('takes a CR at the very end as a terminator only when told the bytes end at a record end', () => {
    const bytes = Buffer.from('a,b\r\nc,"d\re"\r');

    expect(scanCsvRecords(bytes, 0x2c, { isCounting: true })).toEqual({
      end: 5,
      records: 1,
      isMalformed: false,
    });
    expect(scanCsvRecords(bytes, 0x2c, { isCounting: true, isComplete: true })).toEqual({
      end: bytes.length,
      records: 2,
      isMalformed: false,
    });
  });
});

describe('lastLineEnd and countLines', () => {
  it('find the last LF and count the LFs of the bytes in view, whatever surrounds them', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'é', '\n', '\r'), maxLength: 60 }),
        asBytes,
        (text, as) => {
          const bytes = toBytes(text, as);

          expect(lastLineEnd(bytes)).toBe(Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
          expect(countLines(bytes)).toBe(text.split('\n').length - 1);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('find the end of the last complete line and count complete lines', () => {
    const bytes = Buffer.from('{"a":1}\r\n\n{"b":"é"}\n{"c"');

    expect(lastLineEnd(bytes)).toBe(Buffer.byteLength('{"a":1}\r\n\n{"b":"é"}\n'));
    expect(countLines(bytes)).toBe(3);
    expect(lastLineEnd(Buffer.from('no newline'))).toBe(0);
  });
});
