import type { Match } from '../detector.ts';
import { splitFieldName } from '../field-matcher.ts';
import type { StartSequences } from '../pattern-start-sequences.ts';
import { shannonEntropy } from '../validators/shannon-entropy.ts';
import type { ValidatorName } from '../validators/validator-registry.ts';
import { validatorNamed } from '../validators/validator-registry.ts';
import { type CandidateSearch, recordedSearch, shapeSearch } from './candidate-search.ts';
import { createKeywordContext, type KeywordContext } from './with-context.ts';

/** What a pack detector is made of, checked (see `compilePackFile`). */
export interface PackMemberSpec {
  readonly id: string;
  readonly label: string;
  readonly pattern: string;
  readonly flags: string;
  /** Literals every match of `pattern` starts with (in any case when the pattern ignores case); may be empty. */
  readonly anchors: readonly string[];
  /** Without anchors: a regex matching wherever the pattern can start, cheaper to scan for. */
  readonly shape?: string | undefined;
  /** Without anchors: the characters every match starts with (see `startSequencesOf`). */
  readonly start?: StartSequences | undefined;
  /** Bounds of the reported value: the group named `value`, else the whole match. */
  readonly value: {
    readonly minLength: number;
    readonly maxLength: number;
    /** Offsets from the match start at which the value can start. */
    readonly offsetMin: number;
    readonly offsetMax: number;
  };
  /** Code units the pattern inspects before its match start and past `start + patternMaxLength`. */
  readonly lookbehind: number;
  readonly lookahead: number;
  readonly patternMaxLength: number;
  readonly validator?: ValidatorName | undefined;
  /** Values with less Shannon entropy (bits per character) are no match. */
  readonly minEntropy?: number | undefined;
  readonly keywords: readonly string[];
  readonly keywordWindow: number;
  /** `around`: a keyword may also follow the value within the window (anchored members only). */
  readonly keywordPlacement: 'before' | 'around';
  /** `yaml-document`: a keyword counts only in the value's YAML document (anchored members only). */
  readonly keywordScope: 'text' | 'yaml-document';
}

/**
 * A YAML document marker line: `---` (which may carry content: `--- !tag`) or `...`, followed
 * by a space or the end of the line (`-----BEGIN` and `----` rules are none).
 */
const yamlDocumentMarker = /\n(?:---|\.\.\.)(?![^\s])/g;

/**
 * One detector of a pack, as a detector group runs it. Where its candidates come from decides
 * which method the group calls:
 *
 * - `anchors`: the pattern is tried where one occurs (`matchAt`);
 * - else `keywords`: values are looked for in the window after one (`matchAfter`);
 * - else where its `start` may occur, found in one pass with other members' (`matchAt`), or by
 *   its own scan (`findFrom`).
 */
export interface PackMember {
  readonly id: string;
  readonly label: string;
  readonly minLength: number;
  readonly maxLength: number;
  readonly lookbehind: number;
  readonly lookahead: number;
  /** Literals every match starts with. */
  readonly anchors: readonly string[];
  /** True when the anchors match in any case (the pattern ignores case). */
  readonly anchorsIgnoreCase: boolean;
  /** Without anchors: words (any case) that must precede a value within `keywordWindow`. */
  readonly keywords: readonly string[];
  readonly keywordWindow: number;
  /** Longest distance from a match start (an anchor) to its value's start. */
  readonly maxValueOffset: number;
  /**
   * Without anchors or keywords: the characters every match starts with, so that a group can
   * find where this member's matches may start in one pass with other members' (and call
   * `matchAt` there) instead of calling `findFrom`.
   */
  readonly start: StartSequences | undefined;
  /** The value the pattern matches starting exactly at `start`, if it passes every check. */
  matchAt(text: string, start: number): Match | undefined;
  /**
   * The leftmost value starting in `[max(from, keywordEnd), keywordStart + keywordWindow]`, after
   * a keyword occurring at `[keywordStart, keywordEnd)`.
   */
  matchAfter(text: string, keywordStart: number, keywordEnd: number, from: number): Match | undefined;
  /** The leftmost value starting at or after `from`, found by the member's own scan. */
  findFrom(text: string, from: number): Match | undefined;
  /** This member for values under a field called `name` (a name holding a keyword is context). */
  named(name: string): PackMember;
  /**
   * The words of each keyword run together, as a field name must hold them to be context (see
   * `named`); empty when the member needs no context.
   */
  readonly contextWords: readonly string[];
}

/**
 * Builds a pack detector from its checked spec. The reported match is the `value` group when
 * the pattern has one, so `password=hunter22!` redacts `hunter22!` only.
 */
