import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MatchCursor } from '../../../functions/core/redaction/formats/match-cursor.ts';
import type { ScanMatch } from '../../../functions/core/redaction/scanner.ts';

/** Matches of one scan: ascending, not overlapping, some empty. */
const scanMatches = fc.array(fc.tuple(fc.nat(6), fc.nat(5)), { maxLength: 12 }).map((gaps) => {
  const matches: ScanMatch[] = [];
  let at = 0;
  for (const [gap, length] of gaps) {
    matches.push({ start: at + gap, end: at + gap + length, detector: 0 });
    at += gap + length;
  }
  return matches;
});

/** Spans asked in ascending order of their starts. */
const spans = fc.array(fc.tuple(fc.nat(8), fc.nat(8)), { maxLength: 12 }).map((steps) => {
  let start = 0;
  return steps.map(([step, length]) => {
    start += step;
    return [start, start + length] as const;
  });
});

function overlapsAny(matches: readonly ScanMatch[], start: number, end: number): boolean {
  return matches.some((match) => match.start < end && match.end > start);
}

describe('MatchCursor', () => {
  it('tells whether a span overlaps a match as a search of all the matches does, spans asked in ascending order', () => {
    fc.assert(
      fc.property(scanMatches, spans, (matches, asked) => {
        const cursor = new MatchCursor();
        cursor.reset(matches);
        for (const [start, end] of asked)
          expect(cursor.overlaps(start, end)).toBe(overlapsAny(matches, start, end));
      }),
    );
  });

  it('gives where the first match that may overlap a span from a position on starts: no span before it overlaps one', () => {
    fc.assert(
      fc.property(scanMatches, spans, (matches, asked) => {
        const cursor = new MatchCursor();
        cursor.reset(matches);
        let bound = Number.NEGATIVE_INFINITY;
        for (const [start, end] of asked) {
          // Asked again only past the bound, as the plain members' loop does.
          if (end > bound) {
            bound = cursor.nextStart(start);
          }
          expect(overlapsAny(matches, start, end)).toBe(end > bound);
        }
      }),
    );
  });
});
