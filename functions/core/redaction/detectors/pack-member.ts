import type { Detector, Match } from '../detector.ts';
import { shannonEntropy } from '../validators/shannon-entropy.ts';
import type { ValidatorName } from '../validators/validator-registry.ts';
import { validatorNamed } from '../validators/validator-registry.ts';
import { AnchorSearch } from './anchor-search.ts';
import { createKeywordContext, type KeywordContext, withContext } from './with-context.ts';

/** What a pack detector is made of, checked (see `compilePackDetector`). */
export interface PackMemberSpec {
  readonly id: string;
  readonly label: string;
  readonly pattern: string;
  readonly flags: string;
  /** Literals every match of `pattern` starts with; empty when the pattern scans the text itself. */
  readonly anchors: readonly string[];
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
}

/** One detector of a pack, ready to run alone or as one kind of a detector group. */
export interface PackMember {
  readonly id: string;
  readonly label: string;
  /** The bounds of `detector`, known without building it. */
  readonly minLength: number;
  readonly maxLength: number;
  readonly lookbehind: number;
  readonly lookahead: number;
  readonly anchors: readonly string[];
  /** Longest distance from an anchor (the pattern's match start) to the value's start. */
  readonly maxValueOffset: number;
  /** The member alone, as a detector. */
  readonly detector: Detector;
  /**
   * The value the pattern matches starting exactly at `start` (where one of its anchors
   * occurs), if it passes the validator, the entropy floor and the keyword context.
   */
  matchAt(text: string, start: number): Match | undefined;
  /** This member for values under a field called `name` (a name holding a keyword is context). */
  named(name: string): PackMember;
}

/**
 * Builds a pack detector from its checked spec. An anchored member tries its pattern (sticky)
 * only where an anchor occurs; the others scan with their pattern, behind a keyword search
 * when they have keywords. The reported match is the `value` group when the pattern has one,
 * so `password=hunter22` redacts `hunter22` only.
 */
export function createPackMember(spec: PackMemberSpec): PackMember {
  const flags = spec.flags.replace(/[dgy]/g, '');
  const sticky = new RegExp(spec.pattern, `${flags}dy`);
  const scanning = new RegExp(spec.pattern, `${flags}dg`);
  const validator = spec.validator === undefined ? undefined : validatorNamed(spec.validator);
  const context = createKeywordContext(spec.keywords, spec.keywordWindow);
  const isUnicode = flags.includes('u');
  const bounds = {
    minLength: spec.value.minLength,
    maxLength: spec.value.maxLength,
    lookbehind: spec.lookbehind + spec.value.offsetMax + (isUnicode ? 1 : 0),
    lookahead: Math.max(
      spec.keywordPlacement === 'around' ? spec.keywordWindow : 0,
      spec.patternMaxLength + spec.lookahead - spec.value.offsetMin - spec.value.maxLength,
    ),
  };

  function acceptedValue(found: RegExpExecArray, text: string): Match | undefined {
    const span = found.indices?.groups?.value ?? [found.index, found.index + found[0].length];
    const [start, end] = span;
    if (end <= start) return undefined;
    const value = text.slice(start, end);
    if (validator !== undefined && !validator(value)) return undefined;
    if (spec.minEntropy !== undefined && shannonEntropy(value) < spec.minEntropy) return undefined;
    return { start, end };
  }

  function member(keywordContext: KeywordContext | undefined): PackMember {
    const lookbehind = Math.max(bounds.lookbehind, keywordContext === undefined ? 0 : spec.keywordWindow);
    function matchAt(text: string, start: number): Match | undefined {
      sticky.lastIndex = start;
      const found = sticky.exec(text);
      if (found === null) return undefined;
      const match = acceptedValue(found, text);
      if (match === undefined) return undefined;
      if (keywordContext === undefined || keywordContext.hasKeywordBefore(text, match.start)) return match;
      return spec.keywordPlacement === 'around' && keywordContext.hasKeywordAfter(text, match.end)
        ? match
        : undefined;
    }
    let detector: Detector | undefined;
    const self: PackMember = {
      id: spec.id,
      label: spec.label,
      minLength: bounds.minLength,
      maxLength: bounds.maxLength,
      lookbehind,
      lookahead: bounds.lookahead,
      anchors: spec.anchors,
      maxValueOffset: spec.value.offsetMax,
      matchAt,
      // Built on first use: a group asks named variants for `matchAt` only.
      get detector() {
        detector ??= standalone();
        return detector;
      },
      named(name) {
        return keywordContext?.isContextName(name) ? member(undefined) : self;
      },
    };

    function standalone(): Detector {
      const base = { id: spec.id, label: spec.label, ...bounds, lookbehind };
      if (spec.anchors.length > 0) {
        const search = new AnchorSearch(spec.anchors);
        return {
          ...base,
          findFrom: (text, from) => leftmostAtAnchors(text, from, search, matchAt, spec.value.offsetMax),
          named: (name) => self.named(name).detector,
        };
      }
      const scan: Detector = {
        ...base,
        lookbehind: bounds.lookbehind,
        findFrom: (text, from) => leftmostByScan(text, from, scanning, acceptedValue, spec.value.offsetMax),
      };
      return keywordContext === undefined ? scan : withContext(scan, spec.keywords, spec.keywordWindow);
    }
    return self;
  }

  return member(context);
}

/**
 * The leftmost value (ties: the longest) whose start is `>= from`, trying `matchAt` at every
 * anchor occurrence from which a value could start there.
 */
export function leftmostAtAnchors(
  text: string,
  from: number,
  search: AnchorSearch,
  matchAt: (text: string, start: number) => Match | undefined,
  maxValueOffset: number,
): Match | undefined {
  let best: Match | undefined;
  for (
    let occurrence = search.next(text, Math.max(0, from - maxValueOffset));
    occurrence !== undefined;
    occurrence = search.next(text, occurrence.start + 1)
  ) {
    // A value starts at or after its anchor: none found later can start before `best`.
    if (best !== undefined && occurrence.start > best.start) break;
    const match = matchAt(text, occurrence.start);
    if (match !== undefined && match.start >= from && isBetter(match, best)) best = match;
  }
  return best;
}

function leftmostByScan(
  text: string,
  from: number,
  regex: RegExp,
  acceptedValue: (found: RegExpExecArray, text: string) => Match | undefined,
  maxValueOffset: number,
): Match | undefined {
  let best: Match | undefined;
  let position = Math.max(0, from - maxValueOffset);
  while (position <= text.length) {
    regex.lastIndex = position;
    let found = regex.exec(text);
    // With the u flag V8 steps back to a surrogate pair's first half; no match starts mid-pair.
    if (found !== null && found.index < position) {
      regex.lastIndex = position + 1;
      found = regex.exec(text);
    }
    if (found === null || (best !== undefined && found.index > best.start)) break;
    const match = acceptedValue(found, text);
    if (match !== undefined && match.start >= from && isBetter(match, best)) best = match;
    position = found.index + 1;
  }
  return best;
}

function isBetter(match: Match, best: Match | undefined): boolean {
  return (
    best === undefined || match.start < best.start || (match.start === best.start && match.end > best.end)
  );
}
