import type { Detector, Match } from './detector.ts';
import { isLineLocal } from './detectors/built-in-detectors.ts';
import { decodeBase64Text, isEncodedFieldName } from './encoded-value.ts';
import {
  isVerbatim,
  MAX_EXPANSION,
  type NormalizedText,
  normalizeText,
  SYNC_LENGTH,
} from './normalized-text.ts';
import { isHighSurrogate, isLowSurrogate } from './surrogates.ts';
import { MAX_ESCAPE_LENGTH } from './text-escapes.ts';

/**
 * A match attributed to the rule that found it: the index of its detector in the scanner's
 * list, where a detector of several kinds (see `Detector.kinds`) counts once per kind.
 */
export interface ScanMatch extends Match {
  readonly detector: number;
  /**
   * The value as the detectors saw it, when that differs from the text of the span: decoded,
   * folded (see `normalizeText`) or the content of a base64 value. Actions apply to it, so a
   * value hashes and tokenizes alike whatever form it hid in.
   */
  readonly value?: string;
}

export interface ScanResult {
  readonly matches: ScanMatch[];
  /**
   * Where scanning resumes: the end of the last accepted match, or `limit`, whichever is later;
   * or, when the text after `limit` is too short for the view to reach past it (see `scan`), a
   * position before `limit`.
   */
  readonly next: number;
}

export interface ScannerOptions {
  /**
   * Values are of a field whose name marks them as encoded or sensitive (see
   * `isEncodedFieldName`): a whole value in base64 whose decoded text holds a match is one match.
   * @default false
   */
  readonly decodesBase64?: boolean;
  /**
   * Rule index of each detector's first kind, when the detectors are some of a larger list
   * (see `scanNamedOnly`).
   * @default - each detector's kinds counted in order from 0
   */
  readonly firstRule?: readonly number[];
}

/**
 * Runs several detectors over text as one lexer: at the current position the leftmost match of
 * any detector wins (ties: the longest, then the detector listed first) and scanning resumes at
 * its end. Because the choice at a position depends only on a bounded neighbourhood of it,
 * scanning can stop at any `limit` and resume later with the same result as one pass over the
 * whole text, which is what makes redaction independent of how a stream is chunked.
 *
 * The detectors run over the normalized view of the text (`normalizeText`: escapes decoded,
 * compatibility forms folded, invisible characters dropped), and each match replaces the
 * original span its view characters come from; text outside matches is never changed. A view
 * position depends on a bounded neighbourhood of original text too, so the guarantee holds.
 * A whole value under a field name is read as written too by the detectors the name changed
 * (see `scan`): decoding an escape must not cut a value the name makes sensitive.
 */
export class Scanner {
  readonly detectors: readonly Detector[];
  /** Longest span any detector can match, in code units of the view. */
  readonly maxLength: number;
  /** Code units of the view before a match start that any detector may inspect. */
  readonly lookbehind: number;
  /** Code units of the view after a match end that any detector may inspect. */
  readonly lookahead: number;
  /** Rule index of each detector's first kind. */
  private readonly firstRule: readonly number[];
  /** Code units of original text before `from` that `scan` reads: its lookbehind, however expanded. */
  readonly contextLength: number;
  /**
   * Code units of original text before `from` that `scan` reads when none of them is escaped,
   * folded or dropped (see `contextBefore`): the view's sync and the lookbehind, one more than
   * it because the last code unit may start an escape that ends past `from` (`\` before `u200b`).
   */
  private readonly verbatimContextLength: number;
  /**
   * Code units of original text after `limit` with which `scan` reaches `limit` unless escapes
   * or dropped characters shorten the view of them (it then stops before, see `scan`).
   */
  readonly reachLength: number;
  private readonly isDecodingBase64: boolean;
  /** This scanner without base64 decoding, for the decoded text. */
  private readonly plain: Scanner;
  /** The scanner this one was `named` from, through any number of names; or this scanner. */
  private base: Scanner = this;
  /**
   * Of a `named` scanner: the detectors that differ from those of `base` alone, under their
   * rule indices (see `scanNamedOnly`); this scanner itself when base64 decoding differs.
   */
  private namedOnly: Scanner = this;
  /**
   * Of a `named` scanner and its `namedOnly` part: the detectors the names changed, which also
   * read a whole value as written when its view differs (see `scan`).
   */
  private asWritten: Scanner | undefined;
  /** Per rule index: whether its detector is line-local (see `isLineLocal`). */
  private readonly lineLocalRules: readonly boolean[];
  /** The detectors that may find more in a text alone than within a longer one (see `findsAlone`). */
  private readonly findingMoreAlone: readonly Detector[];
  /** Per rule index: the index of its detector. */
  private readonly ruleDetectors: readonly number[];
  /**
   * Per detector: how far past a match start it reads, rounded up (see `textsFor`); infinite
   * for one that bounds its search itself (`Detector.isLimitBounded`), which is never cut.
   */
  private readonly reachClasses: readonly number[];
  /** The least of `reachClasses`. */
  private readonly minReach: number;

