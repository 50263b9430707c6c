import { isDigit } from '../ascii-classes.ts';
import { kernelScans, STRING_INTS } from './json-scan-text.ts';
import type { JsonTokenRewriter } from './json-token-rewriter.ts';
import type { MatchCursor } from './match-cursor.ts';

/** How {@link lexJsonText} reads a text. */
export interface JsonLexOptions {
  /**
   * The matches of the batch scan of the text (`JsonTokenRewriter.scanBatch`): with a number,
   * or a string without escapes or surrogates, the rewriter is given the matches that overlap
   * it, so it can skip the detectors for it.
   */
  readonly matches?: MatchCursor | undefined;
  /**
   * More text follows: stop before a token that may continue past the end (a string without
   * its closing quote, a number or the start of a literal touching the end).
   * @default false
   */
  readonly isPartial?: boolean;
  /** Where the JSON text starts in `text`. @default 0 */
  readonly from?: number;
  /** Where it ends (an NDJSON line among others). @default text.length */
  readonly to?: number;
  /**
   * The plain strings of `text` (see {@link PlainStrings}), made once for the lines of an NDJSON
   * batch, which are read in order: each line made its own, and found its first string by halves
   * among the batch's (about 4,000 strings per 64 KiB push of the bench NDJSON).
   * @default made for this text from `from`
   */
  readonly plain?: PlainStrings | undefined;
}

/**
 * Tokenizes a JSON text held in memory (an NDJSON line, or a piece of a streamed document)
 * into `rewriter`: strings decoded exactly as `JSON.parse` decodes them, numbers as their raw
 * text. Positions are UTF-16 offsets into `text`, which becomes the rewriter's source. Grammar
 * errors are the rewriter's; lexical errors go through `rewriter.fail`. Does not call
 * `rewriter.finish`.
 *
 * Returns the index where it stopped: the end of the JSON text, or with `isPartial` the start
 * of a token that may continue in the text that follows.
 */
export function lexJsonText(text: string, rewriter: JsonTokenRewriter, options: JsonLexOptions = {}): number {
  const { matches, isPartial = false, from = 0, to = text.length } = options;
  rewriter.read(text);
  const plain = options.plain ?? new PlainStrings(text, rewriter.batchStringsOf(text), from);
  let i = from;
  while (i < to) {
    const code = text.charCodeAt(i);
    let next: number;
    switch (code) {
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        i++;
        continue;
      case 0x7b:
        rewriter.beginObject(i++);
        i = rewriter.plainMembers(i, to, matches, plain);
        continue;
      case 0x7d:
        rewriter.endObject(i++);
        continue;
      case 0x5b:
        rewriter.beginArray(i++);
        i = rewriter.plainElements(i, to, matches, plain);
        continue;
      case 0x5d:
        rewriter.endArray(i++);
        continue;
      case 0x3a:
        rewriter.colon(i++);
        continue;
      case 0x2c:
        rewriter.comma(i++);
        i = rewriter.plainMembers(i, to, matches, plain);
        i = rewriter.plainElements(i, to, matches, plain);
        continue;
      case 0x22: {
        const close = plain.closeOf(i);
        if (close >= 0 && close < to) {
          rewriter.plainString(i, close + 1, matches?.overlapping(i + 1, close));
          i = close + 1;
          continue;
        }
        // A value with escapes the batch scan decoded is not read again.
        const after = rewriter.batchString(i, to);
        if (after >= 0) {
          i = after;
          continue;
        }
        next = lexString(text, i, to, rewriter, isPartial);
        break;
      }
      case 0x74:
        next = lexLiteral(text, i, to, 'true', rewriter, isPartial);
        break;
      case 0x66:
        next = lexLiteral(text, i, to, 'false', rewriter, isPartial);
        break;
      case 0x6e:
        next = lexLiteral(text, i, to, 'null', rewriter, isPartial);
        break;
      default:
        next = lexNumber(text, i, to, rewriter, matches, isPartial);
    }
    // A token reader returns its start when the token may continue past the end.
    if (next === i) return i;
    i = next;
  }
  return to;
}

/**
 * Answers, for string literals of one text asked in ascending order, where a plain one closes:
 * it holds no backslash, control character or surrogate (see {@link nextSpecial}), so its value
 * is the text between its quotes.
 */
export class PlainStrings {
  private readonly text: string;
  /**
   * The batch scan's strings of `text` (see `JsonScanText.strings`), until a later scan
   * overwrites them, `kernelScans()` when they were given, and the entry read last.
   */
  private strings: Int32Array | undefined;
  private readonly scans = kernelScans();
  private entry = 0;
  private special = -1;

