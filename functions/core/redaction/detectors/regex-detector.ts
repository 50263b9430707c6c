import type { Detector, Match } from '../detector.ts';

/** What a regex detector needs besides its regex. */
export interface RegexDetectorOptions {
  readonly id: string;
  readonly label: string;
  /** Matches are never longer than this; the regex must not be able to match more. */
  readonly maxLength: number;
  /** Code units before a match start that the regex (or `isValid`) inspects. */
  readonly lookbehind: number;
  /** Code units past `start + maxLength` that the regex (or `isValid`) inspects. */
  readonly lookahead: number;
  /** Checks a candidate `text[start, end)`; a rejected candidate is no match at that start. */
  readonly isValid?: (text: string, start: number, end: number) => boolean;
}

/**
 * A detector from a regex that cannot match the empty string. The regex is run with the `g`
 * flag from `from`, so it scans in V8's matcher rather than once per offset; a candidate the
 * validator rejects is no match at its start, and the search resumes one code unit later.
 */
export function createRegexDetector(pattern: RegExp, options: RegexDetectorOptions): Detector {
  const regex = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  const { id, label, maxLength, lookbehind, lookahead, isValid } = options;
  return {
    id,
    label,
    maxLength,
    lookbehind,
    lookahead,
    findFrom(text: string, from: number): Match | undefined {
      let position = from;
      while (position < text.length) {
        regex.lastIndex = position;
        let found = regex.exec(text);
        // With the u flag V8 steps back to a surrogate pair's first half; no match starts mid-pair.
        if (found !== null && found.index < position) {
          regex.lastIndex = position + 1;
          found = regex.exec(text);
        }
        if (found === null) return undefined;
        const start = found.index;
        const end = start + found[0].length;
        if (end > start && (isValid === undefined || isValid(text, start, end))) return { start, end };
        position = start + 1;
      }
      return undefined;
    },
  };
}
