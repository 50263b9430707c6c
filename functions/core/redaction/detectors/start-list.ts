/**
 * What a lazy left-to-right search has found so far in one text: positions in start order, each
 * with the items found there (anchor or shape indexes, each once). A search reports a start at
 * most its reach before the last one, so an insert walks back over a few entries only.
 *
 * @example
 * const list = new StartList();
 * list.insert(7, 0); list.insert(3, 2); list.insert(7, 1);
 * list.starts; // [3, 7]; list.found: [[2], [0, 1]]
 * list.firstIndexAtOrAfter(4); // 1
 */
export class StartList {
  readonly starts: number[] = [];
  readonly found: number[][] = [];

  clear(): void {
    // Setting the length of an empty array costs as much as of a full one (~1 ms a 16 MB NDJSON object).
    if (this.starts.length === 0) return;
    this.starts.length = 0;
    this.found.length = 0;
  }

  insert(start: number, item: number): void {
    const starts = this.starts;
    let at = starts.length;
    while (at > 0 && (starts[at - 1] as number) > start) at--;
    if (at > 0 && starts[at - 1] === start) {
      const items = this.found[at - 1] as number[];
      if (!items.includes(item)) items.push(item);
      return;
    }
    // Most starts come in order: an append, which `splice` made slower (55 ns an insert against
    // 33, CPU time, best of 7; ~190,000 anchor and keyword occurrences per 16 MB of bench CSV).
    if (at === starts.length) {
      starts.push(start);
      this.found.push([item]);
      return;
    }
    starts.splice(at, 0, start);
    this.found.splice(at, 0, [item]);
  }

  /** The index of the first start at or after `from`; `starts.length` when there is none. */
  firstIndexAtOrAfter(from: number): number {
    const starts = this.starts;
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((starts[middle] as number) < from) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
