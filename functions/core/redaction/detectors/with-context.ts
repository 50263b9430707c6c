import type { Detector, Match } from '../detector.ts';
import { normalizeFieldName } from '../field-matcher.ts';
import { compileScanningRegex } from './scanning-regex.ts';

/**
 * Restricts a detector to matches preceded by a keyword: one of `keywords` (compared ignoring
 * case) must lie wholly within the `windowChars` code units before the match start. The
 * keywords are searched first, so text without any keyword costs one keyword scan.
 *
 * A field name is context too: `named(name)` gives the detector without the restriction when
 * the name, folded like field rule names (`Secret Access Key` = `secret_access_key`), holds a
 * keyword folded the same way, so that `{"SecretAccessKey": "…"}` and a CSV column headed
 * `aws_secret_access_key` are scanned as if the name were written before each value.
 *
 * @example
 * withContext(createBuiltInDetector('us-ssn')!, ['ssn', 'social security'], 32)
 */
export function withContext(detector: Detector, keywords: readonly string[], windowChars: number): Detector {
  const context = createKeywordContext(keywords, windowChars);
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
        for (;;) {
          // A match at s needs a keyword starting at or after s - windowChars, hence after
          // position - windowChars, and ending by s: no match starts before that keyword's end.
          const keyword = nextKeywordStart(text, position - windowChars);
          if (keyword === -1) return undefined;
          const match = inner.findFrom(text, Math.max(position, keyword + shortest));
          if (match === undefined) return undefined;
          if (hasKeywordBefore(text, match.start)) return match;
          position = match.start + 1;
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
 */
export function createKeywordContext(
  keywords: readonly string[],
  windowChars: number,
): KeywordContext | undefined {
  const wanted = [...new Set(keywords.filter((keyword) => keyword.length > 0))];
  if (wanted.length === 0) return undefined;
  // Shortest first, so that at one index the alternative that ends earliest is tried first.
  wanted.sort((a, b) => a.length - b.length);
  const keywordRegex = compileScanningRegex(new RegExp(wanted.map(escapeRegex).join('|'), 'i'));
  const foldedKeywords = [...new Set(wanted.map(normalizeFieldName).filter((keyword) => keyword !== ''))];
  const nameRegex =
    foldedKeywords.length === 0 ? undefined : new RegExp(foldedKeywords.map(escapeRegex).join('|'));
  return {
    shortest: wanted[0]?.length ?? 1,
    nextKeywordStart(text, from) {
      keywordRegex.lastIndex = Math.max(0, from);
      return keywordRegex.exec(text)?.index ?? -1;
    },
    hasKeywordBefore(text, start) {
      let index = Math.max(0, start - windowChars);
      while (index < start) {
        keywordRegex.lastIndex = index;
        const found = keywordRegex.exec(text);
        if (found === null || found.index >= start) return false;
        if (found.index + found[0].length <= start) return true;
        index = found.index + 1;
      }
      return false;
    },
    hasKeywordAfter(text, end) {
      keywordRegex.lastIndex = end;
      const found = keywordRegex.exec(text);
      return found !== null && found.index + found[0].length <= end + windowChars;
    },
    isContextName(name) {
      return nameRegex?.test(normalizeFieldName(name)) ?? false;
    },
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
