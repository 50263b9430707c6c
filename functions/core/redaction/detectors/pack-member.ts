import type { Match } from '../detector.ts';
import { normalizeFieldName, splitFieldName } from '../field-matcher.ts';
import { type Likelihood, reachesLikelihood } from '../likelihood.ts';
import type { LeadingRun, StartSequences } from '../pattern-start-sequences.ts';
import type { CharSet } from '../regex-char-sets.ts';
import { shannonEntropy } from '../validators/shannon-entropy.ts';
import type { ValidatorName } from '../validators/validator-registry.ts';
import { uncheckedValidatorNamed, validatorNamed } from '../validators/validator-registry.ts';
import type { AnchorEdges } from './anchor-edges.ts';
import { anchorFactsFor } from './anchor-facts.ts';
import {
  type CandidateSearch,
  leadingRunSearch,
  madeAtFirstSearch,
  recordedSearch,
  shapeSearch,
} from './candidate-search.ts';
import type { KeywordEdges } from './keyword-edges.ts';
import { literalShapeSearch, type StartLiteral } from './literal-search.ts';
import { compileScanningRegex } from './scanning-regex.ts';
import { createKeywordContext, type KeywordContext } from './with-context.ts';

/** What a pack detector is made of, checked (see `compilePack`). */
export interface PackMemberSpec {
  readonly id: string;
  readonly label: string;
  readonly pattern: string;
  readonly flags: string;
  /** Literals every match of `pattern` starts with (in any case when the pattern ignores case); may be empty. */
  readonly anchors: readonly string[];
  /** Without anchors: a regex matching wherever the pattern can start, cheaper to scan for. */
  readonly shape?: string | undefined;
  /**
   * The characters every match starts with (see `startSequencesOf`): without anchors, where to
   * look for matches; with anchors, a check before the pattern is tried at one.
   */
  readonly start?: StartSequences | undefined;
  /** Without anchors: the literal every match holds near its start (see `startLiteralOf`). */
  readonly startLiteral?: StartLiteral | undefined;
  /** Without anchors: the run every match starts with (see `leadingRunOf`). */
  readonly leadingRun?: LeadingRun | undefined;
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
  /**
   * `yaml-document`: a keyword counts only in the value's YAML document (anchored members only);
   * `field-name`: only as the whole name of the value's field (see {@link createPackMember}).
   */
  readonly keywordScope: 'text' | 'yaml-document' | 'field-name';
  /** Which ends of a keyword must be the ends of a word. */
  readonly keywordEdges: KeywordEdges;
  /** The least likelihood at which a value standing alone needs no keyword (`withoutKeyword`). */
  readonly withoutKeyword?: Likelihood | undefined;
  /** True when at `unlikely` a value need not pass the validator's check (`withoutCheck: unlikely`). */
  readonly isCheckOptional: boolean;
  /** A pattern the whole of a value taken without its keyword must also match (`bareValue`). */
  readonly bareValue?: string | undefined;
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
  /** Literals every match starts with: the spec's, each with the characters that can follow it when few (see `AnchorFacts`). */
  readonly anchors: readonly string[];
  /** True when the anchors match in any case (the pattern ignores case). */
  readonly anchorsIgnoreCase: boolean;
  /**
   * With anchors: what can come before and after each of {@link anchors} where this member's
   * matches start with it (see `AnchorFacts`).
   * @default - not known
   */
  readonly anchorEdges?: readonly AnchorEdges[] | undefined;
  /** Without anchors: words (any case) that must precede a value within `keywordWindow`. */
  readonly keywords: readonly string[];
  readonly keywordWindow: number;
  /** Which ends of a keyword must be the ends of a word. */
  readonly keywordEdges: KeywordEdges;
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
  /**
   * True when the member finds nothing until `named` for a field (`keywordScope: field-name`):
   * a group need not scan the text for it.
   */
  readonly isFieldOnly: boolean;
}

/**
 * Builds a pack detector from its checked spec. The reported match is the `value` group when
 * the pattern has one, so `password=hunter22!` redacts `hunter22!` only. At the likelihood its
 * `withoutKeyword` names (or a less sure one) a member needs no keyword: it finds its candidates
 * as members without keywords do (its anchors, or the shared search for where its matches may
 * start). At `unlikely` a member whose check is optional checks only what its validator asks
 * besides the check (see `uncheckedValidatorNamed`).
 */
