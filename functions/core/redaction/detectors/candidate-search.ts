import { type AST, RegExpParser } from '@eslint-community/regexpp';
import { type LeadingRun, type StartSequences, startSequencesOf } from '../pattern-start-sequences.ts';
import { CharSet, charSetOf } from '../regex-char-sets.ts';
import { ClassSequences } from './class-sequences.ts';
import { LeadingRuns, RUNS_MAX_LENGTH } from './leading-runs.ts';
import { compileScanningRegex } from './scanning-regex.ts';
import type { SharedClassSequences } from './shared-class-sequences.ts';

/**
 * Finds where a detector's match can start: the least position `>= from` at which a match is
 * possible, or -1. It may report positions where no match turns out to be (the detector checks
 * each), but never skips one where a match starts.
 */
export type CandidateSearch = (text: string, from: number) => number;

/**
 * Candidates where `shape` matches: a regex that matches at every start where the detector's
 * pattern can, cheaper to scan for. Written without counted repeats (`[0-9][0-9][0-9]`, not
 * `[0-9]{3}`), it lets V8 skip through text that cannot match instead of attempting a match at
 * every offset. `sample` is passed to {@link compileScanningRegex}.
 *
 * A shape that is one group of alternatives (`(?:A|B)`) is searched as one regex per
 * alternative, the least candidate winning, when that lets V8 skip (see {@link isSplitFaster}):
 * the leftmost match of an alternation is the least of its alternatives' leftmost matches.
 */
export function shapeSearch(shape: RegExp, sample?: string): CandidateSearch {
  const alternatives = topAlternatives(shape);
  if (alternatives.length > 1 && isSplitFaster(alternatives, shape.flags.includes('i'))) {
    return firstCandidate(
      ...alternatives.map((alternative) =>
        singleShapeSearch(new RegExp(alternative.raw, shape.flags), sample),
      ),
    );
  }
  return singleShapeSearch(shape, sample);
}

/** The alternatives of a pattern that is one non-capturing group without modifiers, else none. */
function topAlternatives(shape: RegExp): AST.Alternative[] {
  // Such a pattern starts with `(?:` and ends with `)`; most shapes do not, and parsing one
  // costs more than the rest of making its search (measured: ~20 ms of the start of `serve`).
  if (!shape.source.startsWith('(?:') || !shape.source.endsWith(')')) return [];
  const ast = new RegExpParser({ ecmaVersion: 2024 }).parsePattern(shape.source, 0, shape.source.length, {
    unicode: shape.flags.includes('u') || shape.flags.includes('v'),
  });
  const only = ast.alternatives.length === 1 ? ast.alternatives[0]?.elements : undefined;
  const group = only?.length === 1 ? only[0] : undefined;
  return group?.type === 'Group' && group.modifiers === null ? group.alternatives : [];
}

/** Positions from a match's start that {@link isSplitFaster} looks at (as V8's lookahead: a few). */
const skipWindow = 8;

/** Most characters a position may hold for V8 to skip through text by it. */
const maxSkipChars = 8;

/**
 * Whether searching each alternative alone beats searching the alternation: V8 skips through
 * text by the characters a pattern must hold at fixed offsets, which an alternation loses when
 * every alternative has a position holding few characters but no position holds few in all of
 * them together. Measured on the bench texts (4 MB of each, CPU time, split against joined): a
 * MAC address (`[:-]` at offset 2 in one alternative, `.` at 4 in the other) 5.0 against 11.0 ms
 * on CSV, 5.7/8.8 NDJSON, 5.5/10.4 logs; the national phone shapes, all of whose alternatives
 * start with `0` or `(`, 19.5/12.5, 12.9/8.1, 20.4/11.8; `[0-9]{3} [0-9]{3} …|[0-9]{3}-…`
 * (` ` or `-` at offset 3) 4.6/2.5, 3.1/1.7, 5.6/2.9; two equal alternatives 15.5/10.9.
 */
function isSplitFaster(alternatives: readonly AST.Alternative[], isIgnoreCase: boolean): boolean {
  const prefixes = alternatives.map((alternative) => fixedPrefix(alternative, isIgnoreCase));
  if (!prefixes.every((prefix) => prefix.some(isNarrow))) return false;
  const common = Math.min(...prefixes.map((prefix) => prefix.length));
  for (let offset = 0; offset < common; offset++) {
    const union = prefixes.reduce((set, prefix) => set.union(prefix[offset] as CharSet), CharSet.empty());
    if (isNarrow(union)) return false;
  }
  return true;
}

