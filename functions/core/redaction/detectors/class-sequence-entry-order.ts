import type { CharSet } from '../regex-char-sets.ts';

/**
 * Text of the kinds the engine reads (a log line, CSV rows, JSON, a token), on which the kernel's
 * offsets are weighed to pick those it reads at every step (see {@link entryOrder}).
 */
const typicalText =
  '2024-03-01T12:00:00.123Z INFO [worker-3] user=alice id=4521 GET /api/v1/orders?page=2 200 0.031s ' +
  'request_id=3f2c9a1e-7b4d-4e8a-9c21-0d5e6f7a8b9c token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0\n' +
  'id,created_at,name,email,city,sku,amount\n' +
  '17,2024-03-28T08:33:35.680Z,John Smith,john.smith@example.com,Boston,SKU-YSX-89108,120.50\n' +
  '{"id": 17, "name": "Jane Doe", "note": "the quick brown fox jumps over the lazy dog"}\n';

/**
 * The table indexes of a class in the {@link ClassSequences} kernel: the low and the high nibbles
 * of its characters; all for none or any above U+007F.
 */
export function nibbles(charSet: CharSet | undefined): { lows: number[]; highs: number[] } {
  const all = [...Array(16).keys()];
  // Above U+007F the byte copied may be any (the low byte of a code unit above U+00FF).
  if (charSet === undefined || charSet.has(128)) return { lows: all, highs: all };
  // Read from the set's words, sixteen characters (one high nibble) at a time.
  const words = charSet.toJSON();
  let lowBits = 0;
  const highs: number[] = [];
  for (let high = 0; high < 8; high++) {
    const characters = ((words[high >>> 1] ?? 0) >>> ((high & 1) * 16)) & 0xffff;
    if (characters === 0) continue;
    highs.push(high);
    lowBits |= characters;
  }
  return { lows: all.filter((low) => ((lowBits >>> low) & 1) === 1), highs };
}

/** The character codes of {@link typicalText} (all ASCII), and NUL for each position past it. */
let typicalCodes: Uint8Array | undefined;

/**
 * The offsets `0..length-1` of `patterns` (at most eight) in the order the class sequences kernel
 * reads them: each in turn the one at which, with those before it, the fewest starts in
 * {@link typicalText} let a pattern through (classes in a row are not independent: capitals come
 * in runs, digits too; a tie goes to the lower offset). Only the first few are read at every
 * step; the order of the others matters little.
 *
 * Worked out with a byte of pattern bits per character code and offset, and counted over the
 * starts some pattern still passes only: on arrays of numbers, with a copy per offset tried and
 * every start counted each time, it was ~8 ms of the CPU of `serve`'s first request (the code
 * still cold, ~150,000 steps for sixteen offsets), for the same order.
 */
export function entryOrder(patterns: readonly (readonly CharSet[])[], length: number): number[] {
  const count = typicalText.length;
  if (typicalCodes === undefined) {
    // Past the text: NUL, as charCodeAt's NaN reads in nibbles.
    typicalCodes = new Uint8Array(count + 16);
    for (let start = 0; start < count; start++) typicalCodes[start] = typicalText.charCodeAt(start);
  }
  const codes = typicalCodes;
  // Per offset and start: the patterns (bits) whose class at that offset holds the character there.
  const passing = Array.from({ length }, (_, offset) => {
    const bitsByCode = new Uint8Array(128);
    patterns.forEach((pattern, bit) => {
      const { lows, highs } = nibbles(pattern[offset]);
      for (const high of highs) {
        if (high > 7) continue;
        for (const low of lows)
          bitsByCode[high * 16 + low] = (bitsByCode[high * 16 + low] as number) | (1 << bit);
      }
    });
    const row = new Uint8Array(count);
    for (let start = 0; start < count; start++) {
      const index = start + offset;
      row[start] = bitsByCode[index < codes.length ? (codes[index] as number) : 0] as number;
    }
    return row;
  });
  const order: number[] = [];
  const isChosen = new Uint8Array(length);
  const left = new Uint8Array(count).fill(0xff);
  // The starts some pattern still passes: the others count for no offset.
  const alive = Int32Array.from({ length: count }, (_, start) => start);
  let aliveCount = count;
  while (order.length < length) {
    let best = -1;
    let bestCount = Number.POSITIVE_INFINITY;
    for (let offset = 0; offset < length; offset++) {
      if (isChosen[offset] === 1) continue;
      const row = passing[offset] as Uint8Array;
      let through = 0;
      for (let index = 0; index < aliveCount; index++) {
        const start = alive[index] as number;
        if (((left[start] as number) & (row[start] as number)) !== 0) through++;
      }
      if (through < bestCount) {
        best = offset;
        bestCount = through;
      }
    }
    order.push(best);
    isChosen[best] = 1;
    const row = passing[best] as Uint8Array;
    let kept = 0;
    for (let index = 0; index < aliveCount; index++) {
      const start = alive[index] as number;
      const bits = (left[start] as number) & (row[start] as number);
      left[start] = bits;
      if (bits !== 0) alive[kept++] = start;
    }
    aliveCount = kept;
  }
  return order;
}
