/**
 * The positions where one of the digit shapes (functions/core/redaction/detectors/digit-shapes.ts:
 * the NANP core, the SSN, the compact SSN, the card and the IPv4 core) can start, in UTF-16 text
 * in linear memory. A first pass sorts each character into three classes (digit, dot, `[ .-]`),
 * sixteen at a time (SIMD), as one bit per character and class; a second reads each class as a
 * 64-bit word and tests every shape at 40 positions at once, shifting the words by the offsets
 * at which the shape needs each class. The shapes' fixed parts, look-behinds and look-aheads are
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
 * Sorts `text[0, length)` into the class bit arrays at `bits`, 64 characters at a time (a
 * character above U+00FF is in none, as in the shapes). Reads up to 63 characters past `length`.
 */
function classify(text: usize, length: i32, bits: usize, stride: usize): void {
  // Digits shifted to the least signed bytes (`'0'` to -128), so that one signed comparison
  // tests their range: WebAssembly SIMD has no unsigned one that compiles to one instruction.
  const toZero = i8x16.splat(<i8>(128 - 48));
  const pastNine = i8x16.splat(<i8>(-128 + 10));
  const space = i8x16.splat(32);
  const dot = i8x16.splat(46);
  const dash = i8x16.splat(45);
  for (let c: usize = 0; c < CLASSES; c++) store<u64>(bits + c * stride, 0);
  const words = (length + 63) >> 6;
  // The bits of the last word past `length`: characters left there from an earlier text.
  const lastKeep: u64 = (length & 63) === 0 ? <u64>-1 : ((<u64>1) << (<u64>(length & 63))) - 1;
  for (let w = 0; w < words; w++) {
    let digit: u64 = 0;
    let isDot: u64 = 0;
    let separator: u64 = 0;
    for (let g = 0; g < 4; g++) {
      const at = text + ((<usize>((w << 2) + g)) << 5);
      // Saturating: a unit above U+00FF becomes 0xFF and one above U+7FFF (negative as i16) 0,
      // both outside every class.
      const units = i8x16.narrow_i16x8_u(v128.load(at), v128.load(at, 16));
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
 * Where the shapes start in a window of 64 characters (bit `j` the one at `j`), for its bits 8
 * to 47: each shape's classes ANDed at the offsets where it needs them.
 */
function starts(digit: u64, dot: u64, separator: u64): u64 {
  // Runs of digits: `runK` at `j` when the K characters from `j` are digits.
  const run2 = digit & (digit >> 1);
  const run3 = run2 & (digit >> 2);
  const run4 = run2 & (run2 >> 2);
  const run6 = run4 & (run2 >> 4);
  const run8 = run4 & (run4 >> 4);
  const run9 = run8 & (digit >> 8);
  const notAfterDigit = ~(digit << 1);
  const notDigit9 = ~(digit >> 9);
  // [ .)-][2-9][0-9][0-9][ .-][0-9][0-9][0-9][0-9](?![0-9])
  const nanpCore = ~digit & (run3 >> 1) & (separator >> 4) & (run4 >> 5) & notDigit9;
  // [0-9][0-9][0-9][ -][0-9][0-9][ -][0-9][0-9][0-9][0-9]
  const ssn = run3 & (separator >> 3) & (run2 >> 4) & (separator >> 6) & (run4 >> 7);
  // [0-8](?<![0-9][0-8])[0-9]{8}(?![0-9])
  const compactSsn = notAfterDigit & run9 & notDigit9;
  // [2-6](?<![0-9][2-6])[0-9]{3}(?:[0-9]{9}|[ .-][0-9]{4}[ .-][0-9]{4}[ .-][0-9]|[ .-][0-9]{6}[ .-][0-9]{4})
  const grouped = (run4 >> 5) & (separator >> 9) & (run4 >> 10) & (separator >> 14) & (digit >> 15);
  const amex = (run6 >> 5) & (separator >> 11) & (run4 >> 12);
  const card = notAfterDigit & run4 & ((run9 >> 4) | ((separator >> 4) & (grouped | amex)));
  // [0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]: `octetK` at `j` when K digits and a dot start there.
  const octet1 = digit & (dot >> 1);
  const octet2 = run2 & (dot >> 2);
  const octet3 = run3 & (dot >> 3);
  const lastOctets = (octet1 & (digit >> 2)) | (octet2 & (digit >> 3)) | (octet3 & (digit >> 4));
  const middleOctets =
    (octet1 & (lastOctets >> 2)) | (octet2 & (lastOctets >> 3)) | (octet3 & (lastOctets >> 4));
  const ipv4Core = octet1 & (middleOctets >> 2);
  return nanpCore | ssn | compactSsn | card | ipv4Core;
}

/**
 * Reads `text[0, length)` (UTF-16) and writes at `out`, as 32-bit integers in ascending order,
 * the positions in `[first, end)` where a shape can start, the characters before 0 and from
 * `length` on taken as none of theirs; returns how many. `bits` has room for 3 class arrays of
 * `8 + 8 × ⌈length / 64⌉ + 16` bytes; `text` may be read up to 63 characters past `length`.
 */
export function scan(text: usize, length: i32, first: i32, end: i32, bits: usize, out: usize): i32 {
  const stride = classBytes(length);
  classify(text, length, bits, stride);
  let count = 0;
  // Windows start at a whole byte of the bit arrays: 8 positions before `at`, 56 from it.
  for (let at = first & ~7; at < end; at += WINDOW_POSITIONS) {
    const word = bits + 7 + (<usize>at >> 3);
    const digit = load<u64>(word + DIGIT * stride);
    // Every shape holds four digits or more: prose has windows with fewer.
    if (popcnt(digit) < 4) continue;
    let found = starts(digit, load<u64>(word + DOT * stride), load<u64>(word + SEPARATOR * stride));
    found &= 0xffffffffff00;
    while (found !== 0) {
      const position = at - 8 + <i32>ctz(found);
      found &= found - 1;
      if (position >= end) break;
      if (position < first) continue;
      store<i32>(out + ((<usize>count) << 2), position);
      count++;
    }
  }
  return count;
}
