import { LimitExceededError, MalformedObjectError } from '../../errors.ts';
import { indexOrLength } from './index-or-length.ts';

/**
 * How a cell was written. The span of a quoted cell excludes its quotes; `QuotedEscaped` cells
 * contain doubled quotes, so their decoded value differs from their span.
 */
export const CellKind = { Plain: 0, Quoted: 1, QuotedEscaped: 2 } as const;
export type CellKind = (typeof CellKind)[keyof typeof CellKind];

const State = {
  CellStart: 0,
  Plain: 1,
  Quoted: 2,
  /** A quote was read inside a quoted cell: it closes the cell or starts a doubled quote. */
  QuoteSeen: 3,
  /** A closing quote and a CR were read: an LF that follows belongs to the terminator. */
  QuoteCr: 4,
} as const;
type State = (typeof State)[keyof typeof State];

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Resumable RFC 4180 tokenizer: text fed in pieces is split into records and cells, recorded as
 * spans of `text` in flat arrays rather than copied, so a consumer can pass unchanged bytes
 * through and decode only the cells it needs.
 *
 * Records end at LF, CRLF or a CR alone (classic Mac and some spreadsheet exports write CR-only
 * files; Python's csv reader splits on all three too). A CR at the end of the text fed so far
 * waits for the next character, which may be its LF. A quote inside an unquoted cell is taken
 * literally, as most producers in the wild expect. A record longer than `maxRecordLength` code
 * units (terminator included) fails with `LimitExceededError`, whatever the chunking.
 */
export class CsvTokenizer {
  /** Text from the start of the first record not yet discarded. */
  text = '';
  /** Complete records held since the last `discard`. */
  recordCount = 0;
  /** Per complete record: the offset in `text` after its terminator. */
  readonly recordEnds: number[] = [];
  /** Per complete record: the index one past its last cell in the cell arrays. */
  readonly recordCellEnds: number[] = [];
  /** Per cell: content span `[start, end)` in `text`, quotes excluded. */
  readonly cellStarts: number[] = [];
  readonly cellEnds: number[] = [];
  readonly cellKinds: CellKind[] = [];
  /** Indexes of the held cells of kind `QuotedEscaped`, ascending. */
  readonly escapedCells: number[] = [];
  readonly delimiter: string;

  private readonly delimiterCode: number;
  private readonly maxRecordLength: number;
  private cellCount = 0;
  private recordsDiscarded = 0;
  private recordStart = 0;
  private position = 0;
  private state: State = State.CellStart;
  private cellStart = 0;
  private cellKind: CellKind = CellKind.Plain;

  /** `recordsBefore`: lines of the input before the first record fed, so error messages count them. */
  constructor(delimiter: string, maxRecordLength: number, recordsBefore = 0) {
    this.delimiter = delimiter;
    this.delimiterCode = delimiter.charCodeAt(0);
    this.maxRecordLength = maxRecordLength;
    this.recordsDiscarded = recordsBefore;
  }

  /** Number (1-based, over the whole input) of the first record held. */
  get firstRecordNumber(): number {
    return this.recordsDiscarded + 1;
  }

  /** Complete records read so far, over the whole input (the lines before it counted). */
  get recordsRead(): number {
    return this.recordsDiscarded + this.recordCount;
  }

  /** True when the text fed so far ends inside a quoted cell (a line break there is the cell's). */
  get isInQuotedCell(): boolean {
    return this.state === State.Quoted;
  }

  /** Appends text and tokenizes every record it completes. */
  feed(chunk: string): void {
    this.text += chunk;
    this.run();
    if (this.text.length - this.recordStart > this.maxRecordLength) throw this.limitError();
  }

  /** Ends the input: the last record may lack a terminator; an open quote is malformed. */
  finish(): void {
    this.run();
    const length = this.text.length;
    switch (this.state) {
      case State.CellStart:
        if (this.position === this.recordStart) return;
        this.addCell(length, length, CellKind.Plain);
        break;
      case State.Plain:
        // `position` stops before a final CR, which is then the terminator.
        this.addCell(this.cellStart, this.position, CellKind.Plain);
        break;
      case State.QuoteSeen:
        this.addCell(this.cellStart, length - 1, this.cellKind);
        break;
      case State.Quoted:
        throw this.malformed('a quoted field is not closed at the end of the object', length);
      case State.QuoteCr:
        this.addCell(this.cellStart, length - 2, this.cellKind);
        break;
    }
    this.endRecord(length);
    this.state = State.CellStart;
  }

  /** Drops the complete records; spans of the pending record are rebased onto the new `text`. */
  discard(): void {
    const cut = this.recordStart;
    const firstPendingCell =
      this.recordCount === 0 ? 0 : (this.recordCellEnds[this.recordCount - 1] as number);
    const { cellStarts, cellEnds, cellKinds } = this;
    for (let from = firstPendingCell, to = 0; from < this.cellCount; from++, to++) {
      cellStarts[to] = (cellStarts[from] as number) - cut;
      cellEnds[to] = (cellEnds[from] as number) - cut;
      cellKinds[to] = cellKinds[from] as CellKind;
    }
    this.cellCount -= firstPendingCell;
    const escapedCells = this.escapedCells;
    let kept = 0;
    for (const index of escapedCells)
      if (index >= firstPendingCell) escapedCells[kept++] = index - firstPendingCell;
    escapedCells.length = kept;
    this.recordsDiscarded += this.recordCount;
    this.recordCount = 0;
    this.text = this.text.slice(cut);
    this.position -= cut;
    this.cellStart -= cut;
    this.recordStart = 0;
  }

  private run(): void {
    const text = this.text;
    const length = text.length;
    const delimiter = this.delimiter;
    let position = this.position;
    let state = this.state;
    // Next delimiter, LF and CR at or after `position` (`length` when none): found with indexOf,
    // which is several times faster than a loop over charCodeAt.
    let nextDelimiter = -1;
    let nextLf = -1;
    let nextCr = -1;
    while (position < length) {
      if (state === State.CellStart) {
        if (text.charCodeAt(position) === QUOTE) {
          this.cellStart = position + 1;
          this.cellKind = CellKind.Quoted;
          state = State.Quoted;
          position++;
          continue;
        }
        this.cellStart = position;
        state = State.Plain;
      }
      if (state === State.Plain) {
        if (nextLf < position) nextLf = indexOrLength(text, '\n', position);
        if (nextCr < position) nextCr = indexOrLength(text, '\r', position);
        const lineBreak = Math.min(nextCr, nextLf);
        // The plain cells of this record up to the last or a quoted one, without going round
        // the state machine for each; written to the arrays here, as `addCell` would.
        let cellStart = this.cellStart;
        let isCellStart = false;
        const { cellStarts, cellEnds, cellKinds } = this;
        let cellCount = this.cellCount;
        for (;;) {
          if (nextDelimiter < position) nextDelimiter = indexOrLength(text, delimiter, position);
          if (nextDelimiter >= lineBreak) break;
          cellStarts[cellCount] = cellStart;
          cellEnds[cellCount] = nextDelimiter;
          cellKinds[cellCount] = CellKind.Plain;
          cellCount++;
          position = nextDelimiter + 1;
          cellStart = position;
          if (position === length || text.charCodeAt(position) === QUOTE) {
            isCellStart = true;
            break;
          }
        }
        this.cellCount = cellCount;
        this.cellStart = cellStart;
        if (!isCellStart) {
          // The cell from `cellStart` ends at the line break, if the text holds it.
          if (lineBreak === nextCr && nextCr + 1 === length) {
            // CR or CRLF: the next text decides.
            position = nextCr;
            break;
          }
          if (lineBreak === length) {
            position = length;
            break;
          }
          const recordEnd = lineBreak === nextCr && nextLf === nextCr + 1 ? nextLf + 1 : lineBreak + 1;
          this.addCell(cellStart, lineBreak, CellKind.Plain);
          this.endRecord(recordEnd);
          position = recordEnd;
        }
        state = State.CellStart;
      } else if (state === State.Quoted) {
        const quote = text.indexOf('"', position);
        if (quote === -1) {
          position = length;
          break;
        }
        position = quote + 1;
        state = State.QuoteSeen;
      } else if (state === State.QuoteSeen) {
        const code = text.charCodeAt(position);
        if (code === QUOTE) {
          this.cellKind = CellKind.QuotedEscaped;
          state = State.Quoted;
        } else if (code === this.delimiterCode) {
          this.addCell(this.cellStart, position - 1, this.cellKind);
          state = State.CellStart;
        } else if (code === LF) {
          this.addCell(this.cellStart, position - 1, this.cellKind);
          this.endRecord(position + 1);
          state = State.CellStart;
        } else if (code === CR) {
          state = State.QuoteCr;
        } else {
          throw this.malformed('characters follow a closing quote', position);
        }
        position++;
      } else {
        const isCrLf = text.charCodeAt(position) === LF;
        this.addCell(this.cellStart, position - 2, this.cellKind);
        if (isCrLf) position++;
        this.endRecord(position);
        state = State.CellStart;
      }
    }
    this.position = position;
    this.state = state;
  }

  private addCell(start: number, end: number, kind: CellKind): void {
    const index = this.cellCount++;
    this.cellStarts[index] = start;
    this.cellEnds[index] = end;
    this.cellKinds[index] = kind;
    if (kind === CellKind.QuotedEscaped) this.escapedCells.push(index);
  }

  private endRecord(end: number): void {
    if (end - this.recordStart > this.maxRecordLength) throw this.limitError();
    this.recordEnds[this.recordCount] = end;
    this.recordCellEnds[this.recordCount] = this.cellCount;
    this.recordCount++;
    this.recordStart = end;
  }

  private get recordNumber(): number {
    return this.recordsDiscarded + this.recordCount + 1;
  }

  private limitError(): LimitExceededError {
    return new LimitExceededError(
      `CSV record ${this.recordNumber} is longer than the limit of ${this.maxRecordLength} characters (maxRecordBytes)`,
    );
  }

  /** A fault past the record limit reports the limit, as it would have had the input arrived in pieces. */
  private malformed(what: string, position: number): MalformedObjectError | LimitExceededError {
    if (position - this.recordStart >= this.maxRecordLength) return this.limitError();
    return new MalformedObjectError(`malformed CSV in record ${this.recordNumber}: ${what}`);
  }
}
