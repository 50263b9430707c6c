import type { ScanMatch, Scanner } from '../scanner.ts';
import { STRING_INTS } from './json-scan-text.ts';
import { MatchCursor } from './match-cursor.ts';

const QUOTE = 0x22;
const COLON = 0x3a;
const SURROGATE = /[\ud800-\udfff]/;
const NONE: readonly ScanMatch[] = [];

/**
 * The string values with escapes of a batch scan's text (see `JsonTokenRewriter.scanBatch`),
 * decoded and scanned together in one text, each between line breaks as the batch holds plain
 * values: the batch scan sees them as written (`\"` for `"`), which the detectors must not be
 * trusted on, and each scanned alone costs a scan's setup (about half a record's redaction in
 * the bench's NDJSON). Their matches are then vouched for or confirmed as a plain value's are
 * (see `JsonTokenRewriter.ownMatches`). Left out: keys, strings the lexer will refuse, values
 * holding surrogates (as the batch scan leaves them out) and JSON texts (rewritten as documents).
 */
export class EscapedValues {
  /** By value, in source order: where its string literal opens in the batch's text. */
  private readonly opens: number[];
  /** By value: where it starts in the text scanned; it ends at the next one's start less one. */
  private readonly starts: number[];
  /** By value: where its string literal closes in the batch's text, and its value. */
  private readonly closes: number[];
  private readonly values: string[];
  private readonly matches = new MatchCursor();
  private next = 0;

  private constructor(
    opens: number[],
    starts: number[],
    closes: number[],
    values: string[],
    matches: readonly ScanMatch[],
  ) {
    this.opens = opens;
    this.starts = starts;
    this.closes = closes;
    this.values = values;
    this.matches.reset(matches);
  }

  /**
   * Scans the values with escapes of `source`, whose strings the kernel found where `strings`
   * says (see `JsonScanText.strings`), with `scanner`; `undefined` when it holds none.
   */
  static scan(source: string, strings: Int32Array, scanner: Scanner): EscapedValues | undefined {
    const opens: number[] = [];
    const starts: number[] = [];
    const closes: number[] = [];
    const values: string[] = [];
    let length = 0;
    // Only a string with a backslash can decode (a raw control character fails, a string cut
    // by a line feed has no closing quote): the backslashes are found by a native search and
    // their strings by halves, where reading every entry read ~4,000 a 64 KiB push of the
    // bench NDJSON for ~30 values with escapes.
    let entry = 0;
    for (let backslash = source.indexOf('\\'); backslash >= 0; ) {
      entry = entryAtOrBefore(strings, backslash, entry);
      const end = entry < 0 ? 0 : (strings[entry + 1] as number);
      const close = ~end;
      if (end >= 0 || close <= backslash) {
        backslash = source.indexOf('\\', backslash + 1);
        continue;
      }
      backslash = source.indexOf('\\', close + 1);
      if (source.charCodeAt(close) !== QUOTE || isKey(source, close + 1)) continue;
      const open = strings[entry] as number;
      const value = decoded(source.slice(open, close + 1));
      if (value === undefined || SURROGATE.test(value) || mayBeJsonText(value)) continue;
      opens.push(open);
      starts.push(length);
      closes.push(close);
      values.push(value);
      length += value.length + 1;
    }
    if (values.length === 0) return undefined;
    starts.push(length);
    return new EscapedValues(opens, starts, closes, values, scanner.scan(values.join('\n')).matches);
  }

  /**
   * Where the string literal opening at `open` closes when it is a value this scan decoded
   * (its value then {@link valueAt}), else -1: the lexer need not read and decode it again.
   * Asked in ascending order, with {@link foundAt}.
   */
  closeAt(open: number): number {
    return this.seek(open) ? (this.closes[this.next] as number) : -1;
  }

  /** The value of the string literal opening at `open`, for which {@link closeAt} answered. */
  valueAt(open: number): string | undefined {
    return this.seek(open) ? this.values[this.next] : undefined;
  }

  /**
   * The matches of the scan that overlap the value of the string literal opening at `open`, in
   * positions of the value, or `undefined` when it was not scanned. Asked in ascending order.
   */
  foundAt(open: number): readonly ScanMatch[] | undefined {
    if (!this.seek(open)) return undefined;
    const start = this.starts[this.next] as number;
    const found = this.matches.overlapping(start, (this.starts[this.next + 1] as number) - 1);
    if (found.length === 0) return NONE;
    return found.map((match) =>
      match.value === undefined
        ? { start: match.start - start, end: match.end - start, detector: match.detector }
        : {
            start: match.start - start,
            end: match.end - start,
            detector: match.detector,
            value: match.value,
          },
    );
  }

  /** Moves to the value whose literal opens at `open`, or past it; true when there is one. */
  private seek(open: number): boolean {
    const opens = this.opens;
    while (this.next < opens.length && (opens[this.next] as number) < open) this.next++;
    return opens[this.next] === open;
  }
}

/**
 * The index in `strings` of the last entry whose string opens before `position`, searched by
 * halves from `from` (an entry known to open before it, or the first), or -1 when none does.
 */
function entryAtOrBefore(strings: Int32Array, position: number, from: number): number {
  let low = Math.max(0, from) / STRING_INTS;
  let high = strings.length / STRING_INTS;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((strings[STRING_INTS * middle] as number) < position) low = middle + 1;
    else high = middle;
  }
  return STRING_INTS * (low - 1);
}

/** True when `:` follows `source` at `from`, JSON blanks aside: the string before was a key. */
function isKey(source: string, from: number): boolean {
  let at = from;
  let code = source.charCodeAt(at);
  while (code === 0x20 || code === 0x09 || code === 0x0d) code = source.charCodeAt(++at);
  return code === COLON;
}

/** The value of the string literal `literal`, or `undefined` when the lexer will refuse it. */
function decoded(literal: string): string | undefined {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

/** True when `value` starts like a JSON object or array (blanks aside), which the rewriter may read as one. */
function mayBeJsonText(value: string): boolean {
  const first = value.trimStart().charCodeAt(0);
  return first === 0x7b || first === 0x5b;
}