/** The characters each of an alternative's first positions may hold, up to one that is not a single character. */
function fixedPrefix(alternative: AST.Alternative, isIgnoreCase: boolean): CharSet[] {
  const sets: CharSet[] = [];
  for (const element of alternative.elements.slice(0, skipWindow)) {
    if (element.type !== 'Character' && element.type !== 'CharacterClass' && element.type !== 'CharacterSet')
      break;
    sets.push(charSetOf(element, isIgnoreCase));
  }
  return sets;
}

function isNarrow(set: CharSet): boolean {
  return (set.asciiMembers()?.length ?? Number.POSITIVE_INFINITY) <= maxSkipChars;
}

function singleShapeSearch(shape: RegExp, sample?: string): CandidateSearch {
  const regex = compileScanningRegex(shape, sample);
  return remembering((text, from) => {
    regex.lastIndex = from;
    return regex.exec(text)?.index ?? -1;
  });
}

/**
 * Candidate searches for several shapes that scan the text once for all of them instead of once
 * each: one regex alternating the shapes finds every position where any of them matches, and
 * each search keeps the positions where its own shape matches (checked sticky). The positions
 * are recorded per text, so the searches share them whichever asks first.
 */
export function sharedShapeSearches<Name extends string>(
  shapes: Readonly<Record<Name, RegExp>>,
  sample?: string,
): Record<Name, CandidateSearch> {
  const entries = Object.entries(shapes) as [Name, RegExp][];
  const regex = compileScanningRegex(new RegExp(entries.map(([, shape]) => shape.source).join('|')), sample);
  const positions = new RecordedPositions((text, from) => {
    regex.lastIndex = from;
    return regex.exec(text)?.index ?? -1;
  });
  const searches = {} as Record<Name, CandidateSearch>;
  for (const [name, shape] of entries) {
    const own = new RegExp(shape.source, 'y');
    searches[name] = remembering((text, from) => {
      for (let at = positions.next(text, from); at !== -1; at = positions.next(text, at + 1)) {
        own.lastIndex = at;
        if (own.test(text)) return at;
      }
      return -1;
    });
  }
  return searches;
}

/**
 * The search `make` gives, made at the first call: a shape's search parses and compiles its
 * regex on a sample (`shapeSearch`), which the ~150 shapes of the shipped packs spent compiling
 * a rule set before `serve`'s first response (~8 ms of CPU), and a request reads with few of them.
 */
export function madeAtFirstSearch(make: () => CandidateSearch): CandidateSearch {
  let search: CandidateSearch | undefined;
  return (text, from) => {
    search ??= make();
    return search(text, from);
  };
}

/**
 * A search whose candidates are recorded per text, so that several callers asking from
 * different positions of the same text (members sharing one shape) scan it once between them;
 * `remembering` keeps only the last answer, which two interleaved callers would keep replacing.
 */
export function recordedSearch(search: CandidateSearch): CandidateSearch {
  const positions = new RecordedPositions(search);
  return (text, from) => positions.next(text, from);
}

/** Every candidate of a search, in one text, found lazily from the first one asked for. */
class RecordedPositions {
  private readonly search: CandidateSearch;
  private text = '';
  /** All positions in `[from, to)` where the regex matches, ascending. */
  private readonly found: number[] = [];
  private from = 0;
  private to = 0;

  constructor(search: CandidateSearch) {
    this.search = search;
  }

  /** The least candidate `>= from`, or -1. */
  next(text: string, from: number): number {
    if (text !== this.text || from < this.from || from > this.to) {
      // Skipped when empty: setting the length costs as much then (see `StartList.clear`).
      if (this.found.length > 0) this.found.length = 0;
      this.from = from;
      this.to = from;
    }
    // As in `remembering`: the same object compares in constant time, an equal copy does not.
    this.text = text;
    const found = this.found;
    let low = 0;
    let high = found.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((found[middle] as number) < from) low = middle + 1;
      else high = middle;
    }
    if (low < found.length) return found[low] as number;
    if (this.to > text.length) return -1;
    const candidate = this.search(text, this.to);
    if (candidate === -1) {
      this.to = text.length + 1;
      return -1;
    }
    found.push(candidate);
    this.to = candidate + 1;
    return candidate;
  }
}

