import type { Detector, Match } from './detector.ts';

/**
 * A match attributed to the rule that found it: the index of its detector in the scanner's
 * list, where a detector of several kinds (see `Detector.kinds`) counts once per kind.
 */
export interface ScanMatch extends Match {
  readonly detector: number;
}

export interface ScanResult {
  readonly matches: ScanMatch[];
  /** Where scanning resumes: the end of the last accepted match, or `limit`, whichever is later. */
  readonly next: number;
}

/**
 * Runs several detectors over text as one lexer: at the current position the leftmost match of
 * any detector wins (ties: the longest, then the detector listed first) and scanning resumes at
 * its end. Because the choice at a position depends only on a bounded neighbourhood of it,
 * scanning can stop at any `limit` and resume later with the same result as one pass over the
 * whole text, which is what makes redaction independent of how a stream is chunked.
 */
export class Scanner {
  readonly detectors: readonly Detector[];
  /** Longest span any detector can match. */
  readonly maxLength: number;
  /** Code units before a match start that any detector may inspect. */
  readonly lookbehind: number;
  /** Code units after a match end that any detector may inspect. */
  readonly lookahead: number;
  /** Rule index of each detector's first kind. */
  private readonly firstRule: readonly number[];

  constructor(detectors: readonly Detector[]) {
    this.detectors = detectors;
    let rule = 0;
    this.firstRule = detectors.map((detector) => {
      const first = rule;
      rule += detector.kinds ?? 1;
      return first;
    });
    this.maxLength = Math.max(0, ...detectors.map((d) => d.maxLength));
    this.lookbehind = Math.max(0, ...detectors.map((d) => d.lookbehind));
    this.lookahead = Math.max(0, ...detectors.map((d) => d.lookahead));
  }

  /**
   * The scanner for values stored under a field called `name` (a JSON key on the value's path,
   * a CSV header): each detector that needs context takes the name as context when the name
   * holds one of its keywords (see `Detector.named`). Returns this scanner, not a copy, when the
   * name is context for none of them, so callers can tell whether the name matters.
   */
  named(name: string): Scanner {
    if (!this.detectors.some((detector) => detector.named !== undefined)) return this;
    const named = this.detectors.map((detector) => detector.named?.(name) ?? detector);
    return named.every((detector, i) => detector === this.detectors[i]) ? this : new Scanner(named);
  }

  /**
   * Accepts matches that start in `[from, limit)`. The caller guarantees that `text` holds at
   * least `lookbehind` code units before `from` (or the true start of input) and at least
   * `maxLength + lookahead` after `limit` (or the true end of input).
   */
  scan(text: string, from = 0, limit = text.length): ScanResult {
    const detectors = this.detectors;
    const cached: (Match | null | undefined)[] = new Array(detectors.length);
    // Most strings a JSON or CSV field holds are too short for most detectors.
    for (let i = 0; i < detectors.length; i++) {
      if (from + (detectors[i] as Detector).minLength > text.length) cached[i] = null;
    }
    const matches: ScanMatch[] = [];
    let position = from;
    while (position < limit) {
      let best: Match | undefined;
      let bestIndex = -1;
      for (let i = 0; i < detectors.length; i++) {
        let candidate = cached[i];
        if (candidate === undefined || (candidate !== null && candidate.start < position)) {
          candidate = (detectors[i] as Detector).findFrom(text, position) ?? null;
          cached[i] = candidate;
        }
        if (candidate === null) continue;
        if (
          best === undefined ||
          candidate.start < best.start ||
          (candidate.start === best.start && candidate.end > best.end)
        ) {
          best = candidate;
          bestIndex = i;
        }
      }
      if (best === undefined || best.start >= limit) break;
      matches.push({
        start: best.start,
        end: best.end,
        detector: (this.firstRule[bestIndex] as number) + (best.kind ?? 0),
      });
      position = best.end;
    }
    return { matches, next: Math.max(position, limit) };
  }
}
