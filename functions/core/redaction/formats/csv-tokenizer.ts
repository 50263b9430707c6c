import { LimitExceededError, MalformedObjectError } from '../../errors.ts';
import { instantiateKernel } from '../detectors/wasm-kernel.ts';
import { isLatin1 } from '../latin1-text.ts';
import { CSV_CELLS_WASM } from './csv-cells-wasm.ts';
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
/** Cells and records the arrays hold at first (a push of the bench CSV completes ~3,300 cells). */
const INITIAL_ENTRIES = 4096;

/**
 * Characters from the start of the pending record that the kernel splits at once (a push and
 * the record it ends); longer text is split by the loop of `run`.
 */
const MAX_KERNEL_CHARS = 1024 * 1024;
// The kernel's memory: the text and the 15 bytes its blocks read past it, then per cell its
// start, end and kind, per record its end and cell end (as many as characters at most).
const STARTS_AT = MAX_KERNEL_CHARS + 16;
const ENDS_AT = STARTS_AT + 4 * MAX_KERNEL_CHARS;
const RECORD_ENDS_AT = ENDS_AT + 4 * MAX_KERNEL_CHARS;
const RECORD_CELL_ENDS_AT = RECORD_ENDS_AT + 4 * MAX_KERNEL_CHARS;
const KINDS_AT = RECORD_CELL_ENDS_AT + 4 * MAX_KERNEL_CHARS;
const KERNEL_BYTES = KINDS_AT + MAX_KERNEL_CHARS;

interface Kernel {
  readonly tokenize: (
    text: number,
    length: number,
    delimiter: number,
    offset: number,
    firstCell: number,
    starts: number,
    ends: number,
    kinds: number,
    recordEnds: number,
    recordCellEnds: number,
  ) => number;
  readonly completeCells: () => number;
  readonly memory: Buffer;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly recordEnds: Int32Array;
  readonly recordCellEnds: Int32Array;
  readonly kinds: Uint8Array;
}

/** The kernel of this thread, made at its first use. */
let kernel: Kernel | undefined;