/**
 * From this many characters on, a text is read for leading runs by {@link LeadingRuns}
 * (WebAssembly); below, copying it there and calling the kernel cost more than the loop saves
 * (measured on the bench texts cut into pieces of one length, CPU time, the Bitcoin address run
 * of 26: pieces of 128 characters 1.1-1.2 times the loop's time, 256 0.7, 512 0.56, 4096 0.41;
 * a run of 40, which the loop skips through faster: 256 1.15, 512 0.9, 1024 0.74).
 */
const kernelMinChars = 512;

/**
 * The positions where `shape` matches (sticky) at which a run of `run.length` characters of
 * `run.chars` starts, as every match of a pattern with that leading run does (see
 * `leadingRunOf`), so it skips no match. The text is read for such runs by a loop that looks at
 * one character in `run.length` where the set's characters are scarce, and `shape` is tried only
 * at the starts inside one: V8 skips through text by the characters a regex must hold at fixed
 * offsets, which a long run of a large set (base58, hexadecimal) does not help it with, and a
 * shape scanning on from a run ran through the rest of the text at that speed (measured on bench
 * logs, the Bitcoin shape read 0.77 code units per code unit of text after the first run of
 * base58 characters in JWT signatures). A text of {@link kernelMinChars} or more is read for
 * runs by {@link LeadingRuns}, in WebAssembly, which finds the same runs 16 characters per SIMD
 * instruction (a run longer than {@link RUNS_MAX_LENGTH} is left to the loop); a shorter text
 * is searched by `shortTexts` when given, which must skip no match either (the shape's own
 * search, for a run too short for the loop to beat V8).
 */
export function leadingRunSearch(
  run: LeadingRun,
  shape: RegExp,
  shortTexts?: CandidateSearch,
): CandidateSearch {
  const length = run.length;
  const sticky = new RegExp(shape.source, `${shape.flags.replace(/[gy]/g, '')}y`);
  /** The least candidate in the run `[first, end)`, or -1. */
  const firstMatchIn = (text: string, first: number, end: number): number => {
    for (let candidate = first; candidate <= end - length; candidate++) {
      sticky.lastIndex = candidate;
      if (sticky.test(text)) return candidate;
    }
    return -1;
  };
  const isKernelRead = length <= RUNS_MAX_LENGTH;
  let kernel: LeadingRuns | undefined;
  // One entry per UTF-16 code unit (the set's bit 128 stands for all above U+007F): a lookup
  // without a branch on the code read the bench logs in 11.5 ms per 16 MB, with one 15.1. Only
  // the loop below reads it, which a search the kernel and `shortTexts` serve never runs: there
  // it stays empty rather than 64 KiB made per member when the rule set is compiled.
  const isLoopRead = !isKernelRead || shortTexts === undefined;
  const isInRun = new Uint8Array(isLoopRead ? 0x10000 : 0).fill(run.chars.has(128) ? 1 : 0);
  for (let code = 0; isLoopRead && code < 128; code++) isInRun[code] = run.chars.has(code) ? 1 : 0;
  const isIn = (code: number): boolean => isInRun[code] === 1;
  // A run longer than this is first read at its last character and those before it without a branch.
  const probed = 4;
  const isProbed = length > probed;
  return (text, from) => {
    let start = Math.max(0, from);
    if (isKernelRead && text.length >= kernelMinChars) {
      kernel ??= new LeadingRuns(length, run.chars);
      for (;;) {
        const first = kernel.next(text, start);
        if (first === -1) return -1;
        const candidate = firstMatchIn(text, first, kernel.end);
        if (candidate !== -1) return candidate;
        start = kernel.end + 1;
      }
    }
    if (shortTexts !== undefined) return shortTexts(text, from);
    for (;;) {
      // The least start at or after `start` of `length` characters in the set.
      const last = start + length - 1;
      if (last >= text.length) return -1;
      let first = last;
      if (isProbed) {
        // How many characters up to `last` (of `probed` + 1) are in the set in a row, counted
        // without a branch on each: the set's characters are three in four of the bench texts,
        // where a branch on each mispredicted where the row ends. Then one branch: the row ends
        // there, or the loop below finds where. The Bitcoin address run read 16 MB of the bench
        // logs in 8.9-9.3 ms instead of 15.5, of the CSV in 9.7-9.9 instead of 16.7 (in-process
        // CPU time, best of 7).
        const in0 = isInRun[text.charCodeAt(last)] as number;
        const in1 = in0 & (isInRun[text.charCodeAt(last - 1)] as number);
        const in2 = in1 & (isInRun[text.charCodeAt(last - 2)] as number);
        const in3 = in2 & (isInRun[text.charCodeAt(last - 3)] as number);
        const in4 = in3 & (isInRun[text.charCodeAt(last - 4)] as number);
        if (in4 === 0) {
          start = last + 1 - in0 - in1 - in2 - in3;
          continue;
        }
        first = last - probed;
      } else if (!isIn(text.charCodeAt(last))) {
        start = last + 1;
        continue;
      }
      while (first > start && isIn(text.charCodeAt(first - 1))) first--;
      if (first > start) {
        start = first;
        continue;
      }
      let end = last + 1;
      while (end < text.length && isIn(text.charCodeAt(end))) end++;
      // The run [start, end) holds the candidates up to `end - length`; none starts later in it.
      const candidate = firstMatchIn(text, start, end);
      if (candidate !== -1) return candidate;
      start = end + 1;
    }
  };
}

