import { RuleValidationError } from '../../errors.ts';
import type { CompiledFieldRule, Redactor } from '../redactor.ts';
import type { ScanMatch, Scanner } from '../scanner.ts';
import { CellKind, CsvTokenizer } from './csv-tokenizer.ts';
import type { FormatRedactor } from './format-redactor.ts';

export interface CsvRedactorOptions {
  /**
   * Field separator: one ASCII character other than a quote, CR or LF.
   * @default - ','
   */
  readonly delimiter?: string;
}

const BOM = '\uFEFF';
const CR = 0x0d;
const LF = 0x0a;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * CSV (RFC 4180): the first non-empty record is the header, emitted unchanged; it binds each
 * column to the field rule naming its header. In data records a `keep` column is left alone,
 * another ruled column gets its rule's action (a dropped value becomes an empty cell), and every
 * other cell, extra cells included, gets the detectors, which see the decoded cell alone. Empty
 * cells stay empty. Changed cells are re-quoted when they were quoted or now need it; everything
 * else, terminators (LF or CRLF), a leading BOM, empty lines and a missing final newline
 * included, passes through byte for byte. Each record is emitted as soon as it is complete.
 *
 * A cell's header is context for the detectors (`Scanner.named`): under a header such as
 * `aws_secret_access_key` the secret-key detector needs no keyword in the cell itself.
 *
 * For speed the detectors first run once over all complete records, with the delimiters, quotes
 * and terminators around cells turned into line breaks; only cells that a match overlaps (or
 * that hold doubled quotes) are then decoded and scanned alone. This equals scanning every cell
 * alone provided a detector finds in `…\n<cell>\n…` each match it finds in `<cell>` alone, that
 * is, it treats a line break like the start or end of the text (as `\s`, `\b`, `^`/`$` with the
 * m flag and "not preceded by a digit" lookarounds do). A match that only neighbouring cells
 * make possible (a context keyword, a value spread over cells) costs a rescan, never a change.
 *
 * Fails with `MalformedObjectError` (naming the record) on an unclosed quote or text after a
 * closing quote, and with `LimitExceededError` on a record longer than `limits.maxRecordBytes`
 * UTF-16 code units.
 *
 * @example
 * const csv = createCsvRedactor(redactor);
 * csv.push('name,email\r\nAda,ada@example.com\r\n'); // 'name,email\r\n[NAME],[EMAIL]\r\n'
 */
