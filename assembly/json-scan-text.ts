/**
 * The batch scan text of Latin-1 JSON text (functions/core/redaction/formats/json-scan-text.ts,
 * `jsonScanText`), written over the text's bytes in linear memory: the contents of strings and
 * number tokens stay, everything else becomes a line feed, and with `blanksKeys` an object key
 * (a string that `:` follows on its line, after spaces, tabs or carriage returns) becomes line
 * feeds whole; each run of line feeds is written as one, the bytes after it moved back, and a
 * map of positions says where they came from. The contents of strings, most of a record's bytes,
 * are read and moved sixteen at a time (SIMD) up to the next quote, backslash or control
 * character (a line feed among them); with `blanksKeys` a string's end is found before its bytes
 * move, and a plain key's (about half the strings of records) then never move. Besides, it writes
 * where each string starts and ends, and whether it is plain (see `scanText`), so that callers
 * find the plain strings' ends without reading them again (see `PlainStrings`).
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

/** The index of each lane of a block. */
const LANES = i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

/** Bytes of a string's entry (see `scanText`): two i32 and a block. */
const STRING_BYTES: usize = 24;

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

/**
 * The index of the `:` that follows `from` in `text[0, length)` after spaces, tabs or carriage
 * returns only, or -1: the string ending before `from` is then a key, and the scan goes on after
 * the `:` (those bytes would each write a line feed where the key's closing quote wrote one).
 */
function keyColon(text: usize, from: i32, length: i32): i32 {
  for (let i = from; i < length; i++) {
    const byte = load<u8>(text + <usize>i);
    if (byte === COLON) return i;
    if (byte !== SPACE && byte !== TAB && byte !== CR) return -1;
  }
  return -1;
}

/**
 * Keeps `text[from, …)` up to the first quote, backslash or control character (or `length`), and
 * returns its index: the bytes move to where the next byte goes, sixteen at a time once they are
 * that far behind (a block stored there then overwrites only bytes already read).
 */
function keepToSpecial(text: usize, from: i32, length: i32): i32 {
  note(from);
  const behind = shift;
  const quotes = i8x16.splat(QUOTE);
  const backslashes = i8x16.splat(BACKSLASH);
  const spaces = i8x16.splat(SPACE);
  const isStoringBlocks = behind >= BLOCK;
  let i = from;
  let end = -1;
  while (length - i >= BLOCK) {
    const block = v128.load(text + <usize>i);
    const special = v128.or(
      v128.or(i8x16.eq(block, quotes), i8x16.eq(block, backslashes)),
      i8x16.lt_u(block, spaces),
    );
    if (isStoringBlocks) v128.store(text + <usize>(i - behind), block);
    const mask = i8x16.bitmask(special);
    if (mask !== 0) {
      end = i + ctz(mask);
      break;
    }
    i += BLOCK;
  }
  // Bytes the blocks did not move: all of them when less than a block behind, else those of the tail.
  let at = isStoringBlocks ? i : from;
  if (end < 0) {
    while (i < length && !isStringSpecial(load<u8>(text + <usize>i))) i++;
    end = i;
  } else if (isStoringBlocks) at = end;
  if (behind > 0) {
    for (; at < end; at++) store<u8>(text + <usize>(at - behind), load<u8>(text + <usize>at));
  }
  if (end > from) {
    written += end - from;
    isBreak = false;
  }
  return end;
}

/**
 * The index of the first quote, backslash or control character of `text[from, length)`, or
 * `length`, read sixteen bytes at a time without moving any (see {@link keepToSpecial}).
 */