  constructor(detectors: readonly Detector[], options: ScannerOptions = {}) {
    this.detectors = detectors;
    let rule = 0;
    this.firstRule =
      options.firstRule ??
      detectors.map((detector) => {
        const first = rule;
        rule += detector.kinds ?? 1;
        return first;
      });
    this.maxLength = Math.max(0, ...detectors.map((d) => d.maxLength));
    this.lookbehind = Math.max(0, ...detectors.map((d) => d.lookbehind));
    this.lookahead = Math.max(0, ...detectors.map((d) => d.lookahead));
    this.contextLength = detectors.length === 0 ? 0 : MAX_EXPANSION * (this.lookbehind + 1) + SYNC_LENGTH;
    this.reachLength = detectors.length === 0 ? 0 : this.maxLength + this.lookahead + MAX_ESCAPE_LENGTH;
    this.verbatimContextLength = detectors.length === 0 ? 0 : this.lookbehind + 2 + SYNC_LENGTH;
    this.isDecodingBase64 = options.decodesBase64 === true && detectors.length > 0;
    this.plain = this.isDecodingBase64 ? new Scanner(detectors, { firstRule: this.firstRule }) : this;
    const lineLocalRules: boolean[] = [];
    const ruleDetectors: number[] = [];
    detectors.forEach((detector, i) => {
      const first = this.firstRule[i] as number;
      for (let kind = 0; kind < (detector.kinds ?? 1); kind++) ruleDetectors[first + kind] = i;
      if ((detector.kinds ?? 1) === 1 && isLineLocal(detector)) lineLocalRules[first] = true;
    });
    this.lineLocalRules = lineLocalRules;
    this.findingMoreAlone = detectors.filter((detector) => detector.mayFindMoreAlone !== undefined);
    this.ruleDetectors = ruleDetectors;
    this.reachClasses = detectors.map((detector) =>
      detector.isLimitBounded === true
        ? Number.POSITIVE_INFINITY
        : Math.max(1024, 2 ** Math.ceil(Math.log2(detector.maxLength + detector.lookahead))),
    );
    this.minReach = Math.min(...this.reachClasses);
  }

