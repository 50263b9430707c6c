import type { Detector, Match } from '../detector.ts';
import { normalizeFieldName } from '../field-matcher.ts';
import {
  type CandidateSearch,
  classSequenceSearch,
  firstCandidate,
  needleSearch,
} from './candidate-search.ts';
import { type KeywordEdges, keywordsEdgeSource } from './keyword-edges.ts';
import { compileScanningRegex } from './scanning-regex.ts';
import type { SharedClassSequences } from './shared-class-sequences.ts';

/** How {@link withContext} compares keywords. */
export interface ContextOptions {
  /**
   * Keywords in the text match only as written (field names still match in any spelling). A
   * keyword starting with a capital is then found several times faster in prose, where
   * lower-case letters are everywhere.
   * @default false
   */
  readonly isCaseSensitive?: boolean;
  /**
   * Search the detector's matches first and look for a keyword before each, instead of the
   * keywords first: cheaper when its matches are rare and its candidates come from a scan the
   * text pays anyway (`digitShapes`), as a keyword scan costs as much as a detector's.
   * @default false
   */
  readonly isMatchFirst?: boolean;
  /**
   * Where the context ends: a keyword with a match of this (global) regex between it and the
   * value does not count, as `kind: Secret` in another YAML document than its `data:`.
   * @default undefined - the window alone bounds the context
   */
  readonly boundary?: RegExp | undefined;
  /**
   * Which ends of a keyword must be the ends of a word (see {@link KeywordEdges}): with `end`,
   * `kind: Secret` is no keyword in `kind: SecretStore`.
   * @default 'none' - a keyword counts inside a longer word
   */
  readonly keywordEdges?: KeywordEdges | undefined;
  /**
   * The kernel whose pass over a long text the keyword search (in any case, without edges)
   * shares with other detectors' searches (see `SharedClassSequences`).
   * @default undefined - a kernel of its own
   */
  readonly sharedSequences?: SharedClassSequences | undefined;
  /**
   * Where the keywords start, found by a pass other detectors make anyway (it must find every
   * start the keywords' own search finds, and only those).
   * @default undefined - a search of the keywords' own
   */
  readonly keywordStarts?: CandidateSearch | undefined;
}

/**
 * Restricts a detector to matches preceded by a keyword: one of `keywords` (compared ignoring
 * case, unless `options.isCaseSensitive`) must lie wholly within the `windowChars` code units
 * before the match start. The keywords are searched first, so text without any keyword costs
 * one keyword scan.
 *
 * A field name is context too: `named(name)` gives the detector without the restriction when
 * the name, folded like field rule names (`Secret Access Key` = `secret_access_key`), holds a
 * keyword folded the same way, so that `{"SecretAccessKey": "…"}` and a CSV column headed
 * `aws_secret_access_key` are scanned as if the name were written before each value.
 *
 * @example
 * withContext(createBuiltInDetector('us-ssn')!, ['ssn', 'social security'], 32)
 */
export function withContext(
  detector: Detector,
  keywords: readonly string[],
  windowChars: number,
  options: ContextOptions = {},
): Detector {
  const context = createKeywordContext(keywords, windowChars, options);
  if (context === undefined) return detector;
  const { nextKeywordStart, hasKeywordBefore, isContextName, shortest } = context;

  function restrict(inner: Detector): Detector {
    const restricted: Detector = {
      id: inner.id,
      label: inner.label,
      minLength: inner.minLength,
      maxLength: inner.maxLength,
      lookbehind: Math.max(inner.lookbehind, windowChars),
      lookahead: inner.lookahead,
      findFrom(text: string, from: number): Match | undefined {
        let position = from;
        if (options.isMatchFirst) {
          for (let match = inner.findFrom(text, position); match !== undefined; ) {
            if (hasKeywordBefore(text, match.start)) return match;
            match = inner.findFrom(text, match.start + 1);
          }
          return undefined;
        }
        for (;;) {
          // A match at s needs a keyword starting at or after s - windowChars, hence after
          // position - windowChars, and ending by s: no match starts before that keyword's end,
          // nor after its start + windowChars.
          const keyword = nextKeywordStart(text, position - windowChars);
          if (keyword === -1) return undefined;
          const last = keyword + windowChars;
          const match = findStartingBetween(inner, text, Math.max(position, keyword + shortest), last);
          if (match !== undefined && hasKeywordBefore(text, match.start)) return match;
          position = match === undefined ? last + 1 : match.start + 1;
        }
      },
      named(name: string): Detector {
        // An inner detector may need context of its own (an operator's keywords on a built-in).
        const innerNamed = inner.named?.(name) ?? inner;
        if (isContextName(name)) return innerNamed;
        return innerNamed === inner ? restricted : restrict(innerNamed);
      },
    };
    return restricted;
  }

  return restrict(detector);
}

