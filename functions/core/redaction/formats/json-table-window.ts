import type { CompiledFieldRule, FieldPath, Redactor } from '../redactor.ts';
import { credentialHeaderValueShape } from './credential-header-values.ts';
import { INFERENCE_WINDOW_CHARS, INFERENCE_WINDOW_RECORDS, isLocalPhone } from './csv-column-inference.ts';
import { type ColumnShape, columnShapes, hasNamedShape, shapeName } from './csv-column-shapes.ts';
import { quote } from './json-string-encoder.ts';
import { isColumnName } from './sniff-ruled-csv.ts';

/** One scalar of a row read in the window; positions are indexes into the rewriter's output. */
interface WindowCell {
  readonly row: number;
  readonly column: number;
  /** The value as read: a decoded string, or a number's or literal's text. */
  readonly text: string;
  readonly isString: boolean;
  /** Where its output starts (its comma, if any), where its value's starts, and where it ends. */
  memberStart: number;
  valueStart: number;
  valueEnd: number;
  /** It was its row's first element: no comma before it. */
  readonly isFirst: boolean;
  /** Rule counts before it was handled, then what handling it added. */
  counts: ReadonlyMap<string, number>;
  /** A detector matched it whole; `undefined` while unknown (it is scanned alone when it matters). */
  isWhole: boolean | undefined;
}

function totalOf(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}

/** A key of an object: a word of letters, digits, `_`, `.` or `-`, starting with a letter or `_`. */
const KEY = /^[A-Za-z_][\w.-]{0,63}$/;

/** What a window's rows are (see {@link JsonTableWindow.decide}). */
export interface TableDecision {
  /** The rule of each column, for the rows after the first when `hasHeader`, else all. */
  readonly rules: readonly (CompiledFieldRule | undefined)[];
  readonly hasHeader: boolean;
  /**
   * For a list of `[name, value]` pairs: per row, the rule its value takes (see {@link pairRule});
   * the rows after the window are pairs too.
   */
  readonly pairRules: readonly (CompiledFieldRule | undefined)[] | undefined;
}

/**
 * The rule the value of a pair named `name` takes, given `rule`, the one `name` names: none for
 * the name of a header carrying credentials (`["Authorization", "required"]`), whose value the
 * rewriter rules only when it has that header's shape (see `credentialHeaderValueShape`).
 */
export function pairRule(name: string, rule: CompiledFieldRule | undefined): CompiledFieldRule | undefined {
  return rule === undefined || credentialHeaderValueShape(name) !== undefined ? undefined : rule;
}

/** The rule counts of a cell whose handling counted nothing (most): shared, never changed. */
const NONE_ADDED: ReadonlyMap<string, number> = new Map();

/**
 * The shapes that name a column of a JSON table: those of headerless CSV (see
 * `csv-column-shapes.ts`), then local phone numbers (`555-0199`), which the phone detector
 * misses without an area code and which a CSV column holds by the detector's loose shape (see
 * `csv-column-inference.ts`); here the `phone` field rule takes them. Only the shapes whose name
 * binds a field rule of the rule set that is not `keep`.
 */
export function tableShapes(redactor: Redactor): readonly ColumnShape[] {
  const shapes = [...columnShapes(redactor)];
  const phone = redactor.fieldRule(['phone']);
  if (phone !== undefined && !phone.isKeep) shapes.push({ name: 'phone', cell: isLocalPhone });
  return shapes;
}

/**
 * The first rows of a JSON table, an array whose elements are arrays of scalars
 * (`[["Jane Doe","123456789"],["John Roe","987654320"]]`, or Google Sheets' `values`), held in
 * the output until its columns are named: the rows from the first, {@link INFERENCE_WINDOW_RECORDS}
 * at most, or fewer when the text of their cells (one more character each) reaches
 * {@link INFERENCE_WINDOW_CHARS} code units first (the cell reaching it counts), or the whole
 * table when it ends sooner. What they are depends on the tokens alone, so the output does not
 * depend on how the input was split.
 *
 * As in a CSV file, a first row of strings is a header unless it is a row of values: one of its
 * cells has the shape its column's later values have, other than a person's name's (see
 * `hasNamedShape`). A header stays as written and binds the rules its cells name
 * (`["name","ssn"]`) to the columns of the later rows by position. Rows in which one element
 * names the next (header tuples, command lines, see {@link skipCell}) are no table, and lists
 * of `[name, value]` pairs (see {@link pairList}) no table but pairs: each value takes the
 * rule its name names, as the value of an object's member of that name would (the window's
 * cells are written again, the rewriter gives the rule to the values of the later pairs).
 * Columns no
 * header cell names are named by the shapes of their string values (see {@link tableShapes}, `shapeName`), a value that
 * a detector matches whole left to that detector. The window's cells of a named column are then
 * written again under its rule (their counts taken back), and the rewriter gives the rule to
 * the cells of that column in the later rows. Numbers are typed values, not text: they name
 * nothing, but take their column's rule as a field rule takes a number.
 *
 * @example
 * const window = new JsonTableWindow(redactor, shapes);
 * window.start(['values']); // then for each scalar of a row: startCell, write it as usual, endCell; beginRow for the next
 * const decision = window.decide(); // when isFull, or the table ends
 * if (decision !== undefined) out = window.rewrite(out, decision, onEmptied);
 */