  /**
   * True when `matches` (ascending, in positions of `text`), which the scanner this one was
   * `named` from (or this one) found inside a line of a longer text, are what `scan(text)`
   * finds, given that the detectors find in `…\n<text>\n…` every match they find in `<text>`
   * alone (see `createCsvRedactor`). Then every candidate of the lexer in `text` alone is one it
   * had in the line, and it suffices that each of `matches` is a match of its rule's detector
   * in `text` alone: always for a detector that takes no context (see `isLineLocal`); for
   * another, when `text` needs no normalizing (see `normalizeText`) and the detector asked from
   * the match start returns the match. A named scanner needs besides that none of `matches`
   * comes from a detector the names changed and that the changed detectors find nothing in
   * `text`: then the detectors they replace only had candidates that the lexer passed over.
   * False for a scanner that decodes base64 (a whole value may be one match), and where a
   * detector may find more in `text` alone than in the line (see `Detector.mayFindMoreAlone`).
   * `isNamedOnlyClean`: the caller knows that the changed detectors find nothing in `text`
   * (`scanNamedOnly` found nothing there within a longer text, on the same condition), so they
   * are not run again.
   */
  findsAlone(text: string, matches: readonly ScanMatch[], isNamedOnlyClean = false): boolean {
    if (this.isDecodingBase64) return false;
    for (const detector of this.findingMoreAlone)
      if (detector.mayFindMoreAlone?.(text) === true) return false;
    if (this.base !== this) {
      const changed = this.namedOnly;
      if (changed === this) return false;
      for (const match of matches) if (changed.ruleDetectors[match.detector] !== undefined) return false;
      return (
        (isNamedOnlyClean || changed.scan(text).matches.length === 0) && this.base.findsAlone(text, matches)
      );
    }
    let isNormal: boolean | undefined;
    for (const match of matches) {
      if (this.lineLocalRules[match.detector] === true) continue;
      isNormal ??= normalizeText(text) === undefined;
      const index = this.ruleDetectors[match.detector];
      if (!isNormal || index === undefined) return false;
      const found = (this.detectors[index] as Detector).findFrom(text, match.start);
      const kind = match.detector - (this.firstRule[index] as number);
      if (found?.start !== match.start || found.end !== match.end || (found.kind ?? 0) !== kind) return false;
    }
    return true;
  }

  /**
   * The scanner for values stored under a field called `name` (a JSON key on the value's path,
   * a CSV header): each detector that needs context takes the name as context when the name
   * holds one of its keywords (see `Detector.named`), and a name that marks its values as
   * encoded or sensitive (`email_b64`) makes base64 values decoded. Returns this scanner, not a
   * copy, when the name changes nothing, so callers can tell whether the name matters.
   */
  named(name: string): Scanner {
    const decodesBase64 = this.isDecodingBase64 || (this.detectors.length > 0 && isEncodedFieldName(name));
    const isContext = this.detectors.some((detector) => detector.named !== undefined);
    const named = isContext
      ? this.detectors.map((detector) => detector.named?.(name) ?? detector)
      : this.detectors;
    const isSame = named.every((detector, i) => detector === this.detectors[i]);
    if (isSame && decodesBase64 === this.isDecodingBase64) return this;
    const scanner = new Scanner(named, { decodesBase64 });
    const base = this.base;
    scanner.base = base;
    const changed = named.flatMap((detector, i) => (detector === base.detectors[i] ? [] : [i]));
    const parts = changed.map((i) => (named[i] as Detector).namedPart ?? (named[i] as Detector));
    const firstRule = changed.map((i) => this.firstRule[i] as number);
    // The changed detectors alone; reading as written takes its `scanView`, which decodes no base64.
    const changedOnly = new Scanner(parts, { decodesBase64, firstRule });
    if (decodesBase64 === base.isDecodingBase64) scanner.namedOnly = changedOnly;
    if (changed.length > 0) {
      scanner.asWritten = changedOnly;
      scanner.namedOnly.asWritten = changedOnly;
    }
    return scanner;
  }

  /**
   * `scan(text)` of a whole text in which the scanner this one was `named` from (through any
   * number of names) finds nothing, as a batch scan vouches: there only the detectors the names
   * changed can find a match, and the lexer's choice among them is theirs alone, so only they
   * run. Most values under a name that is context are such texts, and most detectors need no
   * context (on the bench CSV and NDJSON, under a tenth less CPU in all).
   */
  scanNamedOnly(text: string): ScanResult {
    return this.namedOnly.scan(text);
  }

