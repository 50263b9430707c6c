import type { StartSequences } from '../pattern-start-sequences.ts';
import type { CandidateSearch } from './candidate-search.ts';

/** A character every match holds at one of its first `reach + 1` positions. */
export interface StartLiteral {
  readonly char: string;
  readonly reach: number;
}

/**
 * Positions after a match's start at which {@link startLiteralOf} looks for a literal: a few, so
 * that a literal occurrence is followed by few sticky tries before it.
 */
const maxLiteralReach = 2;

/**
 * The ASCII character, neither a letter nor white space, that every start sequence holds alone
 * at one of its first positions, first found at the least reach (`0` in the national phone
 * patterns' `(0…` and `0…`); `undefined` when there is none, or when the sequences all start
 * with one character (V8 skips through text by it itself). Letters and spaces make most of a
 * text: `indexOf` would stop at nearly every word (the French NIR's space after `[12]`, searched
 * so, read the bench texts five to six times slower than its regex).
 */
export function startLiteralOf(start: StartSequences): StartLiteral | undefined {
  let found: StartLiteral | undefined;
  for (let code = 0; code < 128; code++) {
    let reach = 0;
    for (const sets of start.sequences) {
      let at = 0;
      while (at < sets.length && at <= maxLiteralReach && !isOnly(sets[at], code)) at++;
      reach = at < sets.length && at <= maxLiteralReach ? Math.max(reach, at) : Number.POSITIVE_INFINITY;
    }
    if (reach === 0) return undefined;
    if (reach <= maxLiteralReach && !isCommon(code) && (found === undefined || reach < found.reach))
      found = { char: String.fromCharCode(code), reach };
  }
  return found;
}

function isCommon(code: number): boolean {
  return /[A-Za-z\s]/.test(String.fromCharCode(code));
}

function isOnly(set: { asciiMembers(): string[] | undefined } | undefined, code: number): boolean {
  const members = set?.asciiMembers();
  return members?.length === 1 && members[0] === String.fromCharCode(code);
}

/**
 * The positions where `shape` matches (sticky) that hold `literal.char` at most `literal.reach`
 * characters after them, as every match of a pattern with those start sequences does (see
 * {@link startLiteralOf}), so it skips no match: the text is read for the character by
 * `indexOf`, and the shape tried only just before each occurrence. V8 skips through text by a
 * regex's first characters when they are few and rare, which `(0` or `0` followed by digits
 * (the national phone shapes) are not: the named phone member's shape over the bench CSV's
 * contact column, 2.6 MB per 16 MB, read in 2.8 ms, by the literal in 1.0 (CPU time, best of 5).
 */
export function literalShapeSearch(literal: StartLiteral, shape: RegExp): CandidateSearch {
  const sticky = new RegExp(shape.source, `${shape.flags.replace(/[gy]/g, '')}y`);
  return (text, from) => {
    let start = Math.max(0, from);
    for (;;) {
      const at = text.indexOf(literal.char, start);
      if (at === -1) return -1;
      // No match starts in [start, at - reach): it would hold the character before `at`.
      for (let candidate = Math.max(start, at - literal.reach); candidate <= at; candidate++) {
        sticky.lastIndex = candidate;
        if (sticky.test(text)) return candidate;
      }
      start = at + 1;
    }
  };
}
