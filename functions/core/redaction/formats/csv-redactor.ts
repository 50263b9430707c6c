import { LimitExceededError, MalformedObjectError, RuleValidationError } from '../../errors.ts';
import type { CompiledFieldRule, Redactor } from '../redactor.ts';
import type { CsvLayout } from '../rule-schema.ts';
import type { ScanMatch, Scanner } from '../scanner.ts';
import { bindCsvColumns, type CsvColumnBinding } from './csv-column-binding.ts';
import {
  type InferableDetectors,
  type InferredColumns,
  inferableDetectors,
  inferColumns,
  inferenceWindow,
  inferredCellMatch,
  withInferredColumns,
} from './csv-column-inference.ts';
import { columnShapes, inferColumnNames, isFirstRowOfValues } from './csv-column-shapes.ts';
import { CsvRuledCells, isBatched, needsQuotes } from './csv-ruled-cells.ts';
import { csvScanText } from './csv-scan-text.ts';
import { CellKind, CsvTokenizer } from './csv-tokenizer.ts';
import type { FormatRedactor } from './format-redactor.ts';
import { sniffCsvDelimiter } from './sniff-csv-delimiter.ts';

export interface CsvRedactorOptions {
  /**
   * Field separator: one ASCII character other than a quote, CR or LF. A `sep=X` first line
   * (Excel's preamble) overrides it.
   * @default - from a `sep=X` first line, else sniffed from the header or first record: the
   * most frequent of `,` `;` tab `|` outside quotes, a tie settled by the next records
   * (see {@link sniffCsvDelimiter})
   */
  readonly delimiter?: string;
  /**
   * Called once, when the header candidate (the first record) is read: with the delimiter and
   * the offset in the input text (UTF-16 code units, a BOM included) just past that record, or
   * past the records a headerless object's columns are inferred from. A segmenter hands
   * everything before it to the redactors of later segments.
   */
  readonly onHeader?: (header: { readonly delimiter: string; readonly endOffset: number }) => void;
  /**
   * The delimiter sniffing chose for this object, to use instead of sniffing again: a segment
   * redacted after the object's head would sniff text that is not the object's (sniffing reads
   * the records after the header to settle a tie, and past it after an odd quote).
   * @default - sniffed
   */
  readonly sniffedDelimiter?: string;
}

const BOM = '\uFEFF';
const CR = 0x0d;
const LF = 0x0a;
/** A first line declaring the delimiter, as spreadsheet exports write it. */
export const SEP_LINE = /^sep=(.)$/i;
const LINE_BREAK = /[\r\n]/;
/** A `#` that starts a value rather than a comment (see `isPreambleLine`). */
const RECORD_MARK = /^#[\p{L}\p{N}]/u;
/** A cell with a digit and no letter (an amount, a date, an id): data, not a column name. */
const NUMBER_LIKE = /^[^\p{L}]*\p{Nd}[^\p{L}]*$/u;
const EMAIL_LIKE = /[^\s@]@[^\s@]/;

/**
 * A CSV redactor, with where its tokenizer stands (for a segment whose end is a guess). Methods,
 * not getters: an object literal with accessors kept each segment's redactor state alive in a
 * segment worker's old generation (5-6 full collections per GB where it had 1).
 */
export interface CsvRedactor extends FormatRedactor {
  /** Complete records read so far, preamble lines included; 0 before the header is read. */
  recordsRead(): number;
  /** True when the text pushed so far ends inside a quoted cell. */
  isInQuotedCell(): boolean;
}