  /**
   * Code units of `text` before `at` that a scan resuming at `at` reads (see `scan`): its
   * `contextLength`, or only its lookbehind (and the view's sync) when those code units read as
   * written (see `isVerbatim`). The view of the longer context then gives the same lookbehind,
   * one code unit of the original each, and a streaming caller keeps far less text: with the
   * packs, 2,224 code units instead of 137,232 on the bench logs.
   */
  contextBefore(text: string, at: number): number {
    const verbatim = this.verbatimContextLength;
    return at >= verbatim && isVerbatim(text, at - verbatim, at) ? verbatim : this.contextLength;
  }

  /**
   * Accepts matches that start in `[from, limit)`. The caller guarantees that `text` holds at
   * least `contextBefore(text, from)` code units before `from` in the text it was asked about
   * (`contextLength` at most), or starts at the true start of input, and either
   * ends at the true end of input or goes on past `limit`: `limit === text.length` means the
   * true end. With `reachLength` code units after `limit` the scan reaches `limit`, unless
   * escapes or dropped characters there leave the view too short for a detector to decide; it
   * then stops where the view still reaches, and `next` says where to resume with more text
   * (never more than `MAX_EXPANSION` times `reachLength` is needed).
   */
  scan(text: string, from = 0, limit = text.length): ScanResult {
    if (this.isDecodingBase64 && from === 0 && limit === text.length) {
      const decoded = this.scanBase64(text);
      if (decoded !== undefined) return decoded;
    }
    const view =
      this.detectors.length === 0 ? undefined : normalizeText(text, Math.max(0, from - this.contextLength));
    if (view === undefined) {
      const { matches, end } = this.scanView(text, from, limit);
      return { matches, next: Math.max(end, limit) };
    }
    const result = this.scanNormalized(text, view, from, limit);
    // A value stored under a name is what it is as written: decoding an escape in it can cut or
    // shorten it (`%0aaaaaa` under `pass` reads as a line break and five letters, no password),
    // so the detectors the name changed read it as written too, and what they find there is taken
    // as well where it overlaps nothing found in the view or holds all it overlaps (fail closed).
    // A whole value only: a name's scanners are given values, and their batches of values, whole.
    if (this.asWritten === undefined || from !== 0 || limit !== text.length) return result;
    return withMatches(result, this.asWritten.scanView(text, 0, text.length).matches);
  }

  private scanNormalized(text: string, view: NormalizedText, from: number, limit: number): ScanResult {
    const viewFrom = view.toView(from);
    let viewLimit = view.toView(limit);
    let isCut = false;
    if (limit < text.length) {
      // Only units that start this far before the end are read whole; a detector deciding on
      // a match start must see its whole reach among them.
      const reached = view.toView(text.length - MAX_ESCAPE_LENGTH + 1) - this.maxLength - this.lookahead;
      if (reached < viewLimit) {
        viewLimit = Math.max(viewFrom, reached);
        isCut = true;
      }
    }
    const found = this.scanView(view.text, viewFrom, viewLimit, view);
    const matches: ScanMatch[] = found.matches.map((match) => {
      const start = view.toOriginalStart(match.start);
      const end = view.toOriginalEnd(match.end);
      const value = view.text.slice(match.start, match.end);
      return value === text.slice(start, end)
        ? { start, end, detector: match.detector }
        : { start, end, detector: match.detector, value };
    });
    const end = matches.at(-1)?.end ?? from;
    if (!isCut) return { matches, next: Math.max(end, limit) };
    let resume = view.toOriginalStart(viewLimit);
    // Never between the halves of a surrogate pair, which callers emit whole.
    if (isLowSurrogate(text.charCodeAt(resume)) && isHighSurrogate(text.charCodeAt(resume - 1))) resume--;
    return { matches, next: Math.max(end, resume) };
  }