export function createPackMember(spec: PackMemberSpec): PackMember {
  const flags = spec.flags.replace(/[dgy]/g, '');
  const sticky = new RegExp(spec.pattern, `${flags}dy`);
  const scanning = new RegExp(spec.pattern, `${flags}dg`);
  const validator = spec.validator === undefined ? undefined : validatorNamed(spec.validator);
  const hasAnchors = spec.anchors.length > 0;
  const isUnicode = flags.includes('u');
  const patternLookbehind = spec.lookbehind + (isUnicode ? 1 : 0);
  const lookahead = Math.max(
    spec.keywordPlacement === 'around' ? spec.keywordWindow : 0,
    spec.patternMaxLength + spec.lookahead - spec.value.offsetMin - spec.value.maxLength,
  );

  function accepted(found: RegExpExecArray, text: string, shift: number): Match | undefined {
    const [start, end] = found.indices?.groups?.value ?? [found.index, found.index + found[0].length];
    if (end <= start) return undefined;
    const value = text.slice(start, end);
    if (validator !== undefined && !validator(value)) return undefined;
    if (spec.minEntropy !== undefined && shannonEntropy(value) < spec.minEntropy) return undefined;
    return { start: start + shift, end: end + shift };
  }

  /** The leftmost accepted value with a start in `[from, to]`, from matches starting in `[scanFrom, to]`. */
  function scanRange(
    text: string,
    scanFrom: number,
    from: number,
    to: number,
    shift: number,
  ): Match | undefined {
    let best: Match | undefined;
    let position = scanFrom;
    while (position <= text.length) {
      scanning.lastIndex = position;
      let found = scanning.exec(text);
      // With the u flag V8 steps back to a surrogate pair's first half; no match starts mid-pair.
      if (found !== null && found.index < position) {
        scanning.lastIndex = position + 1;
        found = scanning.exec(text);
      }
      if (
        found === null ||
        found.index + shift > to ||
        (best !== undefined && found.index + shift > best.start)
      )
        break;
      const match = accepted(found, text, shift);
      if (match !== undefined && match.start >= from && match.start <= to && isBetter(match, best))
        best = match;
      position = found.index + 1;
    }
    return best;
  }

  function member(context: KeywordContext | undefined): PackMember {
    // Anchored members check their keywords themselves; the others are found after them.
    const isKeywordLed = !hasAnchors && context !== undefined;
    const lookbehind =
      patternLookbehind + spec.value.offsetMax + (context === undefined ? 0 : spec.keywordWindow);
    const candidates =
      !hasAnchors && spec.shape !== undefined ? sharedShapeSearch(spec.shape, flags) : undefined;

    function matchAt(text: string, start: number): Match | undefined {
      sticky.lastIndex = start;
      const found = sticky.exec(text);
      const match = found === null ? undefined : accepted(found, text, 0);
      if (match === undefined || context === undefined || context.hasKeywordBefore(text, match.start))
        return match;
      return spec.keywordPlacement === 'around' && context.hasKeywordAfter(text, match.end)
        ? match
        : undefined;
    }

    const self: PackMember = {
      id: spec.id,
      label: spec.label,
      minLength: spec.value.minLength,
      maxLength: spec.value.maxLength,
      lookbehind,
      lookahead,
      anchors: spec.anchors,
      anchorsIgnoreCase: flags.includes('i'),
      keywords: isKeywordLed ? spec.keywords : [],
      keywordWindow: spec.keywordWindow,
      maxValueOffset: spec.value.offsetMax,
      start: hasAnchors || isKeywordLed ? undefined : spec.start,
      matchAt,
      matchAfter(text, keywordStart, keywordEnd, from) {
        const low = Math.max(from, keywordEnd);
        const high = keywordStart + spec.keywordWindow;
        if (low > high) return undefined;
        // A bounded copy: a scan of the whole text could run far past the window.
        const sliceStart = Math.max(0, low - spec.value.offsetMax - patternLookbehind);
        const sliceEnd = Math.min(text.length, high + spec.patternMaxLength + spec.lookahead);
        const slice = text.slice(sliceStart, sliceEnd);
        return scanRange(slice, Math.max(0, low - spec.value.offsetMax - sliceStart), low, high, sliceStart);
      },
      findFrom(text, from) {
        if (candidates === undefined)
          return scanRange(text, Math.max(0, from - spec.value.offsetMax), from, text.length, 0);
        let best: Match | undefined;
        for (
          let start = candidates(text, Math.max(0, from - spec.value.offsetMax));
          start !== -1;
          start = candidates(text, start + 1)
        ) {
          if (best !== undefined && start > best.start) break;
          const match = matchAt(text, start);
          if (match !== undefined && match.start >= from && isBetter(match, best)) best = match;
        }
        return best;
      },
      named(name) {
        return context !== undefined && isKeywordName(name) ? member(undefined) : self;
      },
      contextWords: context === undefined ? [] : keywordWords,
    };
    return self;
  }

  const keywordWords = spec.keywords
    .map((keyword) => splitFieldName(keyword).join(''))
    .filter((word) => word !== '');

  /**
   * True when a keyword's words appear in a row among the name's words (`tax id` in `taxId`,
   * `sin` in `customer_sin`), compared without separators; a keyword inside a longer word does
   * not count (`sin` in `business_name`).
   */
  function isKeywordName(name: string): boolean {
    const words = splitFieldName(name);
    for (let first = 0; first < words.length; first++) {
      let run = '';
      for (let last = first; last < words.length; last++) {
        run += words[last];
        if (keywordWords.includes(run)) return true;
      }
    }
    return false;
  }

  return member(
    createKeywordContext(spec.keywords, spec.keywordWindow, {
      boundary: spec.keywordScope === 'yaml-document' ? yamlDocumentMarker : undefined,
    }),
  );
}

/**
 * Candidate searches by shape and flags. Members whose patterns start alike (CA SIN and AU TFN
 * written with separators) share one, so the text is scanned once for both; its candidates are
 * recorded per text, and a search's answer depends on nothing but the text and the position.
 */
const shapeSearches = new Map<string, CandidateSearch>();

function sharedShapeSearch(shape: string, flags: string): CandidateSearch {
  const key = `${flags}/${shape}`;
  let search = shapeSearches.get(key);
  if (search === undefined) {
    search = recordedSearch(shapeSearch(new RegExp(shape, flags)));
    shapeSearches.set(key, search);
  }
  return search;
}

/** True when `match` starts before `best`, or at the same place and ends later. */
export function isBetter(match: Match, best: Match | undefined): boolean {
  return (
    best === undefined || match.start < best.start || (match.start === best.start && match.end > best.end)
  );
}
