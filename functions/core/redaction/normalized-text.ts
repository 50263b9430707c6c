import { FOLDABLE_CLASS, foldCharacter, LATIN1_FOLDABLE } from './character-folds.ts';
import { isLowSurrogate } from './surrogates.ts';
import { decodeEscapeAt, MAX_ESCAPE_LENGTH } from './text-escapes.ts';

/** Invisible characters dropped in a row; the rest of a longer run stays, and breaks a value. */
export const MAX_DROPPED_RUN = 3;

/**
 * Most code units of original text behind one code unit of a view: the unit that gives it and
 * the invisible characters dropped before that unit, each at most one escape long.
 */
export const MAX_EXPANSION = MAX_ESCAPE_LENGTH * (MAX_DROPPED_RUN + 1);

/**
 * How far a view's start reaches into the text before it parses as the view of the whole text
 * does: an escape cut by the start, and the run of dropped characters it may be in.
 */
export const SYNC_LENGTH = MAX_EXPANSION + MAX_ESCAPE_LENGTH;

const PERCENT = 0x25;
const AMPERSAND = 0x26;
const BACKSLASH = 0x5c;

/**
 * Characters at which a unit other than the character itself may start: a `\` only before `u`
 * or `x` (see {@link nextLatin1Trigger}), as paths and escaped JSON hold many others.
 */
const LATIN1_TRIGGERS = ['%', '&', '\\', ...LATIN1_FOLDABLE];
const LETTER_U = 0x75;
const LETTER_X = 0x78;
/** A character beyond Latin-1: V8 answers at once for a string it stores one byte per character. */
const WIDE = /[\u0100-\uffff]/g;
const TRIGGER = new RegExp(`[%&${FOLDABLE_CLASS}]|\\\\[ux]`, 'g');

/**
 * Text as the detectors see it: escapes decoded (`%40`, `&#64;`, `&commat;`, `\u0040` → `@`),
 * characters folded (`＠` → `@`, no-break space → space, see `foldCharacter`) and invisible
 * characters dropped, at most `MAX_DROPPED_RUN` in a row; with a map from each position of
 * the view to the original text. Each character of the original belongs to one unit (an
 * escape, a character, or a surrogate pair), which gives zero or more characters of the view;
 * a match in the view stands for the whole units its characters come from.
 *
 * Only units that change length are recorded, as edits, so the map costs memory in proportion
 * to them, and a position maps by binary search over them.
 */
export class NormalizedText {
  /** The view. */
  readonly text: string;
  /** Where the view starts in the original text. */
  private readonly origin: number;
  // Edits in ascending order: view `[viewStarts[k], viewEnds[k])` comes from original
  // `[originalStarts[k], originalEnds[k])`. Between edits, the view is the original, shifted.
  private readonly viewStarts: readonly number[];
  private readonly viewEnds: readonly number[];
  private readonly originalStarts: readonly number[];
  private readonly originalEnds: readonly number[];

  constructor(text: string, origin: number, edits: Edits) {
    this.text = text;
    this.origin = origin;
    this.viewStarts = edits.viewStarts;
    this.viewEnds = edits.viewEnds;
    this.originalStarts = edits.originalStarts;
    this.originalEnds = edits.originalEnds;
  }

  /** The first view position whose unit starts at or after original position `offset`. */
  toView(offset: number): number {
    const k = lastAtMost(this.originalStarts, offset - 1);
    if (k < 0) return Math.max(0, offset - this.origin);
    const originalEnd = this.originalEnds[k] as number;
    const viewEnd = this.viewEnds[k] as number;
    return offset < originalEnd ? viewEnd : viewEnd + (offset - originalEnd);
  }

  /** Where the unit of view position `index` starts in the original (its end for the view's length). */
  toOriginalStart(index: number): number {
    const k = lastAtMost(this.viewStarts, index);
    if (k < 0) return this.origin + index;
    const viewEnd = this.viewEnds[k] as number;
    return index < viewEnd
      ? (this.originalStarts[k] as number)
      : (this.originalEnds[k] as number) + index - viewEnd;
  }

  /** Where the unit of view position `index - 1` ends in the original: the end of a span ending at `index`. */
  toOriginalEnd(index: number): number {
    const last = index - 1;
    const k = lastAtMost(this.viewStarts, last);
    if (k < 0) return this.origin + index;
    const viewEnd = this.viewEnds[k] as number;
    return last < viewEnd
      ? (this.originalEnds[k] as number)
      : (this.originalEnds[k] as number) + index - viewEnd;
  }
}

interface Edits {
  readonly viewStarts: number[];
  readonly viewEnds: number[];
  readonly originalStarts: number[];
  readonly originalEnds: number[];
}

/**
 * The view of `text[from, text.length)`, or `undefined` when it would equal the text, which
 * is decided without copying it when the text has no `%`, `&`, `\u`, `\x` or foldable character (see
 * `foldCharacter`). Each unit depends only on `text[start, start + MAX_ESCAPE_LENGTH)` and, for
 * an invisible character, on the `MAX_DROPPED_RUN` units before it; so the view of a window
 * equals the view of the whole text past the window's first `SYNC_LENGTH` code units and
 * before its last `MAX_ESCAPE_LENGTH`.
 *
 * @example
 * const view = normalizeText('mail jane%40example.com')!;
 * view.text; // 'mail jane@example.com'
 * view.toOriginalEnd(21); // 23
 */