/**
 * CSV (RFC 4180, with CR-only line breaks too). Every byte goes through the detectors. Before
 * the records come optional preamble lines, emitted as scanned text: a `sep=X` first line
 * (which sets the delimiter), empty lines and comment lines starting with `#` (unless they name
 * a ruled column, as a `#id,name` header does, or have as many cells as the declared columns). The first record after them is the header
 * candidate: its cells are scanned like any cell. When most of its cells look like data (a
 * detector hit, a number, an email) the file has no header: the record is data and no column
 * rule applies anywhere. Otherwise it is the header and binds each column to the field rule
 * naming its header (a leading `#` of the first name ignored); a header with any data-like cell
 * is doubted, and then no `keep` rule exempts a column from the detectors.
 *
 * A rule set may declare the columns of its headerless objects (`RuleSet.csv`). They bind by
 * position, as a header of those names would, when the first row is data (always with
 * `header: absent`, which also reads `#` lines as records), and beside the row's own names
 * when it is doubted or has no filled cell (each column takes the rule its header names, else
 * the declared one); a header beyond doubt binds alone, and `header: present` makes the first
 * row the header whatever it looks like. Declared columns bind `keep` only with
 * `header: absent`. Once they are bound, a record with another number of cells (an empty line
 * excepted) fails with `MalformedObjectError`: its cells are no longer where the names say.
 *
 * A headerless object whose columns no rule set declares has them inferred from its first
 * records. Most of a column's values having the shape of an SSN, a date, an address, a person's
 * name or a password names it, and the name binds as a header of it would, `keep` excepted
 * (see csv-column-shapes.ts). A column of phone numbers, or of local numbers shaped like one,
 * has its local numbers (`555-0199`, which the phone detector takes only with an area code)
 * redacted as phone numbers too (see csv-column-inference.ts). Those records (64, or 16 KiB, at
 * most) are held until then, and are the head the object's segments redact first (see
 * `onHeader`).
 *
 * In data records a `keep` column is left alone, another ruled column gets its rule's action (a
 * dropped value becomes an empty cell), and every other cell, extra cells included, gets the
 * detectors, which see the decoded cell alone and in its record (below). Empty cells stay
 * empty. Changed cells are re-quoted when they were quoted or now need it; everything else,
 * terminators (LF, CRLF or CR), a leading BOM, empty lines and a missing final newline
 * included, passes through byte for byte. Each record is emitted as soon as it is complete.
 *
 * A cell's header is context for the detectors (`Scanner.named`): under a header such as
 * `aws_secret_access_key` the secret-key detector needs no keyword in the cell itself. So are
 * the other cells of its record, as text before and after it is: a cell also gets the matches
 * that the detectors find in its record line (the record as written, each delimiter, quote and
 * terminator a line feed) lying wholly inside it and overlapping none of its own, so that a
 * secret key after its key id (`AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/…` in a credentials export
 * without a header row) or after a cell naming it (`aws_secret_access_key,wJalr…`) is found as
 * in text. A match spread over cells is never taken, nor context from another record. The gap
 * is a line feed because keyword-window detectors (`withContext`, keyword-led pack members)
 * read across it as across a space, while value patterns stop at it; assignment patterns that
 * need a separator such as `=` or `,` after a name (`secret-assignment`) do not take it, and a
 * single other character would hide a cell's own match from the batch scan below (a pattern
 * ending in `(?=[ \t]|$)` or starting after `(?<=^|[ \t])`).
 *
 * For speed the detectors first run once over all complete records, with the delimiters, quotes
 * and terminators around cells turned into line breaks; only cells that a match overlaps are
 * then decoded and scanned alone. This equals scanning every cell
 * alone provided a detector finds in `…\n<cell>\n…` each match it finds in `<cell>` alone, that
 * is, it treats a line break like the start or end of the text (as `\s`, `\b`, `^`/`$` with the
 * m flag and "not preceded by a digit" lookarounds do). A cell's record line, the same text
 * without the records around it, is scanned only when a batch match overlapping the cell is
 * not one of the cell's own: its matches are among the batch's, or overlap one, since the batch
 * holds the same text with more before and after it. A match that only neighbouring cells make
 * possible costs a rescan. A cell is not scanned alone at all when every batch match in it lies
 * inside it and its detector finds it in the cell alone too (`Scanner.findsAlone`, which need
 * not ask a detector that takes no context; under a header that is context, the detectors the
 * header changes must find nothing in the cell, as their scan of its column tells): those are
 * its own matches (see `batchMatchesAlone`). A cell under a header that is context needs the
 * detectors the header changes even when the batch scan vouches for it; they scan the column's
 * cells of the batch as one text, a line feed between cells (on the same condition), and a cell
 * alone only when that scan finds something in it (see `contextVouched`). Cells with doubled quotes, which the
 * batch scan sees as written, are scanned decoded in a second batch, a line feed between cells,
 * that vouches for them in the same way (see `escapedCellMatches`); their record line is still
 * the record as written.
 *
 * Fails with `MalformedObjectError` (naming the record) on an unclosed quote or text after a
 * closing quote, and with `LimitExceededError` on a record or preamble line longer than
 * `limits.maxRecordBytes` UTF-16 code units.
 *
 * @example
 * const csv = createCsvRedactor(redactor);
 * csv.push('name,email\r\nAda,ada@example.com\r\n'); // 'name,email\r\n[NAME],[EMAIL]\r\n'
 */
