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
  const lows = new Set<number>();
  const highs = new Set<number>();
  for (let code = 0; code < 128; code++) {
    if (charSet.has(code)) {
      lows.add(code & 15);
      highs.add(code >>> 4);
    }
  }
  return { lows: [...lows], highs: [...highs] };
}

/**
 * The offsets `0..length-1` of `patterns` (at most eight) in the order the class sequences kernel
 * reads them: each in turn the one at which, with those before it, the fewest starts in
 * {@link typicalText} let a pattern through (classes in a row are not independent: capitals come
 * in runs, digits too; a tie goes to the lower offset). Only the first few are read at every
 * step; the order of the others matters little.
 *
 * Worked out with a byte of pattern bits per start and offset and counts in place: on arrays of
 * numbers, with a copy per offset tried, it was ~8 ms of the CPU of `serve`'s first request
 * (the code still cold), for the same order.
 */
export function entryOrder(patterns: readonly (readonly CharSet[])[], length: number): number[] {
  const count = typicalText.length;
  // Per offset and start: the patterns (bits) whose class at that offset holds the character there.
  const passing = Array.from({ length }, (_, offset) => {
    const masks = patterns.map((pattern) => {
      const { lows, highs } = nibbles(pattern[offset]);
      return {
        lows: lows.reduce((mask, low) => mask | (1 << low), 0),
        highs: highs.reduce((mask, high) => mask | (1 << high), 0),
      };
    });
    const row = new Uint8Array(count);
    for (let start = 0; start < count; start++) {
      // Past the text: NUL, as charCodeAt's NaN reads in nibbles.
      const code = start + offset < count ? typicalText.charCodeAt(start + offset) : 0;
      let bits = 0;
      for (let bit = 0; bit < masks.length; bit++) {
        const { lows, highs } = masks[bit] as { lows: number; highs: number };
        if (((lows >>> (code & 15)) & (highs >>> (code >>> 4)) & 1) !== 0) bits |= 1 << bit;
      }
      row[start] = bits;
    }
    return row;
  });
  const order: number[] = [];
  const isChosen = new Uint8Array(length);
  const left = new Uint8Array(count).fill(0xff);
  while (order.length < length) {
    let best = -1;
    let bestCount = Number.POSITIVE_INFINITY;
    for (let offset = 0; offset < length; offset++) {
      if (isChosen[offset] === 1) continue;
      const row = passing[offset] as Uint8Array;
      let through = 0;
      for (let start = 0; start < count; start++) {
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
    for (let start = 0; start < count; start++)
      left[start] = (left[start] as number) & (row[start] as number);
  }
  return order;
}