  /**
   * `strings`: where the strings of `text` start and end, as the batch scan's kernel found them
   * (see `JsonScanText.strings`), which spares reading them again; else the quote and the next
   * special character are searched for. The first literal asked for is at `from` or after.
   */
  constructor(text: string, strings?: Int32Array, from = 0) {
    this.text = text;
    this.strings = strings;
    if (strings === undefined) return;
    // An NDJSON line among many: its first string is found by halves, not read up to.
    let low = 0;
    let high = strings.length / STRING_INTS;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((strings[STRING_INTS * middle] as number) < from) low = middle + 1;
      else high = middle;
    }
    this.entry = STRING_INTS * low;
  }

  /**
   * True when the string literal whose opening quote is at `open`, which `:` follows at once, is
   * `key`'s, a key that needs no escape, and `print` is `literalPrint(key)`.
   */
  isLiteralOf(open: number, key: string, print: Int32Array | undefined): boolean {
    const close = open + 1 + key.length;
    const strings = this.current();
    if (strings === undefined || print === undefined) {
      const text = this.text;
      return (
        text.charCodeAt(open) === QUOTE && text.charCodeAt(close) === QUOTE && text.startsWith(key, open + 1)
      );
    }
    const at = this.find(open);
    return at >= 0 && isKeyEntry(strings, at, close, print);
  }

  /**
   * The index of the closing quote of the string literal whose opening quote is at `open` when
   * it is plain; -1 when it is not, or does not close in the text.
   */
  closeOf(open: number): number {
    const strings = this.current();
    if (strings === undefined) {
      const close = this.text.indexOf('"', open + 1);
      if (close < 0) return -1;
      if (this.special <= open) this.special = nextSpecial(this.text, open + 1);
      return close < this.special ? close : -1;
    }
    const at = this.find(open);
    return at < 0 ? -1 : Math.max(strings[at + 1] as number, -1);
  }

  /**
   * The batch scan's strings (see `JsonScanText.strings`) while they hold, for a caller that
   * reads the entries of a run of strings in order itself: from {@link entryOf} on, telling
   * which it read last with {@link readTo}; else `undefined`.
   */
  entries(): Int32Array | undefined {
    return this.current();
  }

  /** The index in {@link entries} of the entry of the string opening at `open`, or -1 when none does. */
  entryOf(open: number): number {
    return this.find(open);
  }

  /** The caller of {@link entries} read them up to the one at `entry`: the asks that follow start there. */
  readTo(entry: number): void {
    this.entry = entry;
  }

  /**
   * The batch scan's strings while they hold: a JSON body decoded from a value and redacted
   * while this text is read is scanned in the same memory, and the text is searched after that.
   */
  private current(): Int32Array | undefined {
    if (this.strings !== undefined && kernelScans() !== this.scans) this.strings = undefined;
    return this.strings;
  }

  /** The index in `strings` of the entry of the string opening at `open`, or -1 when none does. */
  private find(open: number): number {
    const strings = this.strings as Int32Array;
    // Most asks are for the string after the one found last (a member's value after its key, a
    // key after the value before): one entry read, not the two walks below (which held ~10 % of
    // the samples of plainMembers on the bench NDJSON).
    const after = this.entry + STRING_INTS;
    if (after < strings.length && strings[after] === open) {
      this.entry = after;
      return after;
    }
    let entry = this.entry;
    // Asked in ascending order, but for a key again after its member was given up: a step back.
    while (entry > 0 && (strings[entry] as number) > open) entry -= STRING_INTS;
    while (entry < strings.length && (strings[entry] as number) < open) entry += STRING_INTS;
    this.entry = entry;
    return entry < strings.length && strings[entry] === open ? entry : -1;
  }
}

/**
 * True when the entry at `at` of a batch scan's strings (see `JsonScanText.strings`) closes at
 * `close` and holds `print` (see `literalPrint`): the string there is the key that gives it.
 */
export function isKeyEntry(strings: Int32Array, at: number, close: number, print: Int32Array): boolean {
  // One test of the five differences or-ed, not five branches.
  return (
    (((strings[at + 1] as number) ^ close) |
      ((strings[at + 2] as number) ^ (print[0] as number)) |
      ((strings[at + 3] as number) ^ (print[1] as number)) |
      ((strings[at + 4] as number) ^ (print[2] as number)) |
      ((strings[at + 5] as number) ^ (print[3] as number))) ===
    0
  );
}

const QUOTE = 0x22;

