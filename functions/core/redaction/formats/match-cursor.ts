import type { Match } from '../detector.ts';

/**
 * Answers "does a match overlap this span?" for spans asked in ascending order, over the
 * matches of one scan (ascending, not overlapping). Each query costs amortized O(1): the cursor
 * only moves forward. Spans are given relative to an origin set with `moveTo`, so a line can
 * be read in its own coordinates while the matches are in those of the whole batch.
 */
export class MatchCursor {
  private matches: readonly Match[] = [];
  private next = 0;
  private origin = 0;

  /** Starts over with the matches of a new scan, origin 0. */
  reset(matches: readonly Match[]): void {
    this.matches = matches;
    this.next = 0;
    this.origin = 0;
  }

  /** Sets where position 0 of later queries lies in the scanned text; it may only move forward. */
  moveTo(origin: number): void {
    this.origin = origin;
  }

  /** True when some match overlaps `[start, end)`, relative to the origin. */
  overlaps(start: number, end: number): boolean {
    const from = this.origin + start;
    const matches = this.matches;
    let next = this.next;
    while (next < matches.length && (matches[next] as Match).end <= from) next++;
    this.next = next;
    return next < matches.length && (matches[next] as Match).start < this.origin + end;
  }
}