export function createPackMember(spec: PackMemberSpec, likelihood: Likelihood = 'likely'): PackMember {
  const flags = spec.flags.replace(/[dgy]/g, '');
  // Match indices (`d`) only where a `value` group needs them: V8 allocates them on every match.
  const indices = /\(\?<value>/.test(spec.pattern) ? 'd' : '';
  const sticky = new RegExp(spec.pattern, `${flags}${indices}y`);
  const scanning = new RegExp(spec.pattern, `${flags}${indices}g`);
  const validator =
    spec.validator === undefined
      ? undefined
      : likelihood === 'unlikely' && spec.isCheckOptional
        ? uncheckedValidatorNamed(spec.validator)
        : validatorNamed(spec.validator);
  const bareValue =
    spec.bareValue === undefined ? undefined : new RegExp(`^(?:${spec.bareValue})$`, flags.replace('m', ''));
  const hasAnchors = spec.anchors.length > 0;
  const anchorFacts =
    hasAnchors && spec.start !== undefined
      ? anchorFactsFor(spec.pattern, spec.flags, spec.anchors, spec.start)
      : undefined;
  const anchors = anchorFacts?.anchors ?? spec.anchors;
  // Anchored members are tried wherever an anchor occurs: `SK` of a Twilio key in every `SKU-`.
  // Made on the first anchor found: most members of a rule set never see one, and making the
  // tables of every member took ~15 ms of each rule set's compilation.
  let isPossibleStart: ((text: string, at: number) => boolean) | undefined;
  /** The shape's own search, for the window after a keyword (see `matchAfter`); made on the first one. */
  let windowShape: RegExp | undefined;
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

  /**
   * The leftmost accepted value with a start in `[from, to]`, from matches starting in
   * `[scanFrom, to]`, as `kept` keeps it (when given; it sees `text`'s own positions).
   */
  function scanRange(
    text: string,
    scanFrom: number,
    from: number,
    to: number,
    shift: number,
    kept?: (text: string, match: Match) => Match | undefined,
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
      const candidate = accepted(found, text, shift);
      const match = candidate === undefined || kept === undefined ? candidate : kept(text, candidate);
      if (match !== undefined && match.start >= from && match.start <= to && isBetter(match, best))
        best = match;
      position = found.index + 1;
    }
    return best;
  }

  /**
   * What {@link scanRange} finds (without `kept`), from the pattern tried only where `shape` (the
   * spec's, global) matches, as every match of the pattern starts where its shape does. V8 skips
   * to the places the shape matches by its leading characters, where a scan by the pattern tries
   * its lookbehinds at every position: in the windows after the bench CSV's `phone`, `mobile`
   * and `number`, the shape of the national phone patterns matches in half of them, the patterns
   * nowhere. The pack group's calls replayed per member, CPU time per 16 MB of the bench CSV,
   * median of 6 alternating runs: phone-national 1.20 -> 0.83 ms, phone-national-open-plan
   * 0.54 -> 0.37; phone-local and iban-loose, whose shapes match more often in the window, 0.37
   * -> 0.41 and 0.81 -> 0.84; the four 2.92 -> 2.45, on the NDJSON's scan texts 1.82 -> 1.40.
   */
  function shapeRange(
    text: string,
    shape: RegExp,
    scanFrom: number,
    from: number,
    to: number,
    shift: number,
  ): Match | undefined {
    let best: Match | undefined;
    let position = scanFrom;
    while (position <= text.length) {
      shape.lastIndex = position;
      const at = shape.exec(text)?.index;
      if (at === undefined || at + shift > to || (best !== undefined && at + shift > best.start)) break;
      // With the u flag V8 steps back to a surrogate pair's first half; no match starts mid-pair.
      if (at < position) {
        position++;
        continue;
      }
      sticky.lastIndex = at;
      const found = sticky.exec(text);
      const match = found === null || found.index !== at ? undefined : accepted(found, text, shift);
      if (match !== undefined && match.start >= from && match.start <= to && isBetter(match, best))
        best = match;
      position = at + 1;
    }
    return best;
  }

  /**
   * `isBareKept`: a value without its keyword is kept when it stands alone (see
   * {@link isStandalone}); the member then finds its candidates as members without keywords do.
   */
  function member(context: KeywordContext | undefined, isBareKept: boolean): PackMember {
    // Anchored members check their keywords themselves; the others are found after them.
    const isKeywordLed = !hasAnchors && context !== undefined && !isBareKept;
    const standaloneReach = isBareKept ? 2 : 0;
    const lookbehind =
      patternLookbehind +
      spec.value.offsetMax +
      Math.max(standaloneReach, context === undefined ? 0 : spec.keywordWindow);
    const candidates =
      !hasAnchors && spec.shape !== undefined
        ? sharedShapeSearch(spec.shape, flags, spec.leadingRun, spec.startLiteral)
        : undefined;

    /** `match` if its keyword is there, marked bare if it stands alone without one, else undefined. */
    function kept(text: string, match: Match): Match | undefined {
      if (context === undefined || context.hasKeywordBefore(text, match.start)) return match;
      if (spec.keywordPlacement === 'around' && context.hasKeywordAfter(text, match.end)) return match;
      return isBareKept &&
        isStandalone(text, match.start, match.end) &&
        (bareValue === undefined || bareValue.test(text.slice(match.start, match.end)))
        ? { ...match, isBare: true }
        : undefined;
    }

    function matchAt(text: string, start: number): Match | undefined {
      if (hasAnchors && spec.start !== undefined) {
        isPossibleStart ??= possibleStartTest(spec.start);
        if (!isPossibleStart(text, start)) return undefined;
      }
      sticky.lastIndex = start;
      const found = sticky.exec(text);
      const match = found === null ? undefined : accepted(found, text, 0);
      return match === undefined ? undefined : kept(text, match);
    }

    const self: PackMember = {
      id: spec.id,
      label: spec.label,
      minLength: spec.value.minLength,
      maxLength: spec.value.maxLength,
      lookbehind,
      lookahead: Math.max(lookahead, standaloneReach),
      anchors,
      anchorsIgnoreCase: flags.includes('i'),
      anchorEdges: anchorFacts?.edges,
      keywords: isKeywordLed ? spec.keywords : [],
      keywordWindow: spec.keywordWindow,
      keywordEdges: spec.keywordEdges,
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
        const scanFrom = Math.max(0, low - spec.value.offsetMax - sliceStart);
        if (spec.shape !== undefined) {
          windowShape ??= compileScanningRegex(new RegExp(spec.shape, flags));
          return shapeRange(slice, windowShape, scanFrom, low, high, sliceStart);
        }
        return scanRange(slice, scanFrom, low, high, sliceStart);
      },
      findFrom(text, from) {
        if (candidates === undefined)
          return scanRange(text, Math.max(0, from - spec.value.offsetMax), from, text.length, 0, kept);
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
        return context !== undefined && isKeywordName(name) ? member(undefined, false) : self;
      },
      contextWords: context === undefined ? [] : keywordWords,
      isFieldOnly: false,
    };
    return self;
  }

  /**
   * The member of `keywordScope: field-name`: in text it finds nothing, since there its keyword is
   * as often something else (`tests pass`, `proxy_pass`, `boarding_pass`, `pass: true` in
   * prose); under a field whose whole name is a keyword, compared as field rules compare
   * `names` (any case, separators aside: `pass`, `Pass`, `PASS`, ` pass `), it is `active`,
   * which takes every value its pattern matches there and in the field's subtree, as any
   * member named by its keyword does.
   */
  function fieldOnly(active: PackMember): PackMember {
    const names = new Set(spec.keywords.map(normalizeFieldName));
    const self: PackMember = {
      ...active,
      lookbehind: 0,
      lookahead: 0,
      anchors: [],
      keywords: [],
      start: undefined,
      matchAt: () => undefined,
      matchAfter: () => undefined,
      findFrom: () => undefined,
      named: (name) => (names.has(normalizeFieldName(name)) ? active : self),
      // The group's first look at a name (see `createDetectorGroup`) needs the keyword's words.
      contextWords: keywordWords,
      isFieldOnly: true,
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

  if (spec.keywordScope === 'field-name') return fieldOnly(member(undefined, false));
  return member(
    createKeywordContext(spec.keywords, spec.keywordWindow, {
      boundary: spec.keywordScope === 'yaml-document' ? yamlDocumentMarker : undefined,
      keywordEdges: spec.keywordEdges,
    }),
    spec.withoutKeyword !== undefined && reachesLikelihood(likelihood, spec.withoutKeyword),
  );
}

/**
 * A test that is false at a position where no match can start: the character before is one the
 * pattern excludes there, or none of its start sequences holds from there (see
 * `StartSequences`). Each is a few table lookups; a sticky regex rejecting the position costs
 * a call into the regex engine (on the bench CSV the Twilio key pattern was tried at the `SK` of
 * 51,000 `SKU-` codes per 16 MB).
 */
export function possibleStartTest(start: StartSequences): (text: string, at: number) => boolean {
  // Index 128 stands for every character above U+007F, as in the sets.
  const tableOf = (set: CharSet): Uint8Array => {
    const table = new Uint8Array(129);
    for (let code = 0; code < 129; code++) table[code] = set.has(code) ? 1 : 0;
    return table;
  };
  const sequences = start.sequences.map((sets) => sets.map(tableOf));
  const excludedBefore = tableOf(start.excludedBefore);
  return (text, at) => {
    if (at > 0) {
      const before = text.charCodeAt(at - 1);
      if (before < 128 && excludedBefore[before] === 1) return false;
    }
    for (const tables of sequences) {
      if (at + tables.length > text.length) continue;
      let position = 0;
      while (position < tables.length) {
        const code = text.charCodeAt(at + position);
        if ((tables[position] as Uint8Array)[code > 127 ? 128 : code] !== 1) break;
        position++;
      }
      if (position === tables.length) return true;
    }
    return false;
  };
}

const isAlphanumeric = (code: number): boolean =>
  (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122);
const isDigit = (code: number): boolean => code >= 48 && code <= 57;
/** `-`, `.` and `_`: they join the parts of one token (a UUID, a version, a file name). */
const isTokenJoiner = (code: number): boolean => code === 45 || code === 46 || code === 95;
const isGroupSeparator = (code: number): boolean =>
  code === 32 || code === 45 || code === 46 || code === 47 || code === 58;

/**
 * True when `text[start, end)` can be an identifier without its keyword: no letter or digit
 * touches it (`2123456702AF`, `AD12000A203020035910010`), it is no part of a longer token
 * joined by `-`, `.` or `_` (the last group of a UUID, `…-a378-932622645069`; `…71534.pdf`), a
 * value written in groups does not go on into more digit groups (`9661 1020 3456` of
 * `BG80 BNBG 9661 1020 3456 79`), and its digits are not one digit repeated (`000000000`).
 */
export function isStandalone(text: string, start: number, end: number): boolean {
  const before = start > 0 ? text.charCodeAt(start - 1) : -1;
  const after = end < text.length ? text.charCodeAt(end) : -1;
  if (isAlphanumeric(before) || isAlphanumeric(after)) return false;
  const beyondBefore = start > 1 ? text.charCodeAt(start - 2) : -1;
  const beyondAfter = end + 1 < text.length ? text.charCodeAt(end + 1) : -1;
  if (isTokenJoiner(before) && isAlphanumeric(beyondBefore)) return false;
  if (isTokenJoiner(after) && isAlphanumeric(beyondAfter)) return false;
  const value = text.slice(start, end);
  if (/[^A-Za-z0-9]/.test(value)) {
    if (isGroupSeparator(before) && isDigit(beyondBefore)) return false;
    if (isGroupSeparator(after) && isDigit(beyondAfter)) return false;
  }
  return !/^(?:([0-9])(?:[^0-9]*\1)*[^0-9]*)$/.test(value);
}

/**
 * Candidate searches by shape, flags and leading run. Members whose patterns start alike (CA SIN
 * and AU TFN written with separators) share one, so the text is scanned once for both; its
 * candidates are recorded per text, and a search's answer depends on nothing but the text and
 * the position.
 */
const shapeSearches = new Map<string, CandidateSearch>();

/**
 * From this many characters on, a leading run is searched for before the shape (see
 * `leadingRunSearch`) in every text; shorter ones let the loop skip too little to beat V8
 * (measured on the bench CSV, CPU time for 16 MB, the Bitcoin shape alone 23.3 ms: a run of 26
 * 12.5 ms, of 20 16.1 ms, of 12 29.7 ms).
 */
const minLeadingRunLength = 20;

/**
 * From this many characters on, a leading run is searched for before the shape in the texts
 * that `leadingRunSearch` reads with its WebAssembly kernel, and shorter texts by the shape:
 * there the kernel finds runs of any length faster than V8 finds the shape (measured on the
 * bench texts in pieces of 128 KiB, CPU time, shape-first against run-first: VIN, a run of 17,
 * 45.0 ms against 5.9 on the CSV; Italian codice fiscale, 16, 24.6 against 8.9; CPF, 14, 9.4
 * against 6.1; Medicare, 12, 11.6 against 6.8; every run of 12 to 19 of the packs 0.13 to 0.91
 * times the shape's time on CSV, logs and NDJSON; a BIC, 8, 1.11 on the CSV).
 */
const minKernelLeadingRunLength = 12;

function sharedShapeSearch(
  shape: string,
  flags: string,
  run: LeadingRun | undefined,
  startLiteral: StartLiteral | undefined,
): CandidateSearch {
  const isRunFirst = run !== undefined && run.length >= minKernelLeadingRunLength;
  const literal = isRunFirst ? undefined : startLiteral;
  const key = isRunFirst
    ? `${flags}/${shape}/${run.length}/${run.chars.toJSON().join(',')}`
    : literal !== undefined
      ? `${flags}/${shape}/${literal.char}${literal.reach}`
      : `${flags}/${shape}`;
  let search = shapeSearches.get(key);
  if (search === undefined) {
    // Built now, so a shape the regex engine refuses fails the compile; searched from the first call.
    const regex = new RegExp(shape, flags);
    search = recordedSearch(
      madeAtFirstSearch(() =>
        isRunFirst
          ? run.length >= minLeadingRunLength
            ? leadingRunSearch(run, regex)
            : leadingRunSearch(run, regex, shapeSearch(regex))
          : literal !== undefined
            ? literalShapeSearch(literal, regex)
            : shapeSearch(regex),
      ),
    );
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