/**
 * From this many characters after `from` on, {@link classSequenceSearch} reads a text with the
 * kernel; below, copying it there costs more than the kernel saves.
 */
export const CLASS_SEQUENCES_MIN_CHARS = 512;

/**
 * How many characters of long texts (from `from` on, summed over its searches) a
 * {@link classSequenceSearch} leaves to its short search before it makes the kernel's tables:
 * making them parses the shape (regexpp, cold at the start of `serve`) and lays out its
 * classes, about 16 ms of CPU for the shapes of the default rule set on the first CSV object
 * `npm start` serves (549 bytes), where the short search reads a few such objects in well under
 * a millisecond. A long object passes it within its first chunk.
 */
export const CLASS_SEQUENCES_BUILD_CHARS = 64 * 1024;

/**
 * The positions where `shape` matches (sticky), found in a long text at the positions where
 * the classes it starts with (see `startSequencesOf`) follow each other, as a WebAssembly
 * kernel finds them (see {@link ClassSequences}), and in a short one by `shortSearch` (which
 * must find those same positions, as the shape's own regex does). V8 skips through text by
 * the characters a regex must hold at fixed offsets; a class (`[A-Z][A-Z][0-9][0-9]`) or a
 * keyword in any case (`secret`) leaves it trying the regex at nearly every offset, where the
 * kernel reads sixteen characters per step. A shape in Unicode mode, or whose start
 * `startSequencesOf` cannot spell out, is searched by `shortSearch` alone. The kernel is made
 * once `shortSearch` had `buildAfterChars` characters of long texts ahead of it (see
 * {@link CLASS_SEQUENCES_BUILD_CHARS}). With `shared`, the kernel is the one its searches share
 * (see {@link SharedClassSequences}).
 */
export function classSequenceSearch(
  shape: RegExp,
  shortSearch: CandidateSearch,
  buildAfterChars = CLASS_SEQUENCES_BUILD_CHARS,
  shared?: SharedClassSequences,
): CandidateSearch {
  // Made for long texts only: most shapes never meet one in a process that only reads short
  // values, and a rule set has many keyword lists, whose regexes cost the start of `serve` to parse.
  let start: StartSequences | undefined | null = null;
  let sequences: ((text: string, from: number) => number) | undefined;
  let sticky = shape;
  let charsBeforeBuild = buildAfterChars;
  return remembering((text, from) => {
    if (text.length - from < CLASS_SEQUENCES_MIN_CHARS) return shortSearch(text, from);
    if (start === null && charsBeforeBuild > 0) {
      charsBeforeBuild -= text.length - from;
      return shortSearch(text, from);
    }
    if (start === null) {
      start = startSequencesOf(shape.source, shape.flags);
      const kernel =
        start === undefined || !ClassSequences.supports(start.sequences)
          ? undefined
          : (shared?.member(`${shape.flags}/${shape.source}`, start.sequences) ??
            new ClassSequences(start.sequences));
      sequences = kernel instanceof ClassSequences ? (text, from) => kernel.next(text, from) : kernel;
      sticky = new RegExp(shape.source, `${shape.flags.replace(/[gy]/g, '')}y`);
    }
    if (sequences === undefined) return shortSearch(text, from);
    for (let at = sequences(text, from); at !== -1; at = sequences(text, at + 1)) {
      sticky.lastIndex = at;
      if (sticky.test(text)) return at;
    }
    return -1;
  });
}

/**
 * Candidates `offset` code units before an occurrence of `needle`, found with `indexOf`
 * (memchr-fast when the needle starts with a character that is rare in text).
 */