export class JsonTableWindow {
  private readonly redactor: Redactor;
  private readonly shapes: readonly ColumnShape[];
  /** The path of the table's array: the names of its columns are looked up under it. */
  private tablePath: FieldPath = [];
  private readonly cells: WindowCell[] = [];
  private rows = 0;
  /** Per row: its elements read, cells and skipped cells alike. */
  private readonly widths: number[] = [];
  private column = 0;
  private chars = 0;
  /** A cell had a rule of its own (see {@link skipCell}): the rows are tuples, not records. */
  private hasRuledCell = false;
  /** The first row holds a string. */
  private hasFirstRowString = false;
  /**
   * The rule counts when they last changed, and their total: a cell whose handling leaves the
   * total as it was added nothing, and the counts are copied again only after one that did.
   */
  private counted: ReadonlyMap<string, number> = NONE_ADDED;
  private countedTotal = 0;
  /**
   * The rules the names of a column list beside the table bind (see {@link start}): those
   * columns' cells are written under them as they are read, the others named by their shapes.
   */
  private bound: readonly (CompiledFieldRule | undefined)[] | undefined;

  constructor(redactor: Redactor, shapes: readonly ColumnShape[]) {
    this.redactor = redactor;
    this.shapes = shapes;
  }

  /**
   * Starts the window of a table at `tablePath` with its first row, forgetting the last one's:
   * one window serves every table of a document (GeoJSON has one per ring). `bound` are the
   * rules a list of column names beside the table binds (`{"columns": […], "data": [[…]]}`):
   * the table has no header row and no pairs, its cells of bound columns are read with
   * {@link boundCell}, and the shapes of the other columns' values may name them.
   */
  start(tablePath: FieldPath, bound?: readonly (CompiledFieldRule | undefined)[]): void {
    const counts = this.redactor.counts;
    this.tablePath = tablePath;
    this.bound = bound;
    this.cells.length = 0;
    this.widths.length = 0;
    this.rows = 0;
    this.chars = 0;
    this.hasRuledCell = false;
    this.hasFirstRowString = false;
    this.counted = counts.size === 0 ? NONE_ADDED : new Map(counts);
    this.countedTotal = totalOf(counts);
    this.beginRow();
  }

  /**
   * False once the first row has ended without a string: a row of numbers, booleans or nulls
   * heads a matrix or a list of coordinates, whose cells name nothing (see the class), so the
   * rewriter lets it go without holding it further.
   */
  get isPossible(): boolean {
    return this.rows > 1 || this.hasFirstRowString;
  }

  /** True when the window holds all the rows it reads (see the class). */
  get isFull(): boolean {
    return this.chars >= INFERENCE_WINDOW_CHARS;
  }

  /** Moves the cells' positions back by `chars`, the output before them handed on. */
  shift(chars: number): void {
    for (const cell of this.cells) {
      cell.memberStart -= chars;
      cell.valueStart -= chars;
      cell.valueEnd -= chars;
    }
  }

  /** True when a row ending now completes the window. */
  get isLastRow(): boolean {
    return this.rows >= INFERENCE_WINDOW_RECORDS;
  }

  beginRow(): void {
    this.rows++;
    this.widths.push(0);
    this.column = 0;
  }

  /**
   * A scalar of the row being read, as read, about to be written at `memberStart` in the output;
   * `isFirst` when its row wrote no element yet. Returns it for {@link endCell}.
   */
  startCell(text: string, isString: boolean, memberStart: number, isFirst: boolean): WindowCell {
    const cell: WindowCell = {
      row: this.rows - 1,
      column: this.column++,
      text,
      isString,
      memberStart,
      valueStart: memberStart + (isFirst ? 0 : 1),
      valueEnd: -1,
      isFirst,
      counts: NONE_ADDED,
      isWhole: undefined,
    };
    if (isString && this.rows === 1) this.hasFirstRowString = true;
    this.cells.push(cell);
    this.widths[this.rows - 1] = this.column;
    this.chars += text.length + 1;
    return cell;
  }