function instance(): Kernel {
  if (kernel === undefined) {
    const { exports, memory } = instantiateKernel(CSV_CELLS_WASM, KERNEL_BYTES);
    kernel = {
      tokenize: exports.tokenize as Kernel['tokenize'],
      completeCells: exports.completeCells as Kernel['completeCells'],
      memory: Buffer.from(memory),
      starts: new Int32Array(memory, STARTS_AT, MAX_KERNEL_CHARS),
      ends: new Int32Array(memory, ENDS_AT, MAX_KERNEL_CHARS),
      recordEnds: new Int32Array(memory, RECORD_ENDS_AT, MAX_KERNEL_CHARS),
      recordCellEnds: new Int32Array(memory, RECORD_CELL_ENDS_AT, MAX_KERNEL_CHARS),
      kinds: new Uint8Array(memory, KINDS_AT, MAX_KERNEL_CHARS),
    };
  }
  return kernel;
}

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
  // The arrays below are replaced by longer ones as they fill: read them after each feed.
  /** Per complete record: the offset in `text` after its terminator. */
  recordEnds = new Int32Array(INITIAL_ENTRIES);
  /** Per complete record: the index one past its last cell in the cell arrays. */
  recordCellEnds = new Int32Array(INITIAL_ENTRIES);
  /** Per cell: content span `[start, end)` in `text`, quotes excluded. */
  cellStarts = new Int32Array(INITIAL_ENTRIES);
  cellEnds = new Int32Array(INITIAL_ENTRIES);
  /** Per cell: its `CellKind`. */
  cellKinds = new Uint8Array(INITIAL_ENTRIES);
  /** Indexes of the held cells of kind `QuotedEscaped`, ascending. */
  readonly escapedCells: number[] = [];
  /**
   * The batch scan text of the complete records held (see `csvScanText`), when the kernel split
   * them all in the last `feed` and wrote it as it went; else `undefined`.
   */
  scanText: string | undefined;
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

  /**
   * True when the text fed so far ends inside a quoted cell (a line break there is the cell's).
   * The kernel leaves the pending record unread (see `runKernel`), so it is read here first, as
   * the loop would have read it.
   */
  isInQuotedCell(): boolean {
    this.run();
    return this.state === State.Quoted;
  }

  /** Appends text and tokenizes every record it completes. */
  feed(chunk: string): void {
    this.text += chunk;
    this.scanText = undefined;
    if (!this.runKernel()) this.run();
    if (this.text.length - this.recordStart > this.maxRecordLength) throw this.limitError();
  }

  /** Ends the input: the last record may lack a terminator; an open quote is malformed. */
  finish(): void {
    this.scanText = undefined;
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
      cellKinds[to] = cellKinds[from] as number;
    }
    this.cellCount -= firstPendingCell;
    const escapedCells = this.escapedCells;
    let kept = 0;
    for (const index of escapedCells)
      if (index >= firstPendingCell) escapedCells[kept++] = index - firstPendingCell;
    escapedCells.length = kept;
    this.recordsDiscarded += this.recordCount;
    this.recordCount = 0;
    this.scanText = undefined;
    this.text = this.text.slice(cut);
    this.position -= cut;
    this.cellStart -= cut;
    this.recordStart = 0;
  }

  /**
   * Splits the text from the start of the pending record in WebAssembly (assembly/csv-cells.ts)
   * when it is Latin-1 and short enough, leaving the state at the start of the record still
   * pending; when the records start the text, keeps their scan text. Returns false, changing
   * nothing, when the loop of `run` is to split it instead: other text, or a malformed or too
   * long record, which that loop reports. The loop's indexOf per cell, and the scan text made
   * after it, cost ~31 ms of CPU per 16 MB of the bench CSV; this ~17.
   */
  private runKernel(): boolean {
    const from = this.recordStart;
    const length = this.text.length - from;
    if (length > MAX_KERNEL_CHARS) return false;
    const rest = from === 0 ? this.text : this.text.slice(from);
    if (!isLatin1(rest)) return false;
    const kernel = instance();
    kernel.memory.write(rest, 0, 'latin1');
    const firstCell = this.recordCount === 0 ? 0 : (this.recordCellEnds[this.recordCount - 1] as number);
    const records = kernel.tokenize(
      0,
      length,
      this.delimiterCode,
      from,
      firstCell,
      STARTS_AT,
      ENDS_AT,
      KINDS_AT,
      RECORD_ENDS_AT,
      RECORD_CELL_ENDS_AT,
    );
    if (records < 0) return false;
    const { starts, ends, kinds, recordEnds, recordCellEnds } = kernel;
    const maxRecordLength = this.maxRecordLength;
    let previous = from;
    for (let record = 0; record < records; record++) {
      const end = recordEnds[record] as number;
      if (end - previous > maxRecordLength) return false;
      previous = end;
    }
    // The loop may have split part of the pending record: the kernel split it again.
    const escapedCells = this.escapedCells;
    while (escapedCells.length > 0 && (escapedCells[escapedCells.length - 1] as number) >= firstCell)
      escapedCells.pop();
    const cells = kernel.completeCells();
    this.reserve(firstCell + cells, this.recordCount + records);
    // Copied as they are: the kernel wrote positions in `text` and cell indexes.
    this.cellStarts.set(starts.subarray(0, cells), firstCell);
    this.cellEnds.set(ends.subarray(0, cells), firstCell);
    const cellKinds = kinds.subarray(0, cells);
    this.cellKinds.set(cellKinds, firstCell);
    for (
      let i = cellKinds.indexOf(CellKind.QuotedEscaped);
      i >= 0;
      i = cellKinds.indexOf(CellKind.QuotedEscaped, i + 1)
    )
      escapedCells.push(firstCell + i);
    this.recordEnds.set(recordEnds.subarray(0, records), this.recordCount);
    this.recordCellEnds.set(recordCellEnds.subarray(0, records), this.recordCount);
    this.recordCount += records;
    this.cellCount = firstCell + cells;
    this.recordStart = previous;
    this.position = this.recordStart;
    this.cellStart = this.recordStart;
    this.state = State.CellStart;
    if (from === 0 && records > 0) this.scanText = kernel.memory.toString('latin1', 0, previous);
    return true;
  }

  /** Makes the arrays hold `cells` cells and `records` records at least. */
  private reserve(cells: number, records: number): void {
    if (cells > this.cellStarts.length) {
      const length = Math.max(cells, 2 * this.cellStarts.length);
      this.cellStarts = longer(this.cellStarts, new Int32Array(length));
      this.cellEnds = longer(this.cellEnds, new Int32Array(length));
      this.cellKinds = longer(this.cellKinds, new Uint8Array(length));
    }
    if (records > this.recordEnds.length) {
      const length = Math.max(records, 2 * this.recordEnds.length);
      this.recordEnds = longer(this.recordEnds, new Int32Array(length));
      this.recordCellEnds = longer(this.recordCellEnds, new Int32Array(length));
    }
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
        let { cellStarts, cellEnds, cellKinds } = this;
        let cellCount = this.cellCount;
        for (;;) {
          if (nextDelimiter < position) nextDelimiter = indexOrLength(text, delimiter, position);
          if (nextDelimiter >= lineBreak) break;
          if (cellCount === cellStarts.length) {
            this.reserve(cellCount + 1, 0);
            ({ cellStarts, cellEnds, cellKinds } = this);
          }
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
    this.reserve(index + 1, 0);
    this.cellStarts[index] = start;
    this.cellEnds[index] = end;
    this.cellKinds[index] = kind;
    if (kind === CellKind.QuotedEscaped) this.escapedCells.push(index);
  }

  private endRecord(end: number): void {
    if (end - this.recordStart > this.maxRecordLength) throw this.limitError();
    this.reserve(0, this.recordCount + 1);
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

/** `longer` with the entries of `array` at its start. */
function longer<T extends Int32Array | Uint8Array>(array: T, longer: T): T {
  longer.set(array);
  return longer;
}