/** Where keywords are in text and whether a field name is one, for detectors that need context. */
export interface KeywordContext {
  /** Length of the shortest keyword. */
  readonly shortest: number;
  /** Start of the first keyword at or after `from`, or -1. */
  nextKeywordStart(text: string, from: number): number;
  /** True when a keyword lies wholly within the window before `start`. */
  hasKeywordBefore(text: string, start: number): boolean;
  /** True when a keyword starts within the window after `end` and ends inside it. */
  hasKeywordAfter(text: string, end: number): boolean;
  /** True when the field name, folded like field rule names, holds a keyword folded the same way. */
  isContextName(name: string): boolean;
}

/**
 * The keyword context of `withContext`: `keywords` (compared ignoring case) within the
 * `windowChars` code units before a match start. Returns `undefined` for no keywords.
 *
 * The keywords' regex is checked now, so a keyword it cannot hold fails the compile, but its
 * search (a regex compiled to machine code on a sample, see `compileScanningRegex`, and the
 * searches built on it) and the field names are made at the first call that needs them: a
 * shipped rule set has ~100 keyword lists, whose searches were ~10 ms of CPU of compiling it
 * before `serve`'s first response, and a request uses few of them.
 */
export function createKeywordContext(
  keywords: readonly string[],
  windowChars: number,
  options: ContextOptions = {},
): KeywordContext | undefined {
  const wanted = [...new Set(keywords.filter((keyword) => keyword.length > 0))];
  if (wanted.length === 0) return undefined;
  // Shortest first, so that at one index the alternative that ends earliest is tried first.
  wanted.sort((a, b) => a.length - b.length);
  const edges = options.keywordEdges ?? 'none';
  // The edges are lookarounds for letters and digits of any script, which need the u flag.
  const pattern = new RegExp(
    keywordsEdgeSource(wanted, wanted.map(escapeRegex), edges),
    `${options.isCaseSensitive ? '' : 'i'}${edges === 'none' ? '' : 'u'}`,
  );
  let search: KeywordSearch | undefined;
  const searchOf = (): KeywordSearch => {
    search ??= keywordSearch(wanted, pattern, edges, options);
    return search;
  };
  let nameRegex: RegExp | undefined | null = null;
  const nameRegexOf = (): RegExp | undefined => {
    if (nameRegex === null) {
      const foldedKeywords = [...new Set(wanted.map(normalizeFieldName).filter((keyword) => keyword !== ''))];
      nameRegex =
        foldedKeywords.length === 0 ? undefined : new RegExp(foldedKeywords.map(escapeRegex).join('|'));
    }
    return nameRegex;
  };
  const { boundary } = options;

  /**
   * The end of the last boundary in `[from, to)`, or `from` when there is none. A boundary cut
   * by `from` (its line break before the window) is not needed: no keyword before it is in the
   * window either.
   */
  function lastBoundaryEnd(text: string, from: number, to: number): number {
    if (boundary === undefined) return from;
    let end = from;
    for (const found of text.slice(from, to).matchAll(boundary)) end = from + found.index + found[0].length;
    return end;
  }
  return {
    shortest: wanted[0]?.length ?? 1,
    nextKeywordStart(text, from) {
      const { keywordRegex, nextByLiteral } = searchOf();
      if (nextByLiteral !== undefined) return nextByLiteral(text, Math.max(0, from));
      keywordRegex.lastIndex = Math.max(0, from);
      return keywordRegex.exec(text)?.index ?? -1;
    },
    hasKeywordBefore(text, start) {
      // In the window alone: every keyword found lies wholly inside it, and the search ends there
      // instead of running on to the next keyword of the text.
      const { keywordRegex } = searchOf();
      keywordRegex.lastIndex = 0;
      const windowStart = Math.max(0, start - windowChars);
      return keywordRegex.test(text.slice(lastBoundaryEnd(text, windowStart, start), start));
    },
    hasKeywordAfter(text, end) {
      // In the window alone, as before: a keyword's edge is not checked past the window either.
      const { keywordRegex } = searchOf();
      keywordRegex.lastIndex = end;
      const found = keywordRegex.exec(text.slice(0, end + windowChars));
      return found !== null && lastBoundaryEnd(text, end, found.index) === end;
    },
    isContextName(name) {
      return nameRegexOf()?.test(normalizeFieldName(name)) ?? false;
    },
  };
}

/** The search of a {@link createKeywordContext}: its keywords' regex, compiled, and how the next keyword is found. */
interface KeywordSearch {
  readonly keywordRegex: RegExp;
  /** Undefined where the regex itself finds the next keyword. */
  readonly nextByLiteral: CandidateSearch | undefined;
}