  /**
   * A cell that a rule of its own handled, not its column's: the value after a command-line flag
   * or a credentials header's name. Rows that hold one are tuples (`["Authorization","Basic …"]`
   * in a list of headers) or command lines, whose columns mean nothing: no table.
   */
  skipCell(text: string): void {
    this.hasRuledCell = true;
    this.column++;
    this.widths[this.rows - 1] = this.column;
    this.chars += text.length + 1;
  }

  /**
   * A cell of a column a list of column names bound to a rule (see {@link start}): written under
   * that rule already, it is neither named nor written again.
   */
  boundCell(text: string): void {
    this.column++;
    this.widths[this.rows - 1] = this.column;
    this.chars += text.length + 1;
  }

  /**
   * Marks where a cell's output ends, and keeps the rule counts its handling added; `isWhole`
   * when the matches its handling used say whether one took it whole. A cell whose handling
   * counted nothing had no match.
   */
  endCell(cell: WindowCell, valueEnd: number, isWhole?: boolean): void {
    cell.valueEnd = valueEnd;
    const counts = this.redactor.counts;
    const total = totalOf(counts);
    if (total === this.countedTotal) {
      cell.isWhole = false;
      return;
    }
    // Counts only grow while the window is read: what changed is what this cell added.
    const added = new Map<string, number>();
    for (const [rule, count] of counts) {
      const before = this.counted.get(rule) ?? 0;
      if (count > before) added.set(rule, count - before);
    }
    cell.counts = added;
    cell.isWhole = isWhole;
    this.counted = new Map(counts);
    this.countedTotal = total;
  }

  /**
   * What the window's rows are: `[name, value]` pairs (see {@link pairList}; `isRowOpen`: the
   * window ends inside its last row, which may yet get its value), whose values take the rules
   * their names name when one of the names names one; else a table, the field rule of each
   * column (see the class), whose rows may still be pairs, named past the window; `undefined`
   * when the window is neither (fewer than two rows, a cell ruled on its own, nothing named).
   */
  decide(isRowOpen = false): TableDecision | undefined {
    const bound = this.bound;
    if (bound !== undefined) {
      const inferred = this.rows < 2 || this.hasRuledCell ? undefined : this.columnRules()?.rules;
      const width = Math.max(bound.length, inferred?.length ?? 0);
      const rules = Array.from({ length: width }, (_, column) => bound[column] ?? inferred?.[column]);
      return { rules, hasHeader: false, pairRules: undefined };
    }
    const pairs = this.pairList(isRowOpen);
    if (pairs?.isNaming === true) return { rules: [], hasHeader: false, pairRules: pairs.rules };
    const columns = this.rows < 2 || this.hasRuledCell ? undefined : this.columnRules();
    if (pairs !== undefined) return { rules: [], hasHeader: false, ...columns, pairRules: pairs.rules };
    return columns === undefined ? undefined : { ...columns, pairRules: undefined };
  }

  /** The field rule of each column of a table (see the class), `undefined` when none is named. */
  private columnRules():
    | { readonly rules: readonly (CompiledFieldRule | undefined)[]; readonly hasHeader: boolean }
    | undefined {
    const first: (WindowCell | undefined)[] = [];
    const columns: string[][] = [];
    let isFirstAllStrings = true;
    for (const cell of this.cells) {
      if (cell.row === 0) {
        first[cell.column] = cell;
        if (!cell.isString) isFirstAllStrings = false;
        continue;
      }
      if (!cell.isString || cell.text === '' || this.isWholeMatch(cell)) continue;
      const values = columns[cell.column] ?? [];
      values.push(cell.text);
      columns[cell.column] = values;
    }
    const headerRules = isFirstAllStrings ? first.map((cell) => this.rule(cell?.text)) : [];
    const names = columns.map((values) => shapeName(values, this.shapes));
    const hasHeader =
      this.bound === undefined &&
      isFirstAllStrings &&
      !hasNamedShape(
        first.map((cell) => cell?.text),
        names,
        this.shapes,
      );
    const rules: (CompiledFieldRule | undefined)[] = [];
    if (hasHeader) {
      const width = Math.max(headerRules.length, names.length);
      for (let column = 0; column < width; column++)
        rules[column] = headerRules[column] ?? this.rule(names[column]);
    } else {
      // Without a header the first row is read for shapes too.
      for (const [column, cell] of first.entries()) {
        if (cell === undefined || !cell.isString || cell.text === '' || this.isWholeMatch(cell)) continue;
        const values = columns[column] ?? [];
        values.push(cell.text);
        columns[column] = values;
      }
      columns.forEach((values, column) => {
        rules[column] = this.rule(shapeName(values, this.shapes));
      });
    }
    return rules.some((rule) => rule !== undefined) ? { rules, hasHeader } : undefined;
  }