  /**
   * The lexer over `text` (a view when `view` is given, whose positions it maps): matches that
   * start in `[from, limit)` in `text`'s positions, and where the last one ends (or `from`).
   *
   * A detector is given `text` cut where its own reach past `limit` ends (see `Detector`: a match
   * at a start before `limit` depends on nothing after that), a slice V8 makes without copying.
   * The text a streaming caller passes goes on for the widest reach of all the detectors (a PGP
   * key block's 64 KiB), and a detector finding nothing would otherwise search all of it on
   * every scan, only for the next scan to search it again (measured on bench logs: a quarter more
   * text searched than scanned).
   */
  private scanView(
    text: string,
    from: number,
    limit: number,
    view?: NormalizedText,
  ): { matches: ScanMatch[]; end: number } {
    const detectors = this.detectors;
    const cached: (Match | null | undefined)[] = new Array(detectors.length);
    // Most strings a JSON or CSV field holds are too short for most detectors.
    for (let i = 0; i < detectors.length; i++) {
      if (from + (detectors[i] as Detector).minLength > text.length) cached[i] = null;
    }
    const texts = limit + this.minReach < text.length ? this.textsFor(text, limit) : undefined;
    const matches: ScanMatch[] = [];
    let position = from;
    let end = from;
    while (position < limit) {
      let best: Match | undefined;
      let bestIndex = -1;
      for (let i = 0; i < detectors.length; i++) {
        let candidate = cached[i];
        if (candidate === undefined || (candidate !== null && candidate.start < position)) {
          candidate = (detectors[i] as Detector).findFrom(texts?.[i] ?? text, position, limit) ?? null;
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
      end = best.end;
      // A match ending inside a unit (one of the characters a ligature gives) covers all of
      // it, so scanning resumes after the unit.
      position = view === undefined ? best.end : view.toView(view.toOriginalEnd(best.end));
    }
    return { matches, end };
  }

  /**
   * Per detector, `text` cut past `limit` by its reach rounded up to a power of two (at least
   * 1 KiB), or `text` when that passes its end: detectors of similar reach get the same string,
   * so the searches they share (`digitShapes`) keep what they found in it.
   */
  private textsFor(text: string, limit: number): string[] {
    const cuts = new Map<number, string>();
    return this.reachClasses.map((reach) => {
      const end = limit + reach;
      if (end >= text.length) return text;
      let cut = cuts.get(reach);
      if (cut === undefined) {
        cut = text.slice(0, end);
        cuts.set(reach, cut);
      }
      return cut;
    });
  }

  /** One match over the whole of `text` when it is base64 of text in which the detectors find one. */
  private scanBase64(text: string): ScanResult | undefined {
    const decoded = decodeBase64Text(text);
    if (decoded === undefined) return undefined;
    const first = this.plain.scan(decoded).matches[0];
    if (first === undefined) return undefined;
    const value = first.value ?? decoded.slice(first.start, first.end);
    return { matches: [{ start: 0, end: text.length, detector: first.detector, value }], next: text.length };
  }
}

/**
 * `result` with each of `extra` (ascending, in the same positions) that overlaps none of its
 * matches or holds every one it overlaps (which it then replaces: the wider reading of the same
 * text), all in ascending order.
 */
function withMatches(result: ScanResult, extra: readonly ScanMatch[]): ScanResult {
  if (extra.length === 0) return result;
  const own = result.matches;
  const matches: ScanMatch[] = [];
  let i = 0;
  for (const match of extra) {
    while (i < own.length && (own[i] as ScanMatch).end <= match.start) matches.push(own[i++] as ScanMatch);
    let last = i;
    while (last < own.length && (own[last] as ScanMatch).start < match.end) last++;
    const isHolding = own.slice(i, last).every((each) => each.start >= match.start && each.end <= match.end);
    if (!isHolding) continue;
    matches.push(match);
    i = last;
  }
  matches.push(...own.slice(i));
  return { matches, next: Math.max(result.next, matches.at(-1)?.end ?? 0) };
}
