/**
 * The positions where one of the digit shapes (functions/core/redaction/detectors/digit-shapes.ts:
 * the NANP core, the SSN, the compact SSN, the card and the IPv4 core) can start, in text in
 * linear memory, UTF-16 ({@link scan}) or Latin-1, a byte a character ({@link scan8}). A first
 * pass sorts each character into three classes (digit, dot, `[ .-]`), sixteen at a time
 * (SIMD), as one bit per character and class; a second reads each class as
 * 64-bit words, two windows in the two lanes of a vector, and tests every shape at 40 positions
 * of each at once, shifting the words by the offsets at which the shape needs each class. The shapes' fixed parts, look-behinds and look-aheads are
 * all tested, with simplifications that save the first pass a class each and add a few
 * positions (the callers confirm each with the shapes' regex): a first digit that is one of a
 * range (`[2-6]`, `[0-8]`, `[2-9]`) is taken as any digit, the SSN's separators `[ -]` as
 * `[ .-]`, the character before a NANP exchange `[ .)-]` as any but a digit. So a position is
 * reported wherever a shape matches; one followed by a dot only where the IPv4 core does (no
 * other shape has a dot second, and its test is exact).
 *
 * Built by bin/build-kernels.js into functions/core/redaction/detectors/digit-starts-wasm.ts.
 */

/** The classes, one bit array each, in this order at `bits`. */
const DIGIT: usize = 0;
const DOT: usize = 1;
/** `[ .-]` */
const SEPARATOR: usize = 2;
const CLASSES: usize = 3;

/** Positions tested per window: a window holds 8 before them and 16 after, as the card looks 15 ahead. */
const WINDOW_POSITIONS = 40;

/**
 * Bytes of each class's bit array for `length` characters: 8 before the first (zero, the
 * character before the text), one bit a character, 16 after the last (zero, past the text).
 */
function classBytes(length: i32): usize {
  return 8 + ((<usize>(length + 63) >> 6) << 3) + 16;
}

/**
 * The vectors {@link classify} compares with, sixteen bytes each from `constants` on (see
 * {@link scan}), in this order: read, not constants, as V8 makes a constant vector again at
 * every use in the loop.
 */
const TO_ZERO: usize = 0;
const PAST_NINE: usize = 16;
const SPACE: usize = 32;
const DOT_CHAR: usize = 48;
const DASH: usize = 64;

/**
 * Sorts `text[0, length)` (a `T` a character: u16 for UTF-16, u8 for Latin-1) into the class
 * bit arrays at `bits`, 64 characters at a time (a character above U+00FF is in none, as in the
 * shapes). Reads up to 63 characters past `length`.
 */
function classify<T>(text: usize, length: i32, bits: usize, stride: usize, constants: usize): void {
  // Digits shifted to the least signed bytes (`'0'` to -128), so that one signed comparison
  // tests their range: WebAssembly SIMD has no unsigned one that compiles to one instruction.
  const toZero = v128.load(constants + TO_ZERO);
  const pastNine = v128.load(constants + PAST_NINE);
  const space = v128.load(constants + SPACE);
  const dot = v128.load(constants + DOT_CHAR);
  const dash = v128.load(constants + DASH);
  for (let c: usize = 0; c < CLASSES; c++) store<u64>(bits + c * stride, 0);
  const words = (length + 63) >> 6;
  // The bits of the last word past `length`: characters left there from an earlier text.
  const lastKeep: u64 = (length & 63) === 0 ? <u64>-1 : ((<u64>1) << (<u64>(length & 63))) - 1;
  for (let w = 0; w < words; w++) {
    let digit: u64 = 0;
    let isDot: u64 = 0;
    let separator: u64 = 0;
    for (let g = 0; g < 4; g++) {
      const at = text + ((<usize>((w << 2) + g)) << (4 + alignof<T>()));
      // Saturating: a unit above U+00FF becomes 0xFF and one above U+7FFF (negative as i16) 0,
      // both outside every class. Latin-1 text is bytes already.
      const units =
        sizeof<T>() === 1 ? v128.load(at) : i8x16.narrow_i16x8_u(v128.load(at), v128.load(at, 16));
      const dots = i8x16.eq(units, dot);
      const separators = v128.or(v128.or(i8x16.eq(units, space), i8x16.eq(units, dash)), dots);
      const shift = <u64>(g << 4);
      digit |= (<u64>i8x16.bitmask(i8x16.lt_s(i8x16.add(units, toZero), pastNine))) << shift;
      isDot |= (<u64>i8x16.bitmask(dots)) << shift;
      separator |= (<u64>i8x16.bitmask(separators)) << shift;
    }
    const keep = w === words - 1 ? lastKeep : <u64>-1;
    const offset: usize = 8 + ((<usize>w) << 3);
    store<u64>(bits + DIGIT * stride + offset, digit & keep);
    store<u64>(bits + DOT * stride + offset, isDot & keep);
    store<u64>(bits + SEPARATOR * stride + offset, separator & keep);
  }
  // Zeros past the last word, read by the windows of the last positions.
  for (let c: usize = 0; c < CLASSES; c++) {
    const tail = bits + c * stride + 8 + ((<usize>words) << 3);
    store<u64>(tail, 0);
    store<u64>(tail, 0, 8);
  }
}