  /**
   * Returns `out` with the window's cells `decision` rules (those of ruled columns, or the
   * values of pairs whose names name a rule) rewritten as their rules make them, last first so
   * that earlier positions stay true: the replacement takes the place of a cell's output (whose
   * counts are taken back), or a cell the rule drops goes with its comma, as a field rule drops
   * an array's element. A header row and the names of pairs stay as written. `onEmptied` is
   * told when the last row read lost its only written element.
   */
  rewrite(out: string, decision: TableDecision, onEmptied: () => void): string {
    let rewritten = out;
    for (let i = this.cells.length - 1; i >= 0; i--) {
      const cell = this.cells[i] as WindowCell;
      const paired = cell.column === 1 ? decision.pairRules?.[cell.row] : undefined;
      const rule = paired ?? (decision.hasHeader && cell.row === 0 ? undefined : decision.rules[cell.column]);
      if (rule === undefined) continue;
      this.takeBackCounts(cell);
      const replacement = this.redactor.applyField(rule, cell.text);
      if (replacement !== undefined) {
        rewritten = rewritten.slice(0, cell.valueStart) + quote(replacement) + rewritten.slice(cell.valueEnd);
        continue;
      }
      let after = cell.valueEnd;
      if (cell.isFirst) {
        if (rewritten.charCodeAt(after) === 0x2c) after++;
        else if (cell.row === this.rows - 1) onEmptied();
      }
      rewritten = rewritten.slice(0, cell.memberStart) + rewritten.slice(after);
    }
    return rewritten;
  }

  private takeBackCounts(cell: WindowCell): void {
    const counts = this.redactor.counts;
    for (const [id, count] of cell.counts) {
      const left = (counts.get(id) ?? 0) - count;
      if (left > 0) counts.set(id, left);
      else counts.delete(id);
    }
  }

  /**
   * When the rows are `[name, value]` pairs (`[["password","hunter2"],["user","jane"]]`, as
   * `Object.entries` writes an object, or an `env` list): per row, the rule its value takes
   * (see {@link pairRule}), and whether one of the names names a field rule. Pairs: every row
   * has two elements (the last may have one yet when `isRowOpen`), the first are distinct keys
   * (a word without spaces), and the first row is no header whose both cells name a rule
   * (`["secret","name"]`, which a table's later rows follow; a header cell is a column name, see
   * `isColumnName`). A single row passes too: were it
   * a lone header, it would head no values to redact; as a pair, its value would leak. Their
   * first column holds names, not values of one kind: binding the first row's name to it would
   * redact the later names.
   */
  private pairList(
    isRowOpen: boolean,
  ): { readonly rules: (CompiledFieldRule | undefined)[]; readonly isNaming: boolean } | undefined {
    const keys = new Set<string>();
    const rules: (CompiledFieldRule | undefined)[] = [];
    let isNaming = false;
    const last = this.rows - 1;
    for (let row = 0; row <= last; row++) {
      const width = this.widths[row] as number;
      if (width !== 2 && !(row === last && isRowOpen && width === 1)) return undefined;
    }
    for (const cell of this.cells) {
      if (cell.column === 1) {
        // A value that no column is named (`p!wd:aaaa`) is a pair's, whatever rule its words name.
        if (cell.row === 0 && cell.isString && isColumnName(cell.text) && this.rule(cell.text) !== undefined)
          return undefined;
        continue;
      }
      if (!cell.isString || !KEY.test(cell.text) || keys.has(cell.text)) return undefined;
      keys.add(cell.text);
      const rule = this.rule(cell.text);
      isNaming ||= rule !== undefined;
      rules[cell.row] = pairRule(cell.text, rule);
    }
    // A name first in every row (a row's first element is never ruled on its own).
    return keys.size === this.rows ? { rules, isNaming } : undefined;
  }

  /** The field rule `name` binds under the table's path, unless it is `keep`. */
  private rule(name: string | undefined): CompiledFieldRule | undefined {
    if (name === undefined || name === '') return undefined;
    return this.redactor.bindingRule([...this.tablePath, name]);
  }

  private isWholeMatch(cell: WindowCell): boolean {
    const value = cell.text;
    cell.isWhole ??= this.redactor.scanner
      .scan(value)
      .matches.some((match) => match.start === 0 && match.end === value.length);
    return cell.isWhole;
  }
}