function specialFrom(text: usize, from: i32, length: i32): i32 {
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

/**
 * Keeps `text[from, end)`, a run without quote, backslash or control character, where the next
 * byte goes: sixteen bytes at a time once they are that far behind (each block stored there
 * overwrites only bytes already read), else one at a time.
 */
function keepRun(text: usize, from: i32, end: i32): void {
  note(from);
  if (end <= from) return;
  const behind = shift;
  let at = from;
  if (behind >= BLOCK) {
    for (; at < end; at += BLOCK) v128.store(text + <usize>(at - behind), v128.load(text + <usize>at));
  } else if (behind > 0) {
    for (; at < end; at++) store<u8>(text + <usize>(at - behind), load<u8>(text + <usize>at));
  }
  written += end - from;
  isBreak = false;
}

// The state of one `scanText`: where the next byte goes, whether the last byte written is a line
// feed, and the map of positions (see `scanText`) with its entries and the shift of the last one.
let written: i32 = 0;
let isBreak: bool = false;
let map: usize = 0;
let entries: i32 = 0;
let shift: i32 = 0;
let strings: usize = 0;
let stringCount: i32 = 0;

/** Writes a line feed for the byte read now, unless the last byte written is one. */
function writeBreak(text: usize): void {
  if (isBreak) return;
  store<u8>(text + <usize>written, LF);
  written++;
  isBreak = true;
}

/** Notes in the map that the byte read at `from` goes where the next byte goes, when that shift is new. */
function note(from: i32): void {
  if (from - written === shift) return;
  shift = from - written;
  // A pair at the same position as the last one replaces it (nothing was kept in between).
  if (entries > 0 && load<i32>(map + ((<usize>(entries - 1)) << 3)) === written) entries--;
  store<i32>(map + ((<usize>entries) << 3), written);
  store<i32>(map + ((<usize>entries) << 3) + 4, shift);
  entries++;
}

/** Keeps `text[from, to)`, a few bytes, where the next byte goes. */
function keep(text: usize, from: i32, to: i32): void {
  if (to <= from) return;
  note(from);
  if (shift !== 0) {
    for (let at = from; at < to; at++) store<u8>(text + <usize>(at - shift), load<u8>(text + <usize>at));
  }
  written += to - from;
  isBreak = false;
}

/**
 * Rewrites `text[0, length)` (Latin-1 bytes) into its scan text, in place, each run of line feeds
 * written as one; returns the scan text's length. From `map` on it writes the map of its
 * positions: pairs of i32, a position of the scan text and the shift to add to it and to the
 * positions after it (up to the next pair's) to get their positions in `text`; at most
 * `length / 2` pairs, each after a run of line feeds dropped (see {@link mapEntries}). From
 * `stringsStart` on it writes an entry of `STRING_BYTES` per string, in order (see
 * {@link stringEntries}): where its opening quote is and where its closing quote is when it
 * holds no backslash or control character, else the bitwise complement of where it ends (its
 * closing quote, the line feed that cuts it, or `length`), as i32; then, for a key (a string
 * that `:` follows on its line, after spaces, tabs or carriage returns), its first sixteen bytes
 * as written, those past its end zero (other strings' are left as they were); at most
 * `length / 2` entries.
 */
export function scanText(
  text: usize,
  length: i32,
  blanksKeys: i32,
  mapStart: usize,
  stringsStart: usize,
): i32 {
  written = 0;
  isBreak = false;
  map = mapStart;
  entries = 0;
  shift = 0;
  strings = stringsStart;
  stringCount = 0;
  let i = 0;
  while (i < length) {
    let byte = load<u8>(text + <usize>i);
    if (byte === QUOTE) {
      writeBreak(text);
      // A key blanked goes back to here, the line feed of its opening quote.
      const keyWritten = written;
      const keyEntries = entries;
      const keyShift = shift;
      const open = i;
      // Read before the string's bytes move: those after it are masked off once its end is known.
      const head = v128.load(text + <usize>(i + 1));
      // The run kept with a key's check needs no second reading. keepToSpecial is called from
      // one place: Binaryen then inlines it, and the path without blanksKeys keeps its speed.
      let isRunKept = false;
      if (blanksKeys !== 0) {
        // Keys, most strings of records, are found before their bytes would move, and blanked.
        const run = specialFrom(text, i + 1, length);
        const isQuoted = run < length && load<u8>(text + <usize>run) === QUOTE;
        const colon = isQuoted ? keyColon(text, run + 1, length) : -1;
        if (colon >= 0) {
          const entry = strings + <usize>stringCount * STRING_BYTES;
          store<i32>(entry, open);
          store<i32>(entry + 4, run);
          const inHead = i8x16.lt_u(LANES, i8x16.splat(<i8>min(run - open - 1, BLOCK)));
          v128.store(entry + 8, v128.and(head, inHead));
          stringCount++;
          i = colon + 1;
          continue;
        }
        keepRun(text, i + 1, run);
        if (isQuoted) {
          // A plain value, most of the others: closed, with no second look for a `:`.
          const entry = strings + <usize>stringCount * STRING_BYTES;
          store<i32>(entry, open);
          store<i32>(entry + 4, run);
          stringCount++;
          i = run + 1;
          writeBreak(text);
          continue;
        }
        i = run;
        isRunKept = true;
      } else i++;
      let isPlain = true;
      for (;;) {
        if (!isRunKept) i = keepToSpecial(text, i, length);
        isRunKept = false;
        if (i >= length) break;
        byte = load<u8>(text + <usize>i);
        if (byte === BACKSLASH) {
          // An escape takes the next byte with it, unless that is a line feed (or past the end).
          const end = i + 1 < length && load<u8>(text + <usize>(i + 1)) === LF ? i + 1 : min(i + 2, length);
          keep(text, i, end);
          i = end;
          isPlain = false;
        } else if (byte < SPACE && byte !== LF) {
          // Raw, which no JSON string may hold: the string goes on for the scan, not plain.
          keep(text, i, i + 1);
          i++;
          isPlain = false;
        } else break;
      }
      const isClosed = i < length && byte === QUOTE;
      const entry = strings + <usize>stringCount * STRING_BYTES;
      store<i32>(entry, open);
      store<i32>(entry + 4, isClosed && isPlain ? i : ~i);
      stringCount++;
      if (isClosed) {
        const close = i;
        i++;
        const colon = keyColon(text, i, length);
        if (colon >= 0) {
          const inHead = i8x16.lt_u(LANES, i8x16.splat(<i8>min(close - open - 1, BLOCK)));
          v128.store(entry + 8, v128.and(head, inHead));
          if (blanksKeys !== 0) {
            written = keyWritten;
            entries = keyEntries;
            shift = keyShift;
            isBreak = true;
          }
          i = colon + 1;
        }
        writeBreak(text);
      }
      continue;
    }
    if (isNumberStart(byte)) {
      note(i);
      for (;;) {
        if (shift !== 0) store<u8>(text + <usize>(i - shift), byte);
        i++;
        if (i >= length) break;
        byte = load<u8>(text + <usize>i);
        if (!isNumberStart(byte) && !isNumberPart(byte)) break;
      }
      written = i - shift;
      isBreak = false;
      continue;
    }
    // Bytes beyond ASCII stay (invalid outside a string, and kept so that positions hold).
    if (byte < 0x80) writeBreak(text);
    else keep(text, i, i + 1);
    i++;
  }
  return written;
}

/** The pairs of the map the last {@link scanText} wrote. */
export function mapEntries(): i32 {
  return entries;
}

/** The entries of strings the last {@link scanText} wrote. */
export function stringEntries(): i32 {
  return stringCount;
}
