/**
 * How the start of a JSON object or array is laid out: `document` when its first value spans
 * lines (pretty-printed JSON), `lines` when a second value follows on a later line (NDJSON),
 * `undecided` when the first value is on one line and nothing follows it in the bytes seen.
 */
export type JsonLayout = 'document' | 'lines' | 'undecided';

const State = {
  /** A value must come (after `[`, `:` or `,` in an array). */
  Value: 0,
  /** A value or `]` (just after `[`). */
  ValueOrEnd: 1,
  /** A key must come (after `,` in an object). */
  Key: 2,
  /** A key or `}` (just after `{`). */
  KeyOrEnd: 3,
  Colon: 4,
  /** `,` or the end of the open container. */
  CommaOrEnd: 5,
  /** Between top-level values. */
  Top: 6,
} as const;
type State = (typeof State)[keyof typeof State];

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** A number cut off by the end of the bytes seen: every prefix of a valid number. */
const NUMBER_PREFIX = /^-?(?:(?:0|[1-9]\d*)(?:\.\d*)?(?:[eE][+-]?\d*)?)?$/;
const LITERALS = ['true', 'false', 'null'];
const ESCAPES = new Set([...'"\\/bfnrtu'].map((character) => character.charCodeAt(0)));

/**
 * The layout of `head` (the first bytes of an object) when it is the start of JSON text whose
 * first value is an object or array, that is, when the bytes seen are a valid prefix of one
 * JSON value or of newline-separated JSON values; `undefined` otherwise. Log lines such as
 * `[2024-01-02 10:00] INFO` or `{a} b` are not JSON and give `undefined`; so does a head that
 * starts with a byte order mark, which the JSON redactors refuse.
 *
 * @example
 * sniffJsonLayout(utf8('{"a":1}\n{"a":2}\n')) // 'lines'
 * sniffJsonLayout(utf8('{\n  "a": 1\n}')) // 'document'
 * sniffJsonLayout(utf8('[2024-01-02] boot')) // undefined
 */
export function sniffJsonLayout(head: Uint8Array): JsonLayout | undefined {
  const length = head.length;
  let i = skipSpace(head, 0);
  if (head[i] !== OPEN_OBJECT && head[i] !== OPEN_ARRAY) return undefined;
  const open: number[] = [];
  let state: State = State.Value;
  let isFirstDone = false;
  let isSecondStarted = false;
  let isFirstMultiline = false;
  let hasBreakSinceValue = false;

  while (i < length) {
    const byte = head[i] as number;
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) {
      const isBreak = byte === 0x0a || byte === 0x0d;
      if (isBreak && !isFirstDone) isFirstMultiline = true;
      if (isBreak && state === State.Top) hasBreakSinceValue = true;
      i++;
      continue;
    }
    if (state === State.Top) {
      if (!hasBreakSinceValue) return undefined;
      isSecondStarted = true;
      state = State.Value;
    }
    const container = open[open.length - 1];
    if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      const isAllowed =
        byte === CLOSE_OBJECT
          ? container === OPEN_OBJECT && (state === State.KeyOrEnd || state === State.CommaOrEnd)
          : container === OPEN_ARRAY && (state === State.ValueOrEnd || state === State.CommaOrEnd);
      if (!isAllowed) return undefined;
      open.pop();
      i++;
      state = afterValue();
      continue;
    }
    if (byte === 0x2c) {
      if (state !== State.CommaOrEnd) return undefined;
      state = container === OPEN_OBJECT ? State.Key : State.Value;
      i++;
      continue;
    }
    if (byte === 0x3a) {
      if (state !== State.Colon) return undefined;
      state = State.Value;
      i++;
      continue;
    }
    const isKeyExpected = state === State.Key || state === State.KeyOrEnd;
    if (isKeyExpected && byte !== QUOTE) return undefined;
    if (!isKeyExpected && state !== State.Value && state !== State.ValueOrEnd) return undefined;
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      open.push(byte);
      state = byte === OPEN_OBJECT ? State.KeyOrEnd : State.ValueOrEnd;
      i++;
      continue;
    }
    const end = byte === QUOTE ? stringEnd(head, i) : wordEnd(head, i);
    if (end === undefined) return undefined;
    if (end === length) break;
    if (byte !== QUOTE && !isScalar(head, i, end, false)) return undefined;
    i = end;
    state = isKeyExpected ? State.Colon : afterValue();
  }
  // The bytes seen end here, possibly inside a token: it only has to be a valid start of one.
  if (i < length && head[i] !== QUOTE && !isScalar(head, i, length, true)) return undefined;
  if (isSecondStarted) return isFirstMultiline ? undefined : 'lines';
  return isFirstMultiline ? 'document' : 'undecided';

  function afterValue(): State {
    if (open.length > 0) return State.CommaOrEnd;
    isFirstDone = true;
    hasBreakSinceValue = false;
    return State.Top;
  }
}

function skipSpace(bytes: Uint8Array, from: number): number {
  let i = from;
  while (
    i < bytes.length &&
    (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)
  )
    i++;
  return i;
}

/** Index after the closing quote of the string at `start`, the length when cut off, `undefined` when invalid. */
function stringEnd(bytes: Uint8Array, start: number): number | undefined {
  let i = start + 1;
  while (i < bytes.length) {
    const byte = bytes[i] as number;
    if (byte === QUOTE) return i + 1;
    if (byte < 0x20) return undefined;
    if (byte === BACKSLASH) {
      const escaped = bytes[i + 1];
      if (escaped !== undefined && !ESCAPES.has(escaped)) return undefined;
      i += 2;
    } else i++;
  }
  return bytes.length;
}

/** Index after the number or literal at `start` (a run of `[-+.0-9a-zA-Z]`). */
function wordEnd(bytes: Uint8Array, start: number): number {
  let i = start;
  while (i < bytes.length && isWordByte(bytes[i] as number)) i++;
  return i;
}

function isWordByte(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    byte === 0x2d ||
    byte === 0x2b ||
    byte === 0x2e
  );
}

/** True when `bytes[start, end)` is a number or literal, or with `isCut` the start of one. */
function isScalar(bytes: Uint8Array, start: number, end: number, isCut: boolean): boolean {
  const word = String.fromCharCode(...bytes.subarray(start, end));
  if (isCut) return NUMBER_PREFIX.test(word) || LITERALS.some((literal) => literal.startsWith(word));
  return NUMBER.test(word) || LITERALS.includes(word);
}
