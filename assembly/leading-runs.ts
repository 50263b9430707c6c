/**
 * The leading-run search's kernel (see functions/core/redaction/detectors/leading-runs.ts): finds
 * the first run of at least `length` characters of a set in text in linear memory, UTF-16
 * ({@link find}, {@link runEnd}) or Latin-1, a byte a character ({@link find8}, {@link runEnd8}),
 * 64 characters at a time. Each character is classified with SIMD (16 at once: its code unit
 * narrowed to a byte, a Latin-1 one read as one, then two table lookups by nibble), the 64 answers packed as the bits of
 * one word (bit i for the i-th character), and runs are found in the word with shifts and ANDs,
 * the characters in the set at the end of one word carried into the next.
 *
 * Built by bin/build-kernels.js into functions/core/redaction/detectors/leading-runs-wasm.ts.
 * The set's table (32 bytes at `table`): for each low nibble, the bits of the high nibbles
 * (0 to 7) of the ASCII characters in the set; then 16 bytes of 0xff when every character above
 * U+007F is in the set, else 0. The text is followed by 64 readable characters of any value.
 */

/** The bit of each high nibble in a table row: ASCII has high nibbles 0 to 7, the rest none. */
const HIGH_NIBBLE_BITS = i8x16(1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0);

/**
 * Bit i set when character i of the 16 at `at` (a `T` each: u16 for UTF-16, u8 for Latin-1)
 * is in the set. A code unit above U+00FF is narrowed to 0xff, so every unit above U+007F
 * classifies as the set's characters above it do.
 */
function classify16<T>(at: usize, rows: v128, isAboveAsciiIn: v128): i32 {
  let bytes = v128.load(at);
  if (sizeof<T>() === 2) {
    const low = i16x8.min_u(bytes, i16x8.splat(0xff));
    const high = i16x8.min_u(v128.load(at, 16), i16x8.splat(0xff));
    bytes = i8x16.narrow_i16x8_u(low, high);
  }
  const row = i8x16.swizzle(rows, v128.and(bytes, i8x16.splat(0x0f)));
  const bit = i8x16.swizzle(HIGH_NIBBLE_BITS, i8x16.shr_u(bytes, 4));
  const isIn = v128.or(
    i8x16.ne(v128.and(row, bit), i8x16.splat(0)),
    v128.and(i8x16.lt_s(bytes, i8x16.splat(0)), isAboveAsciiIn),
  );
  return i8x16.bitmask(isIn);
}

/** Bit i set when character i of the 64 at `text` + `position` characters is in the set. */
function classify64<T>(text: usize, position: i32, rows: v128, isAboveAsciiIn: v128): u64 {
  const at = text + ((<usize>position) << alignof<T>());
  const first = <u64>classify16<T>(at, rows, isAboveAsciiIn);
  const second = <u64>classify16<T>(at + 16 * sizeof<T>(), rows, isAboveAsciiIn);
  const third = <u64>classify16<T>(at + 32 * sizeof<T>(), rows, isAboveAsciiIn);
  const fourth = <u64>classify16<T>(at + 48 * sizeof<T>(), rows, isAboveAsciiIn);
  return first | (second << 16) | (third << 32) | (fourth << 48);
}

/** Bit i set when bits i to i + `length` − 1 of `word` are all set (none when `length` > 64). */
function runStarts(word: u64, length: i32): u64 {
  if (length > 64) return 0;
  let starts = word;
  let covered = 1;
  while (covered << 1 <= length) {
    starts &= starts >> <u64>covered;
    covered <<= 1;
  }
  if (covered < length) starts &= starts >> <u64>(length - covered);
  return starts;
}

/**
 * The first position at or after `from` and before `end` (character indexes of `text`) where
 * `length` characters in the set start, or −1. When found, stores at `out` (i32) where the run
 * of the set's characters from there ends (at most `end`); else the number of the set's
 * characters in a row that end at `end`, counted from `from`, so that the caller can go on from
 * where they start in the text that follows.
 */
function findOf<T>(text: usize, from: i32, end: i32, length: i32, table: usize, out: usize): i32 {
  const rows = v128.load(table);
  const isAboveAsciiIn = v128.load(table, 16);
  let carried = 0;
  for (let at = from; at < end; at += 64) {
    let word = classify64<T>(text, at, rows, isAboveAsciiIn);
    const left = end - at;
    if (left < 64) word &= ((<u64>1) << (<u64>left)) - 1;
    const leading = <i32>ctz(~word);
    let start = -1;
    if (carried + leading >= length) start = at - carried;
    else {
      const starts = runStarts(word, length);
      if (starts !== 0) start = at + <i32>ctz(starts);
    }
    if (start >= 0) {
      store<i32>(out, endOfRun<T>(text, start + length, end, rows, isAboveAsciiIn));
      return start;
    }
    const counted = min(left, 64);
    // The set's characters in a row that end the word's `counted` characters.
    const trailing = <i32>clz(~(word << (<u64>(64 - counted))));
    carried = trailing >= counted ? carried + counted : trailing;
  }
  store<i32>(out, carried);
  return -1;
}

/** {@link findOf} over UTF-16 text: two bytes a character. */
export function find(text: usize, from: i32, end: i32, length: i32, table: usize, out: usize): i32 {
  return findOf<u16>(text, from, end, length, table, out);
}

/**
 * {@link findOf} over Latin-1 text, one byte a character: for text without a character above
 * U+00FF, the same answers as {@link find}, sixteen characters a load instead of eight.
 */
export function find8(text: usize, from: i32, end: i32, length: i32, table: usize, out: usize): i32 {
  return findOf<u8>(text, from, end, length, table, out);
}

/**
 * Where the run of the set's characters that goes on at `position` ends: the first position
 * from there, before `end`, of a character not in the set, else `end`.
 */
export function runEnd(text: usize, position: i32, end: i32, table: usize): i32 {
  return endOfRun<u16>(text, position, end, v128.load(table), v128.load(table, 16));
}

/** {@link runEnd} over Latin-1 text, one byte a character. */
export function runEnd8(text: usize, position: i32, end: i32, table: usize): i32 {
  return endOfRun<u8>(text, position, end, v128.load(table), v128.load(table, 16));
}

function endOfRun<T>(text: usize, position: i32, end: i32, rows: v128, isAboveAsciiIn: v128): i32 {
  let at = position;
  while (at < end) {
    const inSet = <i32>ctz(~classify64<T>(text, at, rows, isAboveAsciiIn));
    at += inSet;
    if (inSet < 64) break;
  }
  return min(at, end);
}
