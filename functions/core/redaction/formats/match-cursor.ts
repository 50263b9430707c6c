import type { ScanMatch } from '../scanner.ts';

const NONE: readonly ScanMatch[] = [];

/**
 * Answers "which matches overlap this span?" for spans asked in ascending order, over the
 * matches of one scan (ascending, not overlapping). Each query costs amortized O(1) plus the
 * matches it returns: the cursor only moves forward.
 */
export class MatchCursor {
  private matches: readonly ScanMatch[] = NONE;
  private next = 0;

  /** Starts over with the matches of a new scan. */
  reset(matches: readonly ScanMatch[]): void {
    this.matches = matches;
    this.next = 0;
  }

  /** True when some match overlaps `[start, end)`. */
  overlaps(start: number, end: number): boolean {
    return this.nextStart(start) < end;
  }

  /**
   * Where the first match that ends after `position` starts (`Infinity` when none does): no
   * match overlaps a span from `position` on that ends there or before, nor one from later on.
   */
  nextStart(position: number): number {
    const matches = this.matches;
    let next = this.next;
    while (next < matches.length && (matches[next] as ScanMatch).end <= position) next++;
    this.next = next;
    return next < matches.length ? (matches[next] as ScanMatch).start : Number.POSITIVE_INFINITY;
  }

  /** The matches that overlap `[start, end)`, in order; empty when none does. */
  overlapping(start: number, end: number): readonly ScanMatch[] {
    if (!this.overlaps(start, end)) return NONE;
    const found: ScanMatch[] = [];
    for (let i = this.next; i < this.matches.length; i++) {
      const match = this.matches[i] as ScanMatch;
      if (match.start >= end) break;
      found.push(match);
    }
    return found;
  }
}
