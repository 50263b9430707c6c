import type { CompiledFieldRule, Redactor } from '../redactor.ts';
import { CsvCellResults } from './csv-cell-results.ts';
import { CellKind, type CsvTokenizer } from './csv-tokenizer.ts';

/** Cells of a column looked up per batch before the rest are: when none is remembered, the rest are not looked up. */
const PROBED_CELLS = 16;

/** How a CSV redactor writes a value into a cell (quoted when it was, or when it must be). */
export type CsvCellEncoder = (value: string, wasQuoted: boolean, delimiter: string) => string;

/**
 * The cells of a CSV object's ruled columns as they are to be written, worked out a batch of
 * records at a time, column by column: each column's cells that are not empty go to its rule
 * together (through `ValueAction.many` when the action has it: `hash`), and the rule counts
 * them then. A column's results that all need no quotes (tokens, hashes, labels: one check of
 * them joined) are written as they are into cells that had none, and such cells' results are
 * remembered by their text (see `CsvCellResults`), unless the first cells of the column in a
 * batch are all new to it (ids).
 *
 * @example
 * ```ts
 * const ruled = new CsvRuledCells(redactor, encode);
 * ruled.written(tokens, binding.rules, 1, header.length)?.[index]; // '<token>' for a ruled cell
 * ```
 */
export class CsvRuledCells {
  private readonly redactor: Redactor;
  private readonly encode: CsvCellEncoder;
  /** Per ruled column, the results of its cells remembered by their text. */
  private readonly remembered: CsvCellResults[] = [];
  private readonly cells: number[] = [];
  private readonly values: string[] = [];
  private readonly slots: number[] = [];

  constructor(redactor: Redactor, encode: CsvCellEncoder) {
    this.redactor = redactor;
    this.encode = encode;
  }

  /**
   * Per cell held by `tokens` (from record `firstRecord`, whose first cell is `firstCell`) in a
   * column that `rules` give a rule other than `keep`, the cell as it is to be written (quotes
   * included, an empty string to drop it); `undefined` without such columns.
   */
  written(
    tokens: CsvTokenizer,
    rules: readonly (CompiledFieldRule | undefined)[],
    firstRecord: number,
    firstCell: number,
  ): (string | undefined)[] | undefined {
    let written: (string | undefined)[] | undefined;
    for (let column = 0; column < rules.length; column++) {
      const rule = rules[column];
      if (rule === undefined || !isBatched(rule)) continue;
      // Sized for every cell held at once, rather than grown by each cell set past its end.
      written ??= new Array<string | undefined>(tokens.recordCellEnds[tokens.recordCount - 1] as number);
      this.writeColumn(tokens, rule, column, firstRecord, firstCell, written);
    }
    return written;
  }

  private writeColumn(
    tokens: CsvTokenizer,
    rule: CompiledFieldRule,
    column: number,
    firstRecord: number,
    firstCell: number,
    written: (string | undefined)[],
  ): void {
    const { text, recordCount, recordCellEnds, cellStarts, cellEnds, cellKinds, delimiter } = tokens;
    const { cells, values, slots } = this;
    this.remembered[column] ??= new CsvCellResults();
    const remembered = this.remembered[column];
    cells.length = 0;
    values.length = 0;
    slots.length = 0;
    let lookups = 0;
    let known = 0;
    let cell = firstCell;
    for (let record = firstRecord; record < recordCount; record++) {
      const index = cell + column;
      cell = recordCellEnds[record] as number;
      const start = cellStarts[index] as number;
      const stop = cellEnds[index] as number;
      if (index >= cell || start === stop) continue;
      const kind = cellKinds[index] as CellKind;
      let slot = -1;
      if (kind === CellKind.Plain && (lookups < PROBED_CELLS || known > 0)) {
        lookups++;
        slot = remembered.slotOf(text, start, stop);
        const found = slot < 0 ? undefined : remembered.get(slot, text, start, stop);
        if (found !== undefined) {
          written[index] = found;
          known++;
          continue;
        }
      }
      const raw = text.slice(start, stop);
      cells.push(index);
      values.push(kind === CellKind.QuotedEscaped ? raw.replaceAll('""', '"') : raw);
      slots.push(slot);
    }
    this.redactor.countField(rule, known);
    const results = this.redactor.applyFieldMany(rule, values);
    const isBare = !needsQuotes(results.join(''), delimiter);
    for (let i = 0; i < cells.length; i++) {
      const index = cells[i] as number;
      const result = results[i] ?? '';
      const isQuoted = cellKinds[index] !== CellKind.Plain;
      const cellText = isBare && !isQuoted ? result : this.encode(result, isQuoted, delimiter);
      written[index] = cellText;
      const slot = slots[i] as number;
      if (slot >= 0) remembered.remember(slot, values[i] as string, cellText);
    }
  }
}

/**
 * True when the cells of a column under `rule` are worked out a batch at a time: its action
 * takes many values at once (`hash`, `tokenize`: the memo of a keyed action, see
 * `memoizeValueAction`). Cheap actions (a label, a mask) cost less one cell at a time.
 */
export function isBatched(rule: CompiledFieldRule): boolean {
  return !rule.isKeep && rule.apply.many !== undefined;
}

/** True when `value` cannot be written in a CSV cell without quotes. */
export function needsQuotes(value: string, delimiter: string): boolean {
  return value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r');
}