export function needleSearch(needle: string, offset = 0): CandidateSearch {
  return remembering((text, from) => {
    const index = text.indexOf(needle, from + offset);
    return index === -1 ? -1 : index - offset;
  });
}

/**
 * The candidates of `needleSearch(needle, offset)`, found by the needle's last character with
 * `indexOf` and the characters before it compared: for a needle whose last character is far
 * rarer in text than its first, at which `indexOf` of the whole needle stops every time. A
 * JWT's `yJ` (see `jwt-detector.ts`): the `J` is 5 to 15 times rarer than the `y` in the bench
 * NDJSON's scan text, CSV and logs; the JWT detector alone per 16 MB of log, 7.88 -> 6.75 ms.
 */
export function needleSearchByLast(needle: string, offset = 0): CandidateSearch {
  const last = needle.charAt(needle.length - 1);
  const before = needle.length - 1;
  return remembering((text, from) => {
    for (let at = text.indexOf(last, from + offset + before); at !== -1; at = text.indexOf(last, at + 1))
      if (text.startsWith(needle, at - before)) return at - before - offset;
    return -1;
  });
}

/**
 * Candidates at the first occurrence of any of `needles`, which all start with the same
 * character: one `indexOf` pass for the characters they all start with, each occurrence
 * compared with the needles whose next character follows it, where a {@link needleSearch} per
 * needle passes over the text once each and stops at least as often. The five AWS key id prefixes, CPU ms per 64 MB:
 * bench log 20.4 -> 4.2, CSV 19.7 -> 5.6; the log in upper case (an `A` every 23 characters)
 * 158 -> 71. Candidates are `offset` code units before the occurrence, as in `needleSearch`.
 */
export function needlesSearch(needles: readonly string[], offset = 0): CandidateSearch {
  const first = needles[0]?.charAt(0) ?? '';
  if (first === '' || !needles.every((needle) => needle.length > 1 && needle.startsWith(first)))
    throw new Error(
      `needlesSearch: ${JSON.stringify(needles)} are not needles of two or more characters all starting with one character`,
    );
  // The characters all needles start with, searched for whole: for Stripe's `k_live_` and
  // `k_test_`, `indexOf('k_')` stops at every `k` inside V8, not in this loop (the Stripe
  // detector alone per 16 MB, CPU time, median of 28 alternating rounds: bench CSV 6.24 -> 5.89
  // ms, 26/28; NDJSON scan text 5.50 -> 5.06, 21/28; log 8.18 -> 7.81, 15/28). Each needle is
  // longer than what they share, so each has a character after it.
  const head = needles[0] as string;
  let next = 1;
  while (
    needles.every((needle) => needle.length > next + 1 && needle.charCodeAt(next) === head.charCodeAt(next))
  )
    next++;
  const shared = head.slice(0, next);
  const nexts = needles.map((needle) => needle.charCodeAt(next));
  return remembering((text, from) => {
    for (let at = text.indexOf(shared, from + offset); at !== -1; at = text.indexOf(shared, at + 1)) {
      const code = text.charCodeAt(at + next);
      for (let i = 0; i < needles.length; i++)
        if (nexts[i] === code && text.startsWith(needles[i] as string, at)) return at - offset;
    }
    return -1;
  });
}

/** The least candidate of several searches. */
export function firstCandidate(...searches: readonly CandidateSearch[]): CandidateSearch {
  return (text, from) => {
    let least = -1;
    for (const search of searches) {
      const candidate = search(text, from);
      if (candidate !== -1 && (least === -1 || candidate < least)) least = candidate;
    }
    return least;
  };
}

/**
 * Answers from the previous search when it still decides the result (same text, `from` between
 * where that search started and what it found), so that a search combined with others, whose
 * candidate lies far ahead, is not repeated on every call.
 */
export function remembering(search: CandidateSearch): CandidateSearch {
  let lastText = '';
  let lastFrom = 0;
  let lastCandidate = -1;
  return (text, from) => {
    const isKnown = text === lastText && from >= lastFrom && (lastCandidate === -1 || from <= lastCandidate);
    // Keep the caller's string object even when an equal one was remembered: comparing two
    // distinct strings with the same content costs their length, comparing one with itself not.
    lastText = text;
    if (!isKnown) {
      lastFrom = from;
      lastCandidate = search(text, from);
    }
    return lastCandidate;
  };
}
