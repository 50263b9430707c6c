import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LimitExceededError, MalformedObjectError } from '../../../functions/core/errors.ts';
import { csvScanText } from '../../../functions/core/redaction/formats/csv-scan-text.ts';
import { CellKind, CsvTokenizer } from '../../../functions/core/redaction/formats/csv-tokenizer.ts';
import { scanCsvRecords } from '../../../functions/core/redaction/formats/record-boundaries.ts';
import { splitAt } from '../support/split-at.ts';
import { parseCsv } from './parse-csv.ts';

/** Text made mostly of what the tokenizer decides on: delimiters, quotes and line breaks. */
const csvText = (delimiter: string) =>
  fc.string({
    unit: fc.constantFrom('a', 'bc', 'é', ' ', '"', '""', '\n', '\r', '\r\n', delimiter, ',', ';'),
    maxLength: 80,
  });

const withDelimiter = fc
  .constantFrom(',', ';', '\t', '|')
  .chain((delimiter) => fc.tuple(fc.constant(delimiter), csvText(delimiter)));

/**
 * The records of `pieces` fed in turn (the complete ones taken and discarded after each feed,
 * as the CSV redactor does), each cell as written (quotes included) with its kind, and each
 * record's terminator; or the class of the error it fails with.
 */
function tokenize(pieces: readonly string[], delimiter: string, maxRecordLength = 1_000_000): string {
  const tokenizer = new CsvTokenizer(delimiter, maxRecordLength);
  const records: string[][] = [];
  const take = () => {
    const { text, recordCount, recordEnds, recordCellEnds, cellStarts, cellEnds, cellKinds } = tokenizer;
    // The scan text kept (Latin-1 text split in WebAssembly) is the one the cells give.
    if (tokenizer.scanText !== undefined) {
      const end = recordEnds[recordCount - 1] as number;
      const cells = recordCellEnds[recordCount - 1] as number;
      const delimiterCode = delimiter.charCodeAt(0);
      expect(tokenizer.scanText).toBe(csvScanText(text, end, cellStarts, cellEnds, cells, delimiterCode));
    }
    let cell = 0;
    for (let record = 0; record < recordCount; record++) {
      const cells: string[] = [];
      for (; cell < (recordCellEnds[record] as number); cell++) {
        const kind = cellKinds[cell] as CellKind;
        const quote = kind === CellKind.Plain ? '' : '"';
        const content = text.slice(cellStarts[cell], cellEnds[cell]);
        cells.push(`${kind}:${quote}${content}${quote}`);
      }
      const contentEnd = (cellEnds[cell - 1] as number) + (cellKinds[cell - 1] === CellKind.Plain ? 0 : 1);
      cells.push(JSON.stringify(text.slice(contentEnd, recordEnds[record])));
      records.push(cells);
    }
    tokenizer.discard();
  };
  try {
    for (const piece of pieces) {
      tokenizer.feed(piece);
      take();
    }
    tokenizer.finish();
    take();
  } catch (error) {
    if (error instanceof MalformedObjectError || error instanceof LimitExceededError) return error.name;
    throw error;
  }
  return JSON.stringify(records);
}

/** What `tokenize` gives for `text`, read by the reference parser. */
function expected(text: string, delimiter: string): string {
  let parsed: ReturnType<typeof parseCsv>;
  try {
    parsed = parseCsv(text, delimiter);
  } catch {
    return 'MalformedObjectError';
  }
  const records = parsed.records.map((record) => [
    ...record.cells.map((cell) => {
      const kind = !cell.isQuoted
        ? CellKind.Plain
        : cell.raw.slice(1, -1).includes('""')
          ? CellKind.QuotedEscaped
          : CellKind.Quoted;
      return `${kind}:${cell.raw}`;
    }),
    JSON.stringify(record.terminator),
  ]);
  return JSON.stringify(records);
}

describe('CsvTokenizer', () => {
  it('tells, fed text through a line feed, whether that line feed ended a record, and counts them as the segmenter does', () => {
    fc.assert(
      fc.property(
        withDelimiter,
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 8 }),
        ([delimiter, text], at, points) => {
          const lineFeeds = [...text.matchAll(/\n/g)].map((found) => found.index);
          fc.pre(lineFeeds.length > 0);
          const fed = text.slice(0, (lineFeeds[at % lineFeeds.length] as number) + 1);
          const tokenizer = new CsvTokenizer(delimiter, 1_000_000);
          try {
            for (const piece of splitAt(fed, points)) tokenizer.feed(piece);
          } catch {
            // Malformed before that line feed: no segment end is asked of it.
            return;
          }
          const bytes = Buffer.from(fed);
          const scan = scanCsvRecords(bytes, delimiter.charCodeAt(0), { isCounting: true });
          expect(tokenizer.isInQuotedCell()).toBe(scan.end < bytes.length);
          if (!tokenizer.isInQuotedCell()) expect(tokenizer.recordsRead).toBe(scan.records);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('splits any text into the cells and terminators of a reference reader, whatever the chunking', () => {
    fc.assert(
      fc.property(withDelimiter, fc.array(fc.nat(), { maxLength: 8 }), ([delimiter, text], points) => {
        // The reference reader knows no BOM.
        fc.pre(!text.startsWith('\uFEFF'));
        const want = expected(text, delimiter);
        expect(tokenize([text], delimiter)).toBe(want);
        expect(tokenize(splitAt(text, points), delimiter)).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });

  it('splits records of many plain cells, quoted cells among them, whatever the chunking', () => {
    const cell = fc.oneof(
      fc.stringMatching(/^[a-z0-9 .-]{0,6}$/),
      fc.stringMatching(/^[a-z,;\n]{0,4}$/).map((value) => `"${value}"`),
    );
    const record = fc.array(cell, { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(record, fc.constantFrom('\n', '\r\n', '\r')), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (records, points) => {
          const text = records.map(([cells, terminator]) => cells.join(',') + terminator).join('');
          const want = expected(text, ',');
          expect(tokenize([text], ',')).toBe(want);
          expect(tokenize(splitAt(text, points), ',')).toBe(want);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('splits Latin-1 text as it splits the same text beyond Latin-1, whatever the chunking', () => {
    // Latin-1 pushes are split in WebAssembly, others by the loop: Ā (U+0100) takes é's place.
    fc.assert(
      fc.property(withDelimiter, fc.array(fc.nat(), { maxLength: 8 }), ([delimiter, text], points) => {
        const beyond = text.replaceAll('é', 'Ā');
        const want = tokenize(splitAt(beyond, points), delimiter).replaceAll('Ā', 'é');
        expect(tokenize(splitAt(text, points), delimiter)).toBe(want);
        expect(tokenize(splitAt(text, points), delimiter, 8)).toBe(
          tokenize(splitAt(beyond, points), delimiter, 8).replaceAll('Ā', 'é'),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the scan text of the records a Latin-1 feed completes', () => {
    const tokenizer = new CsvTokenizer(',', 1000);

    tokenizer.feed('a,"b,""c"""\r\nd,e\nf');

    expect(tokenizer.recordCount).toBe(2);
    expect(tokenizer.scanText).toBe('a\n\nb,""c""\n\n\nd\ne\n');
  });

  it('fails a record longer than the limit the same way whatever the chunking', () => {
    fc.assert(
      fc.property(withDelimiter, fc.array(fc.nat(), { maxLength: 8 }), ([delimiter, text], points) => {
        const whole = tokenize([text], delimiter, 8);
        expect(tokenize(splitAt(text, points), delimiter, 8)).toBe(whole);
      }),
      { numRuns: 1000 },
    );
  });
});
