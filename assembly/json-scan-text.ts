/**
 * The batch scan text of Latin-1 JSON text (functions/core/redaction/formats/json-scan-text.ts,
 * `jsonScanText`), written over the text's bytes in linear memory: the contents of strings and
 * number tokens stay, everything else becomes a line feed, and with `blanksKeys` an object key
 * (a string that `:` follows on its line, after spaces, tabs or carriage returns) becomes line
 * feeds whole. The contents of strings, most of a record's bytes, are skipped sixteen at a time
 * (SIMD) up to the next quote, backslash or control character (a line feed among them). Returns 1
 * when a string holds a raw control character other than a line feed, else 0: callers that find
 * string literals may then look for backslashes and line feeds only (see `PlainStrings`).
 *
 * Built by bin/build-kernels.js into functions/core/redaction/formats/json-scan-text-wasm.ts.
 */

const LF: u8 = 0x0a;
const CR: u8 = 0x0d;
const TAB: u8 = 0x09;
const SPACE: u8 = 0x20;
const QUOTE: u8 = 0x22;
const BACKSLASH: u8 = 0x5c;
const COLON: u8 = 0x3a;

/** Bytes one SIMD block holds. */
const BLOCK: i32 = 16;

/** A digit or `-`: starts a number token. */
function isNumberStart(byte: u8): bool {
  return <u32>(byte - 0x30) < 10 || byte === 0x2d;
}

/** `.`, `e`, `E` or `+`: continues a number token. */
function isNumberPart(byte: u8): bool {
  return byte === 0x2e || byte === 0x65 || byte === 0x45 || byte === 0x2b;
}

/** A quote, backslash or control character (a line feed among them): ends a string's plain run. */
function isStringSpecial(byte: u8): bool {
  return byte === QUOTE || byte === BACKSLASH || byte < SPACE;
}

/** True when `:` follows `from` in `text[0, length)` after spaces, tabs or carriage returns only. */
function isKeyEnd(text: usize, from: i32, length: i32): bool {
  for (let i = from; i < length; i++) {
    const byte = load<u8>(text + <usize>i);
    if (byte === COLON) return true;
    if (byte !== SPACE && byte !== TAB && byte !== CR) return false;
  }
  return false;
}

/**
 * The index of the first quote, backslash or control character in `text[from, length)`, or `length`.
 */
function nextStringSpecial(text: usize, from: i32, length: i32): i32 {
  const quotes = i8x16.splat(QUOTE);
  const backslashes = i8x16.splat(BACKSLASH);
  const spaces = i8x16.splat(SPACE);
  let i = from;
  while (length - i >= BLOCK) {
    const block = v128.load(text + <usize>i);
    const special = v128.or(
      v128.or(i8x16.eq(block, quotes), i8x16.eq(block, backslashes)),
      i8x16.lt_u(block, spaces),
    );
    const mask = i8x16.bitmask(special);
    if (mask !== 0) return i + ctz(mask);
    i += BLOCK;
  }
  while (i < length && !isStringSpecial(load<u8>(text + <usize>i))) i++;
  return i;
}

/** Rewrites `text[0, length)` (Latin-1 bytes) into its scan text, in place; 1 when a string holds a control character but a line feed. */
export function scanText(text: usize, length: i32, blanksKeys: i32): i32 {
  let controls = 0;
  let i = 0;
  while (i < length) {
    let byte = load<u8>(text + <usize>i);
    if (byte === QUOTE) {
      const open = i;
      store<u8>(text + <usize>i, LF);
      i++;
      for (;;) {
        i = nextStringSpecial(text, i, length);
        if (i >= length) break;
        byte = load<u8>(text + <usize>i);
        if (byte === BACKSLASH) {
          // An escape takes the next byte with it, unless that is a line feed (or past the end).
          i += i + 1 < length && load<u8>(text + <usize>(i + 1)) === LF ? 1 : 2;
        } else if (byte < SPACE && byte !== LF) {
          // Raw, which no JSON string may hold: the string goes on for the scan, and the caller is told.
          controls = 1;
          i++;
        } else break;
      }
      if (i < length && byte === QUOTE) {
        store<u8>(text + <usize>i, LF);
        i++;
        if (blanksKeys !== 0 && isKeyEnd(text, i, length)) {
          for (let key = open + 1; key < i - 1; key++) store<u8>(text + <usize>key, LF);
        }
      }
      continue;
    }
    if (isNumberStart(byte)) {
      i++;
      while (i < length) {
        const next = load<u8>(text + <usize>i);
        if (!isNumberStart(next) && !isNumberPart(next)) break;
        i++;
      }
      continue;
    }
    // Bytes beyond ASCII stay (invalid outside a string, and kept so that positions hold).
    if (byte < 0x80) store<u8>(text + <usize>i, LF);
    i++;
  }
  return controls;
}