/** What a plain string literal does not hold: a backslash, a control character or a surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the raw controls a JSON string cannot hold are the point.
const SPECIAL = /[\\\x00-\x1f\ud800-\udfff]/g;

/**
 * The index of the first backslash, control character or surrogate at or after `from`, or the
 * text's length. A string whose closing quote comes before it is plain: its value is the text
 * between the quotes. Native searches for the quote and this one (asked again only past the
 * last answer, about once per line) beat a loop over the characters of the string.
 */
function nextSpecial(text: string, from: number): number {
  SPECIAL.lastIndex = from;
  return SPECIAL.test(text) ? SPECIAL.lastIndex - 1 : text.length;
}

/**
 * Reads the string whose opening quote is at `start` that `lexJsonText` did not take as plain:
 * one with surrogates, escapes or raw control characters, or cut off at `to`. Returns the index
 * after its closing quote, or `start` when `isPartial` and the quote has not come before `to`.
 */
function lexString(
  text: string,
  start: number,
  to: number,
  rewriter: JsonTokenRewriter,
  isPartial: boolean,
): number {
  // Surrogates without escapes: the value is the text between the quotes.
  for (let plainEnd = start + 1; plainEnd < to; plainEnd++) {
    const code = text.charCodeAt(plainEnd);
    if (code === 0x22) {
      rewriter.string(text.slice(start + 1, plainEnd), start);
      return plainEnd + 1;
    }
    if (code === 0x5c || code < 0x20) break;
  }
  let end = text.indexOf('"', start + 1);
  for (;;) {
    if (end < 0 || end >= to) {
      if (isPartial) return start;
      rewriter.fail('unterminated string', start);
    }
    let backslash = end - 1;
    while (text.charCodeAt(backslash) === 0x5c) backslash--;
    if ((end - 1 - backslash) % 2 === 0) break;
    end = text.indexOf('"', end + 1);
  }
  // Escapes, or a raw control character that JSON.parse rejects.
  let value: string;
  try {
    value = JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    rewriter.fail('invalid string', start);
  }
  rewriter.string(value, start);
  return end + 1;
}

/**
 * Reads the number starting at `start`: the run of characters a number can hold, checked
 * whole. Returns the index after it, or `start` when `isPartial` and the run touches `to`.
 */
function lexNumber(
  text: string,
  start: number,
  to: number,
  rewriter: JsonTokenRewriter,
  matches: MatchCursor | undefined,
  isPartial: boolean,
): number {
  let end = start;
  while (end < to && isNumberCharacter(text.charCodeAt(end))) end++;
  if (isPartial && end === to) return start;
  if (end === start) rewriter.fail('unexpected character', start);
  if (!isNumber(text, start, end)) rewriter.fail('invalid number', start);
  rewriter.number(start, end, matches?.overlapping(start, end));
  return end;
}

/**
 * True when `text[start, end)`, a run of number characters, is a JSON number:
 * `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, read in place (no slice, no regex).
 */
function isNumber(text: string, start: number, end: number): boolean {
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i++;
  if (i < end && text.charCodeAt(i) === 0x30) i++;
  else if (i < end && isNonZeroDigit(text.charCodeAt(i))) i = digitsEnd(text, i + 1, end);
  else return false;
  if (i < end && text.charCodeAt(i) === 0x2e) {
    const digits = i + 1;
    i = digitsEnd(text, digits, end);
    if (i === digits) return false;
  }
  if (i < end) {
    const exponent = text.charCodeAt(i);
    if (exponent !== 0x65 && exponent !== 0x45) return false;
    i++;
    const sign = text.charCodeAt(i);
    if (i < end && (sign === 0x2b || sign === 0x2d)) i++;
    const digits = i;
    i = digitsEnd(text, digits, end);
    if (i === digits) return false;
  }
  return i === end;
}

function digitsEnd(text: string, from: number, end: number): number {
  let i = from;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  return i;
}

function isNonZeroDigit(code: number): boolean {
  return code >= 0x31 && code <= 0x39;
}

function isNumberCharacter(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2d ||
    code === 0x2b ||
    code === 0x2e ||
    code === 0x65 ||
    code === 0x45
  );
}

/**
 * Reads `literal` at `start`; returns the index after it, or `start` when `isPartial` and the
 * text ends inside it.
 */
function lexLiteral(
  text: string,
  start: number,
  to: number,
  literal: 'true' | 'false' | 'null',
  rewriter: JsonTokenRewriter,
  isPartial: boolean,
): number {
  if (start + literal.length > to || !text.startsWith(literal, start)) {
    let end = start;
    while (end < to && text.charCodeAt(end) === literal.charCodeAt(end - start)) end++;
    if (isPartial && end === to) return start;
    rewriter.fail('unexpected character', end);
  }
  rewriter.literal(literal, start);
  return start + literal.length;
}
