/** Slots per column, direct-mapped: many times the values a column worth remembering repeats (names). */
const SLOTS = 1024;
/** Longest cell remembered: names and codes fit; longer values rarely repeat. */
const MAX_CELL_CHARS = 64;

/**
 * The cells of one ruled CSV column as they are to be written, remembered by their text and
 * looked up by a hash of it where it lies in the input: a column of names repeats a few
 * thousand values over millions of records, and looking each cell up in the action's memo (a
 * `Map` hashing a slice of it) costs more than the lookup (see `memoizeValueAction`, which this
 * saves from being asked again, and the encoding of the result).
 *
 * A slot is taken by the first value that falls into it and kept: a column that never repeats
 * (ids) fills the slots once and stops changing them, and a value sharing its slot with another
 * is passed to the rule each time, as without this.
 * Remembered values are copied, so that they do not keep alive the text they were read from.
 *
 * @example
 * ```ts
 * const results = new CsvCellResults();
 * const slot = results.slotOf(text, start, stop);
 * results.get(slot, text, start, stop) ?? results.remember(slot, text.slice(start, stop), '[NAME]');
 * ```
 */
export class CsvCellResults {
  private readonly values = new Array<string>(SLOTS).fill('');
  private readonly written = new Array<string>(SLOTS).fill('');

  /** The slot of the value `text[start, stop)` (not empty), or -1 when it is too long to remember. */
  slotOf(text: string, start: number, stop: number): number {
    if (stop - start > MAX_CELL_CHARS) return -1;
    // FNV-1a; its multiplication mixes into the high bits, which choose the slot.
    let hash = 0x811c9dc5;
    for (let i = start; i < stop; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    return hash >>> 22;
  }

  /** What was remembered in `slot` (of `slotOf`) for the value `text[start, stop)`, if anything. */
  get(slot: number, text: string, start: number, stop: number): string | undefined {
    const value = this.values[slot] as string;
    // Compared as a slice: for a name, slicing (a copy) and comparing two strings cost less than
    // `startsWith` at a position (the bench CSV's name columns: 9.0 -> 7.9 ms per 83 K cells).
    return value.length === stop - start && text.slice(start, stop) === value
      ? this.written[slot]
      : undefined;
  }

  /** Remembers `written` for `value` (not empty) in `slot` (of `slotOf`), unless another value holds it. */
  remember(slot: number, value: string, written: string): void {
    if (this.values[slot] !== '') return;
    this.values[slot] = Buffer.from(value, 'utf16le').toString('utf16le');
    this.written[slot] = written;
  }
}
