import type { Detector, Match } from '../detector.ts';
import type { CandidateSearch } from './candidate-search.ts';

/** What a regex detector needs besides its regex. */
export interface RegexDetectorOptions {
  readonly id: string;
  readonly label: string;
  /** Matches are never shorter than this (at least 1); the regex must not be able to match less. */
  readonly minLength: number;
  /** Matches are never longer than this; the regex must not be able to match more. */
  readonly maxLength: number;
  /** Code units before a match start that the regex (or `isValid`) inspects. */
  readonly lookbehind: number;
  /** Code units past `start + maxLength` that the regex (or `isValid`) inspects. */
  readonly lookahead: number;
  /** Checks a candidate `text[start, end)`; a rejected candidate is no match at that start. */
  readonly isValid?: (text: string, start: number, end: number) => boolean;
  /**
   * Where the regex can match, found faster than the regex itself could; the regex is then
   * tried only there (sticky). Without it the regex scans the text itself.
   */
  readonly candidates?: CandidateSearch;
}

/**
 * A detector from a regex that cannot match the empty string. The regex is run with the `g`
 * flag from `from`, so it scans in V8's matcher rather than once per offset (or, given
 * `candidates`, sticky at each candidate); a candidate the validator rejects is no match at its
 * start, and the search resumes one code unit later.
 */
export function createRegexDetector(pattern: RegExp, options: RegexDetectorOptions): Detector {
  const { id, label, minLength, maxLength, lookbehind, lookahead, isValid, candidates } = options;
  const flags = pattern.flags.replace(/[gy]/g, '');
  const regex = new RegExp(pattern.source, `${flags}${candidates === undefined ? 'g' : 'y'}`);

  function accept(text: string, found: RegExpExecArray | null): Match | undefined {
    if (found === null) return undefined;
    const start = found.index;
    const end = start + found[0].length;
    return end > start && (isValid === undefined || isValid(text, start, end)) ? { start, end } : undefined;
  }

  function findAtCandidates(text: string, from: number, search: CandidateSearch): Match | undefined {
    for (let start = search(text, from); start !== -1; start = search(text, start + 1)) {
      regex.lastIndex = start;
      const match = accept(text, regex.exec(text));
      if (match !== undefined) return match;
    }
    return undefined;
  }

  function scan(text: string, from: number): Match | undefined {
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
      const match = accept(text, found);
      if (match !== undefined) return match;
      position = found.index + 1;
    }
    return undefined;
  }

  return {
    id,
    label,
    minLength,
    maxLength,
    lookbehind,
    lookahead,
    findFrom:
      candidates === undefined
        ? scan
        : (text: string, from: number) => findAtCandidates(text, from, candidates),
  };
}