function keywordSearch(
  wanted: readonly string[],
  pattern: RegExp,
  edges: KeywordEdges,
  options: ContextOptions,
): KeywordSearch {
  const keywordRegex = compileScanningRegex(pattern);
  // Keywords as written are found with `indexOf`, natively: `AKIA` and `ASIA` in 1.2 ms per
  // 16 MB of bench logs (CPU time), their regex in 2.4. Keywords in any case are found in a long
  // text by the class-sequence kernel (the AWS secret key names in 3.8 ms per 16 MB of the bench
  // CSV, by their common part `secret` in 8.2), in a short one by regex.
  const nextByLiteral =
    options.keywordStarts ??
    (edges !== 'none'
      ? undefined
      : options.isCaseSensitive
        ? firstCandidate(...wanted.map((keyword) => needleSearch(keyword)))
        : classSequenceSearch(
            keywordRegex,
            commonPartSearch(wanted, keywordRegex) ?? regexSearch(keywordRegex),
            undefined,
            options.sharedSequences,
          ));
  return { keywordRegex, nextByLiteral };
}

/** Shortest part all keywords hold that is worth searching for instead of them. */
const minCommonPartLength = 4;

/**
 * Where the next keyword starts at or after `from`, found by searching for a part every keyword
 * holds (`secret` in `aws_secret_access_key`, `SecretKey`, …) and trying the keywords' regex
 * (`keywordRegex`, sticky) only at the starts that part can be at: V8 skips through text by a
 * literal's characters, which an alternation of keywords starting with different letters in any
 * case loses (measured on bench logs, CPU time: the AWS secret key names scan in 0.80 ns per
 * character, `secret` in 0.50). Undefined unless the keywords are ASCII and share a part that long.
 * The search of short texts: long ones are read by the class-sequence kernel.
 */
function commonPartSearch(
  keywords: readonly string[],
  keywordRegex: RegExp,
): ((text: string, from: number) => number) | undefined {
  // ASCII keywords only: their letters fold alike in `toLowerCase` and in the regex's i flag.
  if (!keywords.every((keyword) => /^[\x20-\x7e]*$/.test(keyword))) return undefined;
  const folded = keywords.map((keyword) => keyword.toLowerCase());
  const part = longestCommonPart(folded);
  if (part.length < minCommonPartLength) return undefined;
  const offsets = folded.flatMap((keyword) => {
    const found: number[] = [];
    for (let at = keyword.indexOf(part); at !== -1; at = keyword.indexOf(part, at + 1)) found.push(at);
    return found;
  });
  const minOffset = Math.min(...offsets);
  const maxOffset = Math.max(...offsets);
  const partRegex = compileScanningRegex(new RegExp(escapeRegex(part), 'i'));
  const sticky = new RegExp(keywordRegex.source, `${keywordRegex.flags.replace('g', '')}y`);
  return (text, from) => {
    // Every keyword starting at `s` holds the part at `s + offset` for one of `offsets`: the
    // starts a part found at `at` can belong to are `[at - maxOffset, at - minOffset]`, and
    // trying them in order, part after part, finds the leftmost keyword first.
    let untried = from;
    partRegex.lastIndex = from + minOffset;
    for (let found = partRegex.exec(text); found !== null; found = partRegex.exec(text)) {
      const at = found.index;
      for (let start = Math.max(untried, at - maxOffset); start <= at - minOffset; start++) {
        sticky.lastIndex = start;
        if (sticky.test(text)) return start;
      }
      untried = Math.max(untried, at - minOffset + 1);
      partRegex.lastIndex = at + 1;
    }
    return -1;
  };
}

/** The start of the first match of `regex` (global) at or after `from`, or -1. */
function regexSearch(regex: RegExp): CandidateSearch {
  return (text, from) => {
    regex.lastIndex = from;
    return regex.exec(text)?.index ?? -1;
  };
}

/** The longest string every one of `texts` holds (the first found of equal ones). */
function longestCommonPart(texts: readonly string[]): string {
  const shortest = texts.reduce((a, b) => (b.length < a.length ? b : a), texts[0] ?? '');
  for (let length = shortest.length; length > 0; length--) {
    for (let start = 0; start + length <= shortest.length; start++) {
      const part = shortest.slice(start, start + length);
      if (texts.every((text) => text.includes(part))) return part;
    }
  }
  return '';
}

/**
 * The first match of `detector` starting in `[from, last]`, searched in a slice just long
 * enough to decide those starts: a detector whose next match lies far ahead (or nowhere) would
 * otherwise scan the rest of the text again for every keyword.
 */
function findStartingBetween(
  detector: Detector,
  text: string,
  from: number,
  last: number,
): Match | undefined {
  if (from > last) return undefined;
  const sliceStart = Math.max(0, from - detector.lookbehind);
  const slice = text.slice(sliceStart, last + 1 + detector.maxLength + detector.lookahead);
  const match = detector.findFrom(slice, from - sliceStart);
  if (match === undefined || match.start + sliceStart > last) return undefined;
  return { start: match.start + sliceStart, end: match.end + sliceStart };
}

/** `text` as a regex source matching it literally, with or without the u flag (which rejects `\-`). */
function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&').replaceAll('-', '\\x2d');
}