export function createCsvRedactor(redactor: Redactor, options: CsvRedactorOptions = {}): FormatRedactor {
  const delimiter = options.delimiter ?? ',';
  const delimiterByte = delimiter.charCodeAt(0);
  if (
    delimiter.length !== 1 ||
    delimiterByte > 0x7f ||
    delimiter === '"' ||
    delimiter === '\r' ||
    delimiter === '\n'
  ) {
    throw new RuleValidationError(
      `CSV delimiter ${JSON.stringify(delimiter)} is not allowed: use one ASCII character other than a quote, CR or LF`,
    );
  }
  const tokenizer = new CsvTokenizer(delimiter, redactor.limits.maxRecordBytes);
  const scanner = redactor.scanner;
  const hasDetectors = scanner.detectors.length > 0;
  const noMatches: ScanMatch[] = [];
  // Column rules, bound once the header is complete.
  let columns: (CompiledFieldRule | undefined)[] | undefined;
  // The scanner of each column: its header is context for the detectors (see `Scanner.named`).
  const columnScanners: Scanner[] = [];
  // Columns redacted whatever the batch scan found, ascending: those whose rule can change a
  // cell (not `keep`), and unruled ones whose header is context, which the batch scan lacks.
  const ruledColumns: number[] = [];
  let isFirstText = true;

  function decode(start: number, end: number, kind: CellKind): string {
    const raw = tokenizer.text.slice(start, end);
    return kind === CellKind.QuotedEscaped ? raw.replaceAll('""', '"') : raw;
  }

  function encode(value: string, wasQuoted: boolean): string {
    const needsQuotes =
      wasQuoted ||
      value.includes(delimiter) ||
      value.includes('"') ||
      value.includes('\n') ||
      value.includes('\r');
    return needsQuotes ? `"${value.replaceAll('"', '""')}"` : value;
  }

  /**
   * `text[from, to)` as the detectors see it: cell contents in place, the delimiters, quotes and
   * terminators around them turned into line breaks, so that no detector mistakes a delimiter
   * (say `-` or `.`) for part of a value. The range holds the cells `[firstCell, endCell)`.
   */
  function scanTextOf(from: number, to: number, firstCell: number, endCell: number): string {
    const { text, cellStarts, cellEnds } = tokenizer;
    const raw = text.slice(from, to);
    if (!raw.includes('"')) return breakLines(raw, delimiterByte);
    let scanText = '';
    let position = from;
    for (let cell = firstCell; cell < endCell; cell++) {
      const start = cellStarts[cell] as number;
      scanText += '\n'.repeat(start - position) + text.slice(start, cellEnds[cell]);
      position = cellEnds[cell] as number;
    }
    return scanText + '\n'.repeat(to - position);
  }

  /** Redacts the complete records held by the tokenizer and returns them as text. */
  function emitRecords(): string {
    const { text, recordCount, recordEnds, recordCellEnds, cellStarts, cellEnds, cellKinds, escapedCells } =
      tokenizer;
    let record = 0;
    let cell = 0;
    while (columns === undefined && record < recordCount) {
      const cellEnd = recordCellEnds[record] as number;
      const isEmptyLine =
        cellEnd - cell === 1 && cellKinds[cell] === CellKind.Plain && cellStarts[cell] === cellEnds[cell];
      if (!isEmptyLine) {
        columns = [];
        for (let i = cell; i < cellEnd; i++) {
          const name = decode(cellStarts[i] as number, cellEnds[i] as number, cellKinds[i] as CellKind);
          const rule = redactor.fieldRule([name]);
          const columnScanner = scanner.named(name);
          if (rule === undefined ? columnScanner !== scanner : !rule.isKeep)
            ruledColumns.push(columns.length);
          columns.push(rule);
          columnScanners.push(columnScanner);
        }
      }
      cell = cellEnd;
      record++;
    }
    const end = recordCount === 0 ? 0 : (recordEnds[recordCount - 1] as number);
    if (columns === undefined || record === recordCount) return text.slice(0, end);

    const dataStart = record === 0 ? 0 : (recordEnds[record - 1] as number);
    // Match offsets are relative to `dataStart`.
    const matches = hasDetectors
      ? scanner.scan(scanTextOf(dataStart, end, cell, recordCellEnds[recordCount - 1] as number)).matches
      : noMatches;
    let out = '';
    let emitted = 0;
    let match = 0;
    let escaped = 0;

    function redactCell(index: number, rule: CompiledFieldRule | undefined, cellScanner = scanner): void {
      const start = cellStarts[index] as number;
      const stop = cellEnds[index] as number;
      const kind = cellKinds[index] as CellKind;
      let value: string;
      let replacement: string;
      if (rule !== undefined) {
        if (rule.isKeep || start === stop) return;
        value = decode(start, stop, kind);
        replacement = redactor.applyField(rule, value) ?? '';
      } else {
        if (cellScanner === scanner) {
          while (match < matches.length && (matches[match] as ScanMatch).end <= start - dataStart) match++;
          const isTouched = match < matches.length && (matches[match] as ScanMatch).start < stop - dataStart;
          if (!isTouched && kind !== CellKind.QuotedEscaped) return;
        }
        value = decode(start, stop, kind);
        replacement = redactor.redactText(value, cellScanner);
      }
      if (replacement === value) return;
      const isQuoted = kind !== CellKind.Plain;
      out += text.slice(emitted, isQuoted ? start - 1 : start) + encode(replacement, isQuoted);
      emitted = isQuoted ? stop + 1 : stop;
    }

    for (; record < recordCount; record++) {
      const recordEnd = recordEnds[record] as number;
      const cellEnd = recordCellEnds[record] as number;
      const firstCellStart = (cellStarts[cell] as number) - dataStart;
      while (match < matches.length && (matches[match] as ScanMatch).end <= firstCellStart) match++;
      while (escaped < escapedCells.length && (escapedCells[escaped] as number) < cell) escaped++;
      const isQuiet =
        (match === matches.length || (matches[match] as ScanMatch).start >= recordEnd - dataStart) &&
        (escaped === escapedCells.length || (escapedCells[escaped] as number) >= cellEnd);
      if (isQuiet) {
        // Most records: only the ruled columns can change.
        for (const column of ruledColumns) {
          if (cell + column >= cellEnd) break;
          redactCell(cell + column, columns[column], columnScanners[column]);
        }
      } else {
        for (let column = 0; cell + column < cellEnd; column++) {
          redactCell(cell + column, columns[column], columnScanners[column]);
        }
      }
      cell = cellEnd;
    }
    return out + text.slice(emitted, end);
  }

  return {
    push(text) {
      let prefix = '';
      if (isFirstText && text.length > 0) {
        isFirstText = false;
        if (text.startsWith(BOM)) {
          prefix = BOM;
          text = text.slice(1);
        }
      }
      tokenizer.feed(text);
      const out = emitRecords();
      tokenizer.discard();
      return prefix + out;
    },
    end() {
      tokenizer.finish();
      const out = emitRecords();
      tokenizer.discard();
      return out;
    },
  };
}

/**
 * `text` with each `delimiter` and each CR of a CRLF turned into LF. In UTF-8 an ASCII byte is
 * always that character, and a byte loop is several times faster than `String.replaceAll`.
 */
function breakLines(text: string, delimiter: number): string {
  const bytes = utf8Encoder.encode(text);
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i];
    if (byte === delimiter || (byte === CR && i + 1 < length && bytes[i + 1] === LF)) bytes[i] = LF;
  }
  return utf8Decoder.decode(bytes);
}