export function normalizeText(text: string, from = 0): NormalizedText | undefined {
  const triggers = TriggerSearch.of(text, from);
  if (triggers === undefined) return undefined;
  const edits: Edits = { viewStarts: [], viewEnds: [], originalStarts: [], originalEnds: [] };
  let view = '';
  let copied = from;
  let isChanged = false;
  // The run of invisible characters that the unit at `runEnd` would continue.
  let runEnd = -1;
  let runLength = 0;
  for (let at = triggers.next(from); at !== -1; ) {
    const code = text.charCodeAt(at);
    const decoded =
      code === PERCENT || code === AMPERSAND || code === BACKSLASH ? decodeEscapeAt(text, at) : undefined;
    let length: number;
    let character: string;
    if (decoded === undefined) {
      // A `%`, `&` or `\` that starts no escape is itself, as text where they abound (URLs) has many.
      if (code < 0x80) {
        at = triggers.next(at + 1);
        continue;
      }
      length = code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(at + 1)) ? 2 : 1;
      character = text.slice(at, at + length);
    } else {
      length = decoded.length;
      character = decoded.text;
    }
    // Below no-break space nothing folds: most escapes decode to ASCII.
    let replacement = character.charCodeAt(0) < 0xa0 ? character : (foldCharacter(character) ?? character);
    if (replacement === '') {
      runLength = at === runEnd ? runLength + 1 : 1;
      runEnd = at + length;
      if (runLength > MAX_DROPPED_RUN) replacement = character;
    }
    if (decoded !== undefined || replacement !== character) {
      view += text.slice(copied, at);
      const viewStart = view.length;
      view += replacement;
      copied = at + length;
      isChanged = true;
      if (length !== 1 || replacement.length !== 1) {
        edits.viewStarts.push(viewStart);
        edits.viewEnds.push(view.length);
        edits.originalStarts.push(at);
        edits.originalEnds.push(at + length);
      }
    }
    at = triggers.next(at + length);
  }
  if (!isChanged) return undefined;
  return new NormalizedText(view + text.slice(copied), from, edits);
}

/**
 * True when every code unit of `text[from, to)` is its own unit of the view, unchanged: none is
 * a `%`, `&`, `\u`, `\x` or foldable character (see `normalizeText`). A unit that starts
 * before `from` may still reach into it, and a `\` that ends it start one that ends past `to`.
 */
export function isVerbatim(text: string, from: number, to: number): boolean {
  return TriggerSearch.of(text.slice(from, to), 0) === undefined;
}

/** Finds, in ascending order, the positions where a unit may differ from its character. */
class TriggerSearch {
  private readonly text: string;
  /** Latin-1 text: the next position of each of `LATIN1_TRIGGERS`; else `undefined`, and a regex searches. */
  private readonly nextOf: number[] | undefined;

  private constructor(text: string, nextOf: number[] | undefined) {
    this.text = text;
    this.nextOf = nextOf;
  }

  /**
   * A search over `text` from `from`, or `undefined` when there is nothing to find. In Latin-1
   * text (which V8 tells at once when the string is stored one byte per character) a few
   * `indexOf` calls decide, much faster than any regex.
   */
  static of(text: string, from: number): TriggerSearch | undefined {
    WIDE.lastIndex = from;
    if (WIDE.test(text)) {
      TRIGGER.lastIndex = from;
      return TRIGGER.test(text) ? new TriggerSearch(text, undefined) : undefined;
    }
    const nextOf = LATIN1_TRIGGERS.map((trigger) => nextLatin1Trigger(text, trigger, from));
    return nextOf.some((at) => at !== -1) ? new TriggerSearch(text, nextOf) : undefined;
  }

  /** The least position `>= from` where a unit may differ from its character, or -1. */
  next(from: number): number {
    const nextOf = this.nextOf;
    if (nextOf === undefined) {
      TRIGGER.lastIndex = from;
      return TRIGGER.exec(this.text)?.index ?? -1;
    }
    let least = -1;
    for (let i = 0; i < nextOf.length; i++) {
      let at = nextOf[i] as number;
      if (at !== -1 && at < from) {
        at = nextLatin1Trigger(this.text, LATIN1_TRIGGERS[i] as string, from);
        nextOf[i] = at;
      }
      if (at !== -1 && (least === -1 || at < least)) least = at;
    }
    return least;
  }
}

/**
 * Where `trigger` (one of `LATIN1_TRIGGERS`) next occurs at or after `from` as a trigger, or -1:
 * a `\` before `u` or `x`. `\u` and `\x` are found by one pass for `\`, where an `indexOf`
 * each read the text twice: `normalizeText` of the bench CSV's scan texts, CPU time per 16 MB,
 * median of 16 alternating rounds, 1.75 -> 1.66 ms (11/16; they hold no `\`), the NDJSON's
 * 0.92 -> 0.85 (11/16; 4,400 `\` per 16 MB, none before `u` or `x`).
 */
function nextLatin1Trigger(text: string, trigger: string, from: number): number {
  let at = text.indexOf(trigger, from);
  if (trigger.charCodeAt(0) !== BACKSLASH) return at;
  for (; at !== -1; at = text.indexOf(trigger, at + 1)) {
    const next = text.charCodeAt(at + 1);
    if (next === LETTER_U || next === LETTER_X) return at;
  }
  return -1;
}

/** The index of the last element of ascending `values` that is `<= limit`, or -1. */
function lastAtMost(values: readonly number[], limit: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] as number) <= limit) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}
