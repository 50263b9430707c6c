import { compileScanningRegex } from './scanning-regex.ts';

/**
 * Printable ASCII from the most to the least frequent in the text maskpoint redacts (English
 * prose, access logs, CSV exports and JSON records, measured on the bench workloads and the
 * project's READMEs). Characters not listed are rarer still.
 */
const byFrequency =
  'e a"tr20di1sc,4onl-35:986u7p.m=vfbhgyT_Z/kqUw#SEIDO[K]PRN}{AGCBzF;`MLJjWxXVHYQ@|*()\'\\+&?$<>';

/** Where anchors occur: a start and the anchors (indexes into the search's list) found there. */
export interface AnchorOccurrence {
  readonly start: number;
  readonly anchors: readonly number[];
}

/**
 * Finds where any of many literal anchors (`AKIA`, `ghp_`, `-----BEGIN`) occur, in one scan of
 * the text however many anchors there are.
 *
 * A regex alternating the anchors slows down with each one V8 has to try at every offset.
 * Instead each anchor is found through its rarest character (its pivot): the scan looks for
 * the few distinct pivot characters, which V8 skips to quickly, and checks the rest of an
 * anchor around a pivot with lookarounds. The occurrences of one text are found lazily and
 * kept, so every detector asking about the same text shares the scan.
 *
 * @example
 * const search = new AnchorSearch(['AKIA', 'ghp_']);
 * search.next('x ghp_1 AKIA', 0); // { start: 2, anchors: [1] }
 */
export class AnchorSearch {
  readonly anchors: readonly string[];
  private readonly regex: RegExp;
  /** Anchors (index, pivot offset) by pivot character. */
  private readonly byPivot: ReadonlyMap<string, readonly { anchor: number; offset: number }[]>;
  /** Largest pivot offset: an anchor starts at most this far before its pivot. */
  private readonly maxOffset: number;
  private text = '';
  private readonly starts: number[] = [];
  private readonly found: number[][] = [];
  /** Pivots before this position have been scanned. */
  private scannedTo = 0;
  /** Occurrences starting before this position are not recorded. */
  private from = 0;

  constructor(anchors: readonly string[]) {
    this.anchors = anchors;
    const byPivot = new Map<string, { anchor: number; offset: number }[]>();
    let maxOffset = 0;
    anchors.forEach((anchor, index) => {
      if (anchor.length === 0) throw new Error('an anchor must not be empty');
      const offset = pivotOf(anchor);
      maxOffset = Math.max(maxOffset, offset);
      const pivot = anchor.charAt(offset);
      byPivot.set(pivot, [...(byPivot.get(pivot) ?? []), { anchor: index, offset }]);
    });
    this.byPivot = byPivot;
    this.maxOffset = maxOffset;
    const source = [...byPivot]
      .map(([pivot, entries]) => {
        const around = entries.map(({ anchor, offset }) => {
          const text = anchors[anchor] as string;
          const before = offset > 0 ? `(?<=${escapeRegex(text.slice(0, offset + 1))})` : '';
          const after = offset + 1 < text.length ? `(?=${escapeRegex(text.slice(offset + 1))})` : '';
          return `${before}${after}`;
        });
        return `${escapeRegex(pivot)}(?:${around.join('|')})`;
      })
      .join('|');
    this.regex = compileScanningRegex(new RegExp(source === '' ? '(?!)' : source));
  }

  /**
   * The first occurrence starting at or after `from`, or `undefined`. Calls for one text are
   * cheapest in ascending `from`, as a scanner makes them.
   */
  next(text: string, from: number): AnchorOccurrence | undefined {
    if (text !== this.text || from < this.from) this.reset(text, Math.max(0, from));
    // The same object compares in constant time, an equal copy does not: keep the caller's.
    this.text = text;
    for (;;) {
      const index = this.firstIndexAtOrAfter(from);
      // Complete: every anchor starting before `scannedTo - maxOffset` has been recorded.
      if (index < this.starts.length && (this.starts[index] as number) < this.scannedTo - this.maxOffset) {
        return { start: this.starts[index] as number, anchors: this.found[index] as number[] };
      }
      if (this.scannedTo > text.length) {
        return index < this.starts.length
          ? { start: this.starts[index] as number, anchors: this.found[index] as number[] }
          : undefined;
      }
      this.scanPivot(text);
    }
  }

  private reset(text: string, from: number): void {
    this.text = text;
    this.from = from;
    this.starts.length = 0;
    this.found.length = 0;
    this.scannedTo = from;
  }

  private scanPivot(text: string): void {
    this.regex.lastIndex = this.scannedTo;
    const match = this.regex.exec(text);
    if (match === null) {
      this.scannedTo = text.length + 1;
      return;
    }
    const pivot = match.index;
    this.scannedTo = pivot + 1;
    for (const { anchor, offset } of this.byPivot.get(text.charAt(pivot)) ?? []) {
      const start = pivot - offset;
      if (start >= this.from && text.startsWith(this.anchors[anchor] as string, start))
        this.insert(start, anchor);
    }
  }

  /** Inserts in start order; a new start lies at most `maxOffset` before the last one. */
  private insert(start: number, anchor: number): void {
    let at = this.starts.length;
    while (at > 0 && (this.starts[at - 1] as number) > start) at--;
    if (at > 0 && this.starts[at - 1] === start) {
      this.found[at - 1]?.push(anchor);
      return;
    }
    this.starts.splice(at, 0, start);
    this.found.splice(at, 0, [anchor]);
  }

  private firstIndexAtOrAfter(from: number): number {
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.starts[middle] as number) < from) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Index of the rarest character of `anchor` (the first of equally rare ones). */
function pivotOf(anchor: string): number {
  let best = 0;
  let bestRank = -1;
  for (let i = 0; i < anchor.length; i++) {
    const known = byFrequency.indexOf(anchor.charAt(i));
    const rank = known === -1 ? byFrequency.length : known;
    if (rank > bestRank) {
      best = i;
      bestRank = rank;
    }
  }
  return best;
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
