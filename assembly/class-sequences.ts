/**
 * The class-sequence prefilter (see functions/core/redaction/detectors/class-sequences.ts) over
 * one byte per character in linear memory, sixteen characters per step. Up to eight patterns are
 * sequences of character classes at fixed offsets (`[sS][eE][cC][rR]`, `[A-Z][A-Z][0-9][0-9]`);
 * each offset has its own pair of nibble tables giving, for a byte, one bit per pattern: whether
 * the byte is in that pattern's class at that offset. Looking the low and the high nibble of
 * sixteen bytes up (`i8x16.swizzle`) and ANDing both gives those bits for sixteen characters;
 * ANDing the bits of every offset, read at the characters that far on, leaves the patterns that
 * start at each of the sixteen.
 *
 * Built by bin/build-kernels.js into functions/core/redaction/detectors/class-sequences-wasm.ts.
 * `tables` holds per offset entry 32 bytes (the low-nibble table, then the high-nibble one);
 * `offsets` the entries' offsets (i32). The first three entries are read at every step, the
 * others only where those leave a pattern, so the caller puts the rarest classes first.
 */

/** The bits of `bytes` for one offset entry: the AND of the lookups of its low and high nibbles. */
function classify(bytes: v128, low: v128, high: v128, nibble: v128): v128 {
  const lows = v128.and(bytes, nibble);
  const highs = v128.and(i16x8.shr_u(bytes, 4), nibble);
  return v128.and(i8x16.swizzle(low, lows), i8x16.swizzle(high, highs));
}

/**
 * Records at `out` (from index `count`) the positions of the sixteen characters at `base`
 * (`position` in the text) where `bits`, what the first three entries leave, and the other
 * entries leave a pattern; returns the new count.
 */
function finish(
  bits: v128,
  base: usize,
  position: i32,
  length: i32,
  tables: usize,
  offsets: usize,
  entries: i32,
  out: usize,
  count: i32,
): i32 {
  const nibble = i8x16.splat(0x0f);
  let left = bits;
  for (let entry = 3; entry < entries; entry++) {
    const table = tables + ((<usize>entry) << 5);
    const at = <usize>load<i32>(offsets + ((<usize>entry) << 2));
    left = v128.and(left, classify(v128.load(base + at), v128.load(table), v128.load(table, 16), nibble));
    if (!v128.any_true(left)) return count;
  }
  let starts = i8x16.bitmask(i8x16.ne(left, i8x16.splat(0)));
  // Lanes past the end read bytes beyond the text.
  if (length - position < 16) starts &= (1 << (length - position)) - 1;
  let found = count;
  while (starts !== 0) {
    const lane = ctz(starts);
    starts &= starts - 1;
    const patterns = i8x16.extract_lane_u(i8x16.swizzle(left, i8x16.splat(<i8>lane)), 0);
    store<u32>(out + ((<usize>found) << 2), ((<u32>(position + lane)) << 8) | <u32>patterns);
    found++;
  }
  return found;
}

/**
 * Reads `text[0, length)` (bytes, readable up to the largest offset plus 16 past `length`) and
 * writes at `out`, in ascending order, one u32 per position where at least one pattern starts:
 * the position times 256 plus the bits of the patterns starting there. Returns how many.
 * `entries` (at least three) offset entries are at `tables` and `offsets`; `nibbles` holds
 * sixteen bytes 0x0F.
 */
export function scan(
  text: usize,
  length: i32,
  tables: usize,
  offsets: usize,
  entries: i32,
  nibbles: usize,
  out: usize,
): i32 {
  // Read, not a constant: V8 would make a constant vector again in every iteration.
  const nibble = v128.load(nibbles);
  const low0 = v128.load(tables);
  const high0 = v128.load(tables, 16);
  const low1 = v128.load(tables, 32);
  const high1 = v128.load(tables, 48);
  const low2 = v128.load(tables, 64);
  const high2 = v128.load(tables, 80);
  const at0 = <usize>load<i32>(offsets);
  const at1 = <usize>load<i32>(offsets, 4);
  const at2 = <usize>load<i32>(offsets, 8);
  let found = 0;
  for (let position = 0; position < length; position += 16) {
    const base = text + <usize>position;
    const bits = v128.and(
      v128.and(
        classify(v128.load(base + at0), low0, high0, nibble),
        classify(v128.load(base + at1), low1, high1, nibble),
      ),
      classify(v128.load(base + at2), low2, high2, nibble),
    );
    if (v128.any_true(bits))
      found = finish(bits, base, position, length, tables, offsets, entries, out, found);
  }
  return found;
}
