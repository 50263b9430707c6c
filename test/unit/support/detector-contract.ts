import { expect } from 'vitest';
import type { Detector, Match } from '../../../functions/core/redaction/detector.ts';

/** Every match of the detector in `text`, each found from the end of the one before, as it reports them. */
export function allMatches(detector: Detector, text: string): Match[] {
  const found: Match[] = [];
  for (
    let match = detector.findFrom(text, 0);
    match !== undefined;
    match = detector.findFrom(text, match.end)
  )
    found.push(match);
  return found;
}

/** The detector's match starting exactly at `start` (its bounds only), if any. */
export function matchAt(detector: Detector, text: string, start: number): Match | undefined {
  const match = detector.findFrom(text, start);
  return match !== undefined && match.start === start ? { start: match.start, end: match.end } : undefined;
}

/**
 * Expects the detector to decide a match at every start of `text` from its declared
 * neighbourhood only (lookbehind before the start, maxLength + lookahead after it): the match in
 * that window alone is the match in the whole text.
 */
export function expectDecidedByNeighbourhood(detector: Detector, text: string): void {
  for (let start = 0; start < text.length; start++) {
    const low = Math.max(0, start - detector.lookbehind);
    const high = Math.min(text.length, start + detector.maxLength + detector.lookahead);
    const inWindow = matchAt(detector, text.slice(low, high), start - low);
    const shifted = inWindow && { start: inWindow.start + low, end: inWindow.end + low };
    expect(shifted, `start ${start}`).toEqual(matchAt(detector, text, start));
  }
}

/**
 * Expects `detector.findFrom(text, from)` to be the leftmost match from `from`, within the
 * detector's length bounds: when it finds none, no start from `from` on has a match. Returns
 * the match, for the caller's own checks.
 */
export function expectLeftmostWithinBounds(
  detector: Detector,
  text: string,
  from: number,
): Match | undefined {
  const match = detector.findFrom(text, from);
  if (match === undefined) {
    for (let start = from; start < text.length; start++)
      expect(matchAt(detector, text, start)).toBeUndefined();
    return undefined;
  }
  expect(match.end - match.start).toBeGreaterThanOrEqual(detector.minLength);
  expect(match.end - match.start).toBeLessThanOrEqual(detector.maxLength);
  return match;
}