/**
 * Where the shapes start in two windows of 64 characters, one per 64-bit lane (bit `j` the
 * character at `j`), for their bits 8 to 47: each shape's classes ANDed at the offsets where it
 * needs them. Two windows at once: the scalar test of one, 60-odd operations on more values than
 * V8 has registers, was about as costly as sorting the characters into classes.
 */
function starts(digit: v128, dot: v128, separator: v128): v128 {
  // Runs of digits: `runK` at `j` when the K characters from `j` are digits.
  const run2 = v128.and(digit, i64x2.shr_u(digit, 1));
  const run3 = v128.and(run2, i64x2.shr_u(digit, 2));
  const run4 = v128.and(run2, i64x2.shr_u(run2, 2));
  const run6 = v128.and(run4, i64x2.shr_u(run2, 4));
  const run8 = v128.and(run4, i64x2.shr_u(run4, 4));
  const run9 = v128.and(run8, i64x2.shr_u(digit, 8));
  const afterDigit = i64x2.shl(digit, 1);
  const digit9 = i64x2.shr_u(digit, 9);
  // [ .)-][2-9][0-9][0-9][ .-][0-9][0-9][0-9][0-9](?![0-9])
  const nanpCore = v128.andnot(
    v128.and(
      v128.and(i64x2.shr_u(run3, 1), i64x2.shr_u(separator, 4)),
      v128.andnot(i64x2.shr_u(run4, 5), digit9),
    ),
    digit,
  );
  // [0-9][0-9][0-9][ -][0-9][0-9][ -][0-9][0-9][0-9][0-9]
  const ssn = v128.and(
    v128.and(
      v128.and(run3, i64x2.shr_u(separator, 3)),
      v128.and(i64x2.shr_u(run2, 4), i64x2.shr_u(separator, 6)),
    ),
    i64x2.shr_u(run4, 7),
  );
  // [0-8](?<![0-9][0-8])[0-9]{8}(?![0-9])
  const compactSsn = v128.andnot(v128.andnot(run9, afterDigit), digit9);
  // [2-6](?<![0-9][2-6])[0-9]{3}(?:[0-9]{9}|[ .-][0-9]{4}[ .-][0-9]{4}[ .-][0-9]|[ .-][0-9]{6}[ .-][0-9]{4})
  const grouped = v128.and(
    v128.and(
      v128.and(i64x2.shr_u(run4, 5), i64x2.shr_u(separator, 9)),
      v128.and(i64x2.shr_u(run4, 10), i64x2.shr_u(separator, 14)),
    ),
    i64x2.shr_u(digit, 15),
  );
  const amex = v128.and(v128.and(i64x2.shr_u(run6, 5), i64x2.shr_u(separator, 11)), i64x2.shr_u(run4, 12));
  const card = v128.and(
    v128.andnot(run4, afterDigit),
    v128.or(i64x2.shr_u(run9, 4), v128.and(i64x2.shr_u(separator, 4), v128.or(grouped, amex))),
  );
  // [0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]: `octetK` at `j` when K digits and a dot start there.
  const octet1 = v128.and(digit, i64x2.shr_u(dot, 1));
  const octet2 = v128.and(run2, i64x2.shr_u(dot, 2));
  const octet3 = v128.and(run3, i64x2.shr_u(dot, 3));
  const lastOctets = v128.or(
    v128.or(v128.and(octet1, i64x2.shr_u(digit, 2)), v128.and(octet2, i64x2.shr_u(digit, 3))),
    v128.and(octet3, i64x2.shr_u(digit, 4)),
  );
  const middleOctets = v128.or(
    v128.or(v128.and(octet1, i64x2.shr_u(lastOctets, 2)), v128.and(octet2, i64x2.shr_u(lastOctets, 3))),
    v128.and(octet3, i64x2.shr_u(lastOctets, 4)),
  );
  const ipv4Core = v128.and(octet1, i64x2.shr_u(middleOctets, 2));
  return v128.or(v128.or(v128.or(nanpCore, ssn), v128.or(compactSsn, card)), ipv4Core);
}