export function createCsvRedactor(redactor: Redactor, options: CsvRedactorOptions = {}): CsvRedactor {
  if (options.delimiter !== undefined && !isValidDelimiter(options.delimiter)) {
    throw new RuleValidationError(
      `CSV delimiter ${JSON.stringify(options.delimiter)} is not allowed: use one ASCII character other than a quote, CR or LF`,
    );
  }
  let delimiter = options.delimiter;
  const maxRecordLength = redactor.limits.maxRecordBytes;
  const scanner = redactor.scanner;
  const hasDetectors = scanner.detectors.length > 0;
  const noMatches: ScanMatch[] = [];
  // Created once the preamble is over and the delimiter known.
  let tokenizer: CsvTokenizer | undefined;
  // Text of the preamble not yet decided on (a line waiting for its terminator).
  let preamble = '';
  let preambleLines = 0;
  // Column rules and scanners, bound once the header candidate is complete (none when it is data).
  let binding: CsvColumnBinding | undefined;
  // The header the objects lack, as the rule set declares it (see `RuleSet.csv`).
  const layout: CsvLayout = redactor.ruleSet.csv ?? { header: 'detect' };
  // Cells every record must have, once declared columns are bound.
  let declaredCells: number | undefined;
  let isFirstText = true;
  // Headerless objects have their columns inferred from their first records, held until then
  // (see csv-column-inference.ts); not when the rule set declares the columns or a header.
  const mayInfer = layout.columns === undefined && layout.header !== 'present';
  const inferable = hasDetectors && mayInfer ? inferableDetectors(redactor.ruleSet) : undefined;
  // And named from the shapes of their values (see csv-column-shapes.ts).
  const shapes = mayInfer ? columnShapes(redactor) : [];
  const isInferring = (inferable !== undefined && inferable.size > 0) || shapes.length > 0;
  let inferred: InferredColumns | undefined;
  // Columns redacted in a record the batch scan finds nothing in: the ruled and inferred ones.
  let quietColumns: readonly number[] = [];
  // Whether a column's rule takes many values at once (see `CsvRuledCells`).
  let hasBatchedRules = false;
  let isEnded = false;
  // While an inference window is held: the data-like cells the first batch scan saw in the first row.
  let heldDataLikeCells: number | undefined;
  // Input text pushed so far and, once the tokenizer exists, the input offset of its first record.
  let pushedLength = 0;
  let tokenizerOffset = 0;
  const ruledCells = new CsvRuledCells(redactor, encode);

  function decode(text: string, start: number, end: number, kind: CellKind): string {
    const raw = text.slice(start, end);
    return kind === CellKind.QuotedEscaped ? raw.replaceAll('""', '"') : raw;
  }

  // The last value encoded and how: a column redacted to a label encodes that label every record.
  let lastValue = '';
  let wasLastQuoted = false;
  let lastEncoded = '';

  function encode(value: string, wasQuoted: boolean, delimiter: string): string {
    if (value === lastValue && wasQuoted === wasLastQuoted) return lastEncoded;
    lastValue = value;
    wasLastQuoted = wasQuoted;
    lastEncoded = encodeOnce(value, wasQuoted, delimiter);
    return lastEncoded;
  }

  // The label a `redact` column writes into its unquoted cells, encoded (see `writeLabel`).
  let label = '';
  let encodedLabel = '';
  // Cells given a label and not counted yet: each is counted with its rule once per push
  // rather than with a map update each (see `countLabel`).
  let labelRule: CompiledFieldRule | undefined;
  let labelCells = 0;

  function countLabel(rule: CompiledFieldRule): void {
    if (rule !== labelRule) {
      flushLabelCount();
      labelRule = rule;
    }
    labelCells++;
  }

  function flushLabelCount(): void {
    if (labelRule !== undefined) redactor.countField(labelRule, labelCells);
    labelRule = undefined;
    labelCells = 0;
  }

  function encodeOnce(value: string, wasQuoted: boolean, delimiter: string): string {
    return wasQuoted || needsQuotes(value, delimiter) ? `"${value.replaceAll('"', '""')}"` : value;
  }

  /** True when `line` (no terminator) is a preamble line rather than the header candidate. */
  function isPreambleLine(line: string): boolean {
    if (line === '') return true;
    if (preambleLines === 0 && SEP_LINE.test(line)) {
      const declared = line.slice(4);
      if (isValidDelimiter(declared)) {
        delimiter = declared;
        return true;
      }
    }
    // Rows of a file declared headerless are records, whatever their first character.
    if (!line.startsWith('#') || layout.header === 'absent') return false;
    const cells = line.split(delimiter ?? (sniffCsvDelimiter(line, 0, true, maxRecordLength) as string));
    // So is a line with as many cells as the declared columns: read as a comment, a first row
    // whose first value starts with `#` (an id, a colour, a password) would pass to the detectors
    // alone, its declared columns' rules unapplied.
    if (cells.length === layout.columns?.length) return false;
    // And, when no columns are declared, a line of several cells whose `#` a letter or digit
    // follows (`#1001,Jane Doe,hunter2`): an id or a colour starting a record; a comment leaves
    // a space after its mark (`# exported 2024-05-01, by the billing job`).
    if (layout.columns === undefined && cells.length > 1 && RECORD_MARK.test(line)) return false;
    return !cells.some((cell, index) => redactor.fieldRule([columnName(cell, index)]) !== undefined);
  }

  /**
   * Emits the complete preamble lines held and starts the records at the header candidate.
   * With `isEnd`, the held text is all there is.
   */
  function readPreamble(isEnd: boolean): string {
    let out = '';
    let start = 0;
    while (tokenizer === undefined) {
      const found = preamble.slice(start).search(LINE_BREAK);
      const lineEnd = found < 0 ? preamble.length : start + found;
      const isCrPending = preamble.charCodeAt(lineEnd) === CR && lineEnd + 1 === preamble.length;
      if ((found < 0 || isCrPending) && !isEnd) {
        if (preamble.length - start > maxRecordLength) throw tooLong(preambleLines + 1);
        break;
      }
      const terminatorEnd =
        found < 0
          ? lineEnd
          : preamble.charCodeAt(lineEnd) === CR && preamble.charCodeAt(lineEnd + 1) === LF
            ? lineEnd + 2
            : lineEnd + 1;
      if (terminatorEnd - start > maxRecordLength) throw tooLong(preambleLines + 1);
      const line = preamble.slice(start, lineEnd);
      if (!isPreambleLine(line)) {
        delimiter ??= options.sniffedDelimiter ?? sniffCsvDelimiter(preamble, start, isEnd, maxRecordLength);
        // The first record goes on past a quoted line break: its end is needed to sniff.
        if (delimiter === undefined) break;
        tokenizer = new CsvTokenizer(delimiter, maxRecordLength, preambleLines);
        tokenizerOffset = pushedLength - (preamble.length - start);
        tokenizer.feed(preamble.slice(start));
        start = preamble.length;
        break;
      }
      out += redactor.redactText(line) + preamble.slice(lineEnd, terminatorEnd);
      preambleLines++;
      start = terminatorEnd;
      if (start === preamble.length) break;
    }
    preamble = preamble.slice(start);
    return out;
  }

  function tooLong(record: number): LimitExceededError {
    return new LimitExceededError(
      `CSV record ${record} is longer than the limit of ${maxRecordLength} characters (maxRecordBytes)`,
    );
  }

  /** Redacts the complete records held by the tokenizer and returns them as text. */
  function emitRecords(tokens: CsvTokenizer): string {
    const { text, recordCount, recordEnds, recordCellEnds, cellStarts, cellEnds, cellKinds, escapedCells } =
      tokens;
    if (recordCount === 0) return '';
    // Held records of a window not yet complete are not scanned again for every piece pushed.
    if (
      binding === undefined &&
      heldDataLikeCells !== undefined &&
      inferenceWindow(tokens, isEnded) === undefined
    )
      return '';
    const end = recordEnds[recordCount - 1] as number;
    // Cell contents in place, the delimiters, quotes and terminators around them turned into
    // line breaks, so that no detector mistakes a delimiter (say `-` or `.`) for part of a value.
    const scanText = hasDetectors
      ? (tokens.scanText ??
        csvScanText(
          text,
          end,
          cellStarts,
          cellEnds,
          recordCellEnds[recordCount - 1] as number,
          tokens.delimiter.charCodeAt(0),
        ))
      : '';
    const matches = hasDetectors ? scanner.scan(scanText).matches : noMatches;
    const escapedMatches = hasDetectors ? escapedCellMatches(tokens) : undefined;
    let out = '';
    let emitted = 0;
    let match = 0;
    let escaped = 0;
    // The record being redacted: where it starts in `text`, its number of cells, and the
    // matches of its record line once a cell needed them (see `recordLineMatches`).
    let recordStart = 0;
    let recordCells = 0;
    let recordMatches: readonly ScanMatch[] | undefined;
    // Per cell of the data records, 1 when its column's scan finds nothing in it (see `contextVouched`).
    let vouchedCells: Uint8Array | undefined;
    // Per cell of the data records in a ruled column, the cell as its rule has it written (see `CsvRuledCells`).
    let batchedCells: (string | undefined)[] | undefined;

    /**
     * Writes the cell `index` as `CsvRuledCells` has it (`written`): unless it is written so
     * already (quotes included), which is what its value encodes to when its rule keeps it.
     */
    function writeBatched(index: number, written: string): boolean {
      const start = cellStarts[index] as number;
      const stop = cellEnds[index] as number;
      const isQuoted = cellKinds[index] !== CellKind.Plain;
      const writtenStart = isQuoted ? start - 1 : start;
      const writtenEnd = isQuoted ? stop + 1 : stop;
      if (written.length === writtenEnd - writtenStart && text.startsWith(written, writtenStart))
        return false;
      out += text.slice(emitted, writtenStart) + written;
      emitted = writtenEnd;
      return true;
    }

    /** Returns true when the cell changed. */
    function redactCell(
      index: number,
      rule: CompiledFieldRule | undefined,
      cellScanner = scanner,
      inferredDetector?: number,
    ): boolean {
      const start = cellStarts[index] as number;
      const stop = cellEnds[index] as number;
      const kind = cellKinds[index] as CellKind;
      let value: string;
      let replacement: string;
      if (rule !== undefined) {
        if (rule.isKeep || start === stop) return false;
        const written = batchedCells?.[index];
        if (written !== undefined) return writeBatched(index, written);
        const constant = rule.apply.constant;
        if (constant !== undefined && kind !== CellKind.QuotedEscaped)
          return writeLabel(start, stop, kind, rule, constant);
        value = decode(text, start, stop, kind);
        replacement = redactor.applyField(rule, value) ?? '';
      } else {
        while (match < matches.length && (matches[match] as ScanMatch).end <= start) match++;
        const inferredMatch =
          inferredDetector === undefined || kind === CellKind.QuotedEscaped
            ? undefined
            : inferredCellMatch(text, start, stop, inferredDetector, inferable as InferableDetectors);
        const next = matches[match];
        // A whole match of the batch scan is the cell's own unless the records before it made
        // it (a keyword there): the cell is scanned, and only what takes it whole goes first.
        const isBatchWhole = next !== undefined && next.start === start && next.end === stop;
        const isTouched = match < matches.length && (matches[match] as ScanMatch).start < stop;
        // The batch scan vouches for a cell it finds nothing in, as written.
        const isVouched = !isTouched && kind !== CellKind.QuotedEscaped && inferredMatch === undefined;
        if (isVouched && (cellScanner === scanner || vouchedCells?.[index] === 1)) return false;
        value = decode(text, start, stop, kind);
        let found: readonly ScanMatch[] | undefined =
          inferredMatch !== undefined && !isBatchWhole
            ? [inferredMatch]
            : isTouched && kind !== CellKind.QuotedEscaped
              ? batchMatchesAlone(index, start, stop, value, cellScanner)
              : undefined;
        if (found === undefined) {
          const own =
            (kind === CellKind.QuotedEscaped ? escapedMatchesAlone(index, value, cellScanner) : undefined) ??
            (isVouched ? cellScanner.scanNamedOnly(value) : cellScanner.scan(value)).matches;
          found = own;
          // A batch match the cell alone lacks may be one that its neighbours are context for.
          if (isTouched && recordCells > 1 && isForeign(start, stop, kind, own)) {
            recordMatches ??= recordLineMatches(scanText, recordStart, recordEnds[record] as number);
            found = withRecordMatches(own, recordMatches, text, start, stop, kind);
          }
        }
        if (
          inferredMatch !== undefined &&
          !found.some((each) => each.start === 0 && each.end === value.length)
        )
          found = [inferredMatch];
        replacement = found.length === 0 ? value : redactor.replace(value, found, 0, value.length);
      }
      if (replacement === value) return false;
      const isQuoted = kind !== CellKind.Plain;
      out +=
        text.slice(emitted, isQuoted ? start - 1 : start) + encode(replacement, isQuoted, tokens.delimiter);
      emitted = isQuoted ? stop + 1 : stop;
      return true;
    }

    /**
     * `redactCell` of the cell `[start, stop)` (not empty, of a kind other than `QuotedEscaped`,
     * whose value is then its span) under `rule`, whose action gives `constant` for any value:
     * the cell is neither decoded nor passed to the action, and is counted with the cells before
     * it (the bench CSV's two name columns under `redact`: 330 K cells per 64 MB).
     */
    function writeLabel(
      start: number,
      stop: number,
      kind: CellKind,
      rule: CompiledFieldRule,
      constant: string,
    ): boolean {
      countLabel(rule);
      if (stop - start === constant.length && text.startsWith(constant, start)) return false;
      const isQuoted = kind !== CellKind.Plain;
      if (isQuoted) out += text.slice(emitted, start - 1) + encode(constant, true, tokens.delimiter);
      else {
        if (constant !== label) {
          label = constant;
          encodedLabel = encodeOnce(constant, false, tokens.delimiter);
        }
        out += text.slice(emitted, start) + encodedLabel;
      }
      emitted = isQuoted ? stop + 1 : stop;
      return true;
    }

    /**
     * The batch matches overlapping the cell `index`, `[start, stop)`, whose decoded value is
     * `value` (written as it reads), in positions of the cell, when each lies inside it, as
     * written, and `cellScanner` confirms that scanning the cell alone finds them (see
     * `confirmsAlone`); else `undefined`.
     */
    function batchMatchesAlone(
      index: number,
      start: number,
      stop: number,
      value: string,
      cellScanner: Scanner,
    ): ScanMatch[] | undefined {
      const own: ScanMatch[] = [];
      for (let i = match; i < matches.length; i++) {
        const batch = matches[i] as ScanMatch;
        if (batch.start >= stop) break;
        if (batch.start < start || batch.end > stop || batch.value !== undefined) return undefined;
        own.push({ start: batch.start - start, end: batch.end - start, detector: batch.detector });
      }
      return confirmsAlone(index, value, own, cellScanner) ? own : undefined;
    }

    /**
     * `cellScanner.findsAlone(value, own)` for the cell `index`. Under a header that is context,
     * the detectors the header changes already ran on the column (see `contextVouched`): a cell
     * they found nothing in needs them no more, and one they found something in is not
     * confirmed (it is scanned alone, which finds the same when `findsAlone` would hold).
     */
    function confirmsAlone(
      index: number,
      value: string,
      own: readonly ScanMatch[],
      cellScanner: Scanner,
    ): boolean {
      if (cellScanner === scanner) return scanner.findsAlone(value, own);
      return vouchedCells?.[index] === 1 && cellScanner.findsAlone(value, own, true);
    }

    /**
     * The matches of `cellScanner` in the cell `index` with doubled quotes, whose decoded value
     * is `value`, from the scan of such cells decoded (see `escapedCellMatches`) when it
     * vouches for them: none found there (then only the detectors a header that is context
     * changes can find one), or each inside the cell and confirmed by `confirmsAlone`, as
     * `batchMatchesAlone` takes them; else `undefined`.
     */
    function escapedMatchesAlone(
      index: number,
      value: string,
      cellScanner: Scanner,
    ): readonly ScanMatch[] | undefined {
      const batch = escapedMatches?.get(index);
      if (batch === undefined || batch === null) return undefined;
      if (batch.length === 0)
        return cellScanner === scanner || vouchedCells?.[index] === 1
          ? batch
          : cellScanner.scanNamedOnly(value).matches;
      return confirmsAlone(index, value, batch, cellScanner) ? batch : undefined;
    }

    /**
     * True when a batch match overlapping the cell `[start, stop)` is not one of `own`, the
     * matches of the cell alone (in its decoded value). In a cell with doubled quotes, a batch
     * match is one of `own` when it lies inside the cell and holds no quote (its text is then
     * the decoded one), in positions that count each doubled quote before it once, as
     * `withRecordMatches` counts them.
     */
    function isForeign(start: number, stop: number, kind: CellKind, own: readonly ScanMatch[]): boolean {
      for (let i = match; i < matches.length; i++) {
        const batch = matches[i] as ScanMatch;
        if (batch.start >= stop) return false;
        let shift = start;
        if (kind === CellKind.QuotedEscaped) {
          if (batch.start < start || batch.end > stop) return true;
          if (text.slice(batch.start, batch.end).includes('"')) return true;
          shift += quotesBetween(text, start, batch.start) / 2;
        }
        const same = own.find((found) => found.start + shift === batch.start);
        if (same === undefined || same.end + shift !== batch.end || same.detector !== batch.detector)
          return true;
      }
      return false;
    }

    let record = 0;
    let cell = 0;
    if (binding === undefined) {
      const cellEnd = recordCellEnds[0] as number;
      recordCells = cellEnd;
      const names: string[] = [];
      let dataLikeCells = 0;
      let filledCells = 0;
      // Whether a cell that does not look like data names a rule.
      let isNaming = false;
      for (let index = cell; index < cellEnd; index++) {
        const start = cellStarts[index] as number;
        const stop = cellEnds[index] as number;
        const name = columnName(decode(text, start, stop, cellKinds[index] as CellKind), names.length);
        names.push(name);
        const isDetected = matches.some((found) => found.start < stop && found.end > start);
        if (name.length > 0) filledCells++;
        if (isDetected || NUMBER_LIKE.test(name) || EMAIL_LIKE.test(name)) dataLikeCells++;
        else isNaming ||= redactor.fieldRule([name]) !== undefined;
      }
      // The first row stays what the first batch scan made it, as when no records are held.
      dataLikeCells = heldDataLikeCells ?? dataLikeCells;
      // Mostly data: a file without a header. Otherwise a header, even with a data-like cell
      // among its names; but a doubted header may be data after all, so it never exempts a
      // column from the detectors, and a cell naming a ruled column gets that rule itself
      // (`secret123` in a first row of data is a value, not only a name).
      const isDataLike =
        layout.header === 'absent' || (layout.header === 'detect' && dataLikeCells * 2 > filledCells);
      // Declared columns bind unless the first row is a header beyond doubt: alone when it is
      // data, beside its own names when it may be either (the rules of both apply).
      const declared = layout.columns;
      const isDeclared = declared !== undefined && (isDataLike || dataLikeCells > 0 || filledCells === 0);
      if (isDeclared) {
        declaredCells = declared.length;
        checkCellCount(tokens, 0, 0);
      }
      // A header whose names name no rule (but those of cells that look like data, such as
      // `password=hunter2`) may be a first row of values that nothing marks as data
      // (`Jane Doe,hunter2`): the records after it tell (see `isFirstRowOfValues`).
      const isUnnamed =
        !isDataLike && layout.header === 'detect' && shapes.length > 0 && filledCells > 0 && !isNaming;
      // Columns no name binds are inferred from the records of the window, which then are the
      // head each segment redacts first, so that a segment infers (and decides) the same.
      const isHeld = isInferring && (isDataLike || isUnnamed) && !isDeclared;
      const windowRecords = isHeld ? inferenceWindow(tokens, isEnded) : 1;
      if (windowRecords === undefined) {
        heldDataLikeCells = dataLikeCells;
        return '';
      }
      const isData = isDataLike || (isUnnamed && isFirstRowOfValues(tokens, windowRecords, matches, shapes));
      const isDoubted = dataLikeCells > 0 || isData;
      const isInferred = isHeld && isData;
      options.onHeader?.({
        delimiter: tokens.delimiter,
        endOffset: tokenizerOffset + (recordEnds[isHeld ? windowRecords - 1 : 0] as number),
      });
      // The names each column goes by: its header, a declared name, or both; in a headerless
      // object, the name its values' shape gives it, if any.
      const columnNames: (readonly string[])[] = !isDeclared
        ? isData
          ? isInferred
            ? Array.from(inferColumnNames(tokens, windowRecords, matches, shapes) ?? [], (name) =>
                name === undefined ? [] : [name],
              )
            : []
          : names.map((name) => [name])
        : isData
          ? declared.map((name) => [name])
          : names.map((name, column) => [name, declared[column] as string]);
      // A `keep` rule binds only on a header beyond doubt or on columns the operator says every row has.
      const isKeepBound = isDeclared ? layout.header === 'absent' : !isDoubted;
      binding = bindCsvColumns(redactor, columnNames, isKeepBound);
      inferred =
        isInferred && inferable !== undefined && inferable.size > 0
          ? inferColumns(tokens, windowRecords, matches, inferable)
          : undefined;
      quietColumns = withInferredColumns(binding.ruledColumns, inferred);
      hasBatchedRules = binding.rules.some((rule) => rule !== undefined && isBatched(rule));
      if (!isDeclared || !isData) {
        for (let column = 0; cell < cellEnd; cell++, column++) {
          const rule = isDoubted || isDeclared ? binding.rules[column] : undefined;
          if (rule === undefined || !redactCell(cell, rule))
            redactCell(cell, undefined, scanner, inferred?.[column]);
        }
        record = 1;
      }
    }
    const { rules, scanners: columnScanners, namingColumn, namedColumns } = binding;
    const detectedOnly = detectedOnlyColumns(binding, inferred, scanner);
    vouchedCells = contextVouched(tokens, binding, record, cell);
    batchedCells = hasBatchedRules ? ruledCells.written(tokens, rules, record, cell) : undefined;
    for (; record < recordCount; record++) {
      const recordEnd = recordEnds[record] as number;
      const cellEnd = recordCellEnds[record] as number;
      checkCellCount(tokens, record, cell);
      recordStart = record === 0 ? 0 : (recordEnds[record - 1] as number);
      recordCells = cellEnd - cell;
      recordMatches = undefined;
      const firstCellStart = cellStarts[cell] as number;
      while (match < matches.length && (matches[match] as ScanMatch).end <= firstCellStart) match++;
      while (escaped < escapedCells.length && (escapedCells[escaped] as number) < cell) escaped++;
      const namedRule =
        namedColumns.length > 0 ? ruleNamedBy(tokens, namingColumn, cell + namingColumn, cellEnd) : undefined;
      const isQuiet =
        namedRule === undefined &&
        (match === matches.length || (matches[match] as ScanMatch).start >= recordEnd) &&
        (escaped === escapedCells.length || (escapedCells[escaped] as number) >= cellEnd);
      if (isQuiet) {
        // Most records: only the ruled and inferred columns can change.
        for (const column of quietColumns) {
          if (cell + column >= cellEnd) break;
          redactCell(cell + column, rules[column], columnScanners[column], inferred?.[column]);
        }
      } else {
        for (let column = 0; cell + column < cellEnd; column++) {
          const index = cell + column;
          // The cells that `redactCell` would return from at once, passed over without a call:
          // in a column of the detectors alone, no doubled quote and no batch match.
          if (detectedOnly[column] === 1 && cellKinds[index] !== CellKind.QuotedEscaped) {
            const start = cellStarts[index] as number;
            while (match < matches.length && (matches[match] as ScanMatch).end <= start) match++;
            if (
              match === matches.length ||
              (matches[match] as ScanMatch).start >= (cellEnds[index] as number)
            )
              continue;
          }
          const rule = rules[column] ?? (namedColumns.includes(column) ? namedRule : undefined);
          redactCell(index, rule, columnScanners[column] as Scanner, inferred?.[column]);
        }
      }
      cell = cellEnd;
    }
    return out + text.slice(emitted, end);
  }

  /**
   * The matches of the detectors in the cells with doubled quotes of the complete records held
   * by `tokens`, decoded: the batch scan sees them as written, so it vouches for none of them.
   * They are scanned as one text, a line feed between cells, on the batch scan's condition.
   * Per cell index: its matches in positions of the decoded cell, or `null` when one of them
   * crosses the cell's bounds or carries a value of its own; `undefined` without such cells.
   */
  function escapedCellMatches(tokens: CsvTokenizer): Map<number, ScanMatch[] | null> | undefined {
    const { text, recordCount, recordCellEnds, cellStarts, cellEnds, escapedCells } = tokens;
    const cellEnd = recordCount === 0 ? 0 : (recordCellEnds[recordCount - 1] as number);
    const cells: number[] = [];
    const values: string[] = [];
    for (const index of escapedCells) {
      if (index >= cellEnd) break;
      cells.push(index);
      values.push(
        decode(text, cellStarts[index] as number, cellEnds[index] as number, CellKind.QuotedEscaped),
      );
    }
    if (cells.length === 0) return undefined;
    const found = scanner.scan(values.join('\n')).matches;
    const byCell = new Map<number, ScanMatch[] | null>();
    let next = 0;
    let start = 0;
    cells.forEach((index, i) => {
      const end = start + (values[i] as string).length;
      let own: ScanMatch[] | null = [];
      for (; next < found.length; next++) {
        const batch = found[next] as ScanMatch;
        if (batch.end <= start) continue;
        if (batch.start >= end) break;
        if (batch.start < start || batch.end > end || batch.value !== undefined) own = null;
        else own?.push({ start: batch.start - start, end: batch.end - start, detector: batch.detector });
        // One that goes on into the next cell is that cell's too.
        if (batch.end > end) break;
      }
      byCell.set(index, own);
      start = end + 1;
    });
    return byCell;
  }

  /**
   * Fills `cells` and `values` (emptied first) with the index and decoded value of each cell of
   * `column` held by `tokens`, from record `firstRecord` (whose first cell is `firstCell`) on:
   * records too short to reach the column are passed over.
   */
  function columnCells(
    tokens: CsvTokenizer,
    column: number,
    firstRecord: number,
    firstCell: number,
    cells: number[],
    values: string[],
  ): void {
    const { text, recordCount, recordCellEnds, cellStarts, cellEnds, cellKinds } = tokens;
    cells.length = 0;
    values.length = 0;
    let cell = firstCell;
    for (let record = firstRecord; record < recordCount; record++) {
      const index = cell + column;
      cell = recordCellEnds[record] as number;
      if (index >= cell) continue;
      cells.push(index);
      values.push(
        decode(text, cellStarts[index] as number, cellEnds[index] as number, cellKinds[index] as CellKind),
      );
    }
  }

  /**
   * Per cell held by `tokens` (from record `firstRecord`, whose first cell is `firstCell`), 1 when
   * it is in one of the `contextColumns` of `binding` and the detectors its header changes find
   * nothing in its decoded value; `undefined` without such columns. The decoded cells of each
   * column are scanned as one text, a line feed between cells: as for the batch scan, the
   * detectors find there every match they find in a cell alone, so a cell without one there has
   * none alone. It then needs no scan of its own when the batch scan (or `escapedCellMatches`)
   * vouches for it too: most cells under a header that is context (the bench CSV's `contact` column).
   */
  function contextVouched(
    tokens: CsvTokenizer,
    binding: CsvColumnBinding,
    firstRecord: number,
    firstCell: number,
  ): Uint8Array | undefined {
    const { contextColumns, scanners } = binding;
    if (contextColumns.length === 0 || firstRecord >= tokens.recordCount) return undefined;
    const vouched = new Uint8Array(tokens.recordCellEnds[tokens.recordCount - 1] as number);
    const cells: number[] = [];
    const pieces: string[] = [];
    for (const column of contextColumns) {
      columnCells(tokens, column, firstRecord, firstCell, cells, pieces);
      const found = (scanners[column] as Scanner).scanNamedOnly(pieces.join('\n')).matches;
      let next = 0;
      let start = 0;
      for (let i = 0; i < cells.length; i++) {
        const end = start + (pieces[i] as string).length;
        while (next < found.length && (found[next] as ScanMatch).end <= start) next++;
        if (next === found.length || (found[next] as ScanMatch).start >= end) vouched[cells[i] as number] = 1;
        start = end + 1;
      }
    }
    return vouched;
  }

  /**
   * Fails unless the record `record` held by `tokens`, whose first cell is `cell`, has as many
   * cells as the declared columns bound, or is an empty line: where a cell is in another place
   * than the declared names say, no rule can be trusted to name it (a shifted password would
   * pass under a column with a weaker rule, or past the last one with only the detectors).
   */
  function checkCellCount(tokens: CsvTokenizer, record: number, cell: number): void {
    if (declaredCells === undefined) return;
    const cells = (tokens.recordCellEnds[record] as number) - cell;
    if (cells === declaredCells || (cells === 1 && tokens.cellStarts[cell] === tokens.cellEnds[cell])) return;
    throw new MalformedObjectError(
      `malformed CSV in record ${tokens.firstRecordNumber + record}: ${cells} cells where csv.columns of rule set "${redactor.ruleSet.name}" names ${declaredCells}`,
    );
  }

  /**
   * The field rule of the name in the naming cell `index` of a record (in the column
   * `namingColumn`, -1 for none), unless it is `keep` or missing.
   */
  function ruleNamedBy(
    tokens: CsvTokenizer,
    namingColumn: number,
    index: number,
    cellEnd: number,
  ): CompiledFieldRule | undefined {
    if (namingColumn < 0 || index >= cellEnd) return undefined;
    const { text, cellStarts, cellEnds, cellKinds } = tokens;
    const name = decode(
      text,
      cellStarts[index] as number,
      cellEnds[index] as number,
      cellKinds[index] as CellKind,
    );
    return name === '' ? undefined : redactor.bindingRule([name]);
  }

  /**
   * The matches of the detectors in the record line `scanText[start, end)`, a record as the
   * batch scan sees it (see `csvScanText`) but alone: its own cells are the only context.
   */
  function recordLineMatches(scanText: string, start: number, end: number): ScanMatch[] {
    return scanner
      .scan(scanText.slice(start, end))
      .matches.map((found) => ({ ...found, start: found.start + start, end: found.end + start }));
  }

  function emitHeld(tokens: CsvTokenizer): string {
    const out = emitRecords(tokens);
    flushLabelCount();
    // Records of an inference window not yet complete are held.
    if (binding !== undefined) tokens.discard();
    return out;
  }

  return {
    recordsRead() {
      return tokenizer?.recordsRead ?? 0;
    },
    isInQuotedCell() {
      return tokenizer?.isInQuotedCell() ?? false;
    },
    push(text) {
      pushedLength += text.length;
      let prefix = '';
      if (isFirstText && text.length > 0) {
        isFirstText = false;
        if (text.startsWith(BOM)) {
          prefix = BOM;
          text = text.slice(1);
        }
      }
      if (tokenizer !== undefined) {
        tokenizer.feed(text);
        return prefix + emitHeld(tokenizer);
      }
      // Only a line break (or the character after a final CR) or the length limit can end the
      // wait; reading the held line again for every small piece would be quadratic.
      const isDecidable = LINE_BREAK.test(text) || preamble.endsWith('\r');
      preamble += text;
      if (!isDecidable && preamble.length <= maxRecordLength) return prefix;
      const out = prefix + readPreamble(false);
      return tokenizer === undefined ? out : out + emitHeld(tokenizer);
    },
    end() {
      isEnded = true;
      let out = '';
      if (tokenizer === undefined) out = readPreamble(true);
      if (tokenizer === undefined) return out;
      tokenizer.finish();
      return out + emitHeld(tokenizer);
    },
  };
}

/**
 * Per column of `binding`, 1 when only the detectors, as they read any cell, apply to its cells:
 * no rule, no header that is context, not named by a sibling cell and not inferred. A record
 * with a batch match visits every cell, and most are such cells with no match.
 */
function detectedOnlyColumns(
  binding: CsvColumnBinding,
  inferred: InferredColumns | undefined,
  scanner: Scanner,
): Uint8Array {
  const { rules, scanners, namedColumns } = binding;
  const detectedOnly = new Uint8Array(rules.length);
  for (let column = 0; column < rules.length; column++) {
    const isDetectedOnly =
      rules[column] === undefined &&
      scanners[column] === scanner &&
      !namedColumns.includes(column) &&
      inferred?.[column] === undefined;
    if (isDetectedOnly) detectedOnly[column] = 1;
  }
  return detectedOnly;
}

/**
 * `own`, the matches of the cell `text[start, stop)` (of `kind`) decoded and scanned alone,
 * with the matches of its record line (`recordMatches`, in positions of `text`) that lie wholly
 * inside the cell and overlap none of `own`, all in positions of the decoded cell and in order.
 * In a cell with doubled quotes, a match holding a quote is left out (its text is not the
 * decoded one) and positions count each doubled quote once.
 */
function withRecordMatches(
  own: readonly ScanMatch[],
  recordMatches: readonly ScanMatch[],
  text: string,
  start: number,
  stop: number,
  kind: CellKind,
): readonly ScanMatch[] {
  let merged: ScanMatch[] | undefined;
  for (const found of recordMatches) {
    if (found.start < start || found.end > stop) continue;
    let shift = start;
    if (kind === CellKind.QuotedEscaped) {
      if (text.slice(found.start, found.end).includes('"')) continue;
      shift += quotesBetween(text, start, found.start) / 2;
    }
    const cellStart = found.start - shift;
    const cellEnd = found.end - shift;
    if (own.some((mine) => mine.start < cellEnd && mine.end > cellStart)) continue;
    merged ??= [...own];
    merged.push({ ...found, start: cellStart, end: cellEnd });
  }
  return merged === undefined ? own : merged.sort((a, b) => a.start - b.start);
}

function quotesBetween(text: string, start: number, end: number): number {
  let quotes = 0;
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 0x22) quotes++;
  return quotes;
}

function isValidDelimiter(delimiter: string): boolean {
  return delimiter.length === 1 && delimiter.charCodeAt(0) <= 0x7f && !'"\r\n'.includes(delimiter);
}

/** The name a header cell gives its column: a leading `#` (a commented-out header) is not part of it. */
function columnName(cell: string, index: number): string {
  return index === 0 ? cell.replace(/^#+\s*/, '') : cell;
}