/** Writes at `out` (from index `count`) the positions of `found` (a window's starts from `at`) in `[first, end)`; returns the new count. */
function record(found: u64, at: i32, first: i32, end: i32, out: usize, count: i32): i32 {
  let left = found & 0xffffffffff00;
  let recorded = count;
  while (left !== 0) {
    const position = at - 8 + <i32>ctz(left);
    left &= left - 1;
    if (position >= end) break;
    if (position < first) continue;
    store<i32>(out + ((<usize>recorded) << 2), position);
    recorded++;
  }
  return recorded;
}

/**
 * Reads `text[0, length)` (a `T` a character: see {@link classify}) and writes at `out`, as 32-bit integers in ascending order,
 * the positions in `[first, end)` where a shape can start, the characters before 0 and from
 * `length` on taken as none of theirs; returns how many. `bits` has room for 3 class arrays of
 * `8 + 8 × ⌈length / 64⌉ + 16` bytes; `text` may be read up to 63 characters past `length`.
 * `constants` holds five vectors of sixteen bytes: 0x50 (128 − `'0'`), 0x8A (−128 + 10),
 * `' '`, `'.'` and `'-'`.
 */
function scanOf<T>(
  text: usize,
  length: i32,
  first: i32,
  end: i32,
  bits: usize,
  out: usize,
  constants: usize,
): i32 {
  const stride = classBytes(length);
  classify<T>(text, length, bits, stride, constants);
  let count = 0;
  // Windows start at a whole byte of the bit arrays: 8 positions before `at`, 56 from it; two
  // at a time, the second 40 positions (5 bytes) on. A second window past `end` reads no further
  // than the zeros after its array's last word.
  for (let at = first & ~7; at < end; at += 2 * WINDOW_POSITIONS) {
    const word = bits + 7 + (<usize>at >> 3);
    const digit0 = load<u64>(word + DIGIT * stride);
    const digit1 = load<u64>(word + DIGIT * stride, 5);
    // Every shape holds four digits or more: prose has windows with fewer.
    if (popcnt(digit0) < 4 && popcnt(digit1) < 4) continue;
    const found = starts(
      i64x2.replace_lane(i64x2.splat(digit0), 1, digit1),
      v128.load64_lane(word + DOT * stride + 5, v128.load64_zero(word + DOT * stride), 1),
      v128.load64_lane(word + SEPARATOR * stride + 5, v128.load64_zero(word + SEPARATOR * stride), 1),
    );
    count = record(i64x2.extract_lane(found, 0), at, first, end, out, count);
    count = record(i64x2.extract_lane(found, 1), at + WINDOW_POSITIONS, first, end, out, count);
  }
  return count;
}

/** {@link scanOf} over UTF-16 text: two bytes a character. */
export function scan(
  text: usize,
  length: i32,
  first: i32,
  end: i32,
  bits: usize,
  out: usize,
  constants: usize,
): i32 {
  return scanOf<u16>(text, length, first, end, bits, out, constants);
}

/**
 * {@link scanOf} over Latin-1 text, one byte a character: for text without a character above
 * U+00FF, the same positions as {@link scan}, sixteen characters a load instead of eight.
 */
export function scan8(
  text: usize,
  length: i32,
  first: i32,
  end: i32,
  bits: usize,
  out: usize,
  constants: usize,
): i32 {
  return scanOf<u8>(text, length, first, end, bits, out, constants);
}
