import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  entryOrder,
  nibbles,
} from '../../../functions/core/redaction/detectors/class-sequence-entry-order.ts';
import { CharSet } from '../../../functions/core/redaction/regex-char-sets.ts';

/** The text the order is weighed on (class-sequence-entry-order.ts, typicalText). */
const typicalText =
  '2024-03-01T12:00:00.123Z INFO [worker-3] user=alice id=4521 GET /api/v1/orders?page=2 200 0.031s ' +
  'request_id=3f2c9a1e-7b4d-4e8a-9c21-0d5e6f7a8b9c token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0\n' +
  'id,created_at,name,email,city,sku,amount\n' +
  '17,2024-03-28T08:33:35.680Z,John Smith,john.smith@example.com,Boston,SKU-YSX-89108,120.50\n' +
  '{"id": 17, "name": "Jane Doe", "note": "the quick brown fox jumps over the lazy dog"}\n';

/** Reference model: the order as the kernel's first version worked it out, on arrays of numbers. */
function referenceEntryOrder(patterns: readonly (readonly CharSet[])[], length: number): number[] {
  const starts = [...Array(typicalText.length).keys()];
  const passing = [...Array(length).keys()].map((offset) => {
    const tables = patterns.map((pattern) => nibbles(pattern[offset]));
    return starts.map((start) => {
      const code = typicalText.charCodeAt(start + offset);
      let bits = 0;
      tables.forEach(({ lows, highs }, bit) => {
        if (lows.includes(code & 15) && highs.includes(code >>> 4)) bits |= 1 << bit;
      });
      return bits;
    });
  });
  const order: number[] = [];
  let left = starts.map(() => 0xff);
  while (order.length < length) {
    let best = -1;
    let bestLeft = left;
    let bestCount = Number.POSITIVE_INFINITY;
    for (let offset = 0; offset < length; offset++) {
      if (order.includes(offset)) continue;
      const after = left.map((bits, start) => bits & ((passing[offset] as number[])[start] as number));
      const count = after.filter((bits) => bits !== 0).length;
      if (count < bestCount) {
        best = offset;
        bestLeft = after;
        bestCount = count;
      }
    }
    order.push(best);
    left = bestLeft;
  }
  return order;
}

/** A class of the characters of `chars` (`é` stands for every character above U+007F). */
function classOf(chars: string): CharSet {
  const set = CharSet.empty();
  for (const char of chars) set.add(char.charCodeAt(0));
  return set;
}

const pool = [
  'sS',
  'eE',
  'cC',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  'abcdefghijklmnopqrstuvwxyz',
  '0123456789',
  ' _-',
  ':=',
  '.',
  '"',
  '\n',
  '{}[]',
  'a',
  'S@_[',
  'sé',
  '',
].map(classOf);

/** A class from the pool, or one of random ASCII characters. */
const charSet = fc.oneof(
  fc.constantFrom(...pool),
  fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((code) => String.fromCharCode(code)) }).map(classOf),
);

describe('entryOrder (the class sequences kernel reads offsets in this order)', () => {
  it('gives the order of the reference model for any patterns of up to 16 classes, at the longest length', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(charSet, { minLength: 1, maxLength: 16 }), { minLength: 1, maxLength: 8 }),
        (patterns) => {
          const length = Math.max(...patterns.map((pattern) => pattern.length));
          const order = entryOrder(patterns, length);
          expect(order).toEqual(referenceEntryOrder(patterns, length));
          expect([...order].sort((a, b) => a - b)).toEqual([...Array(length).keys()]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('puts the offset whose class the text holds least first: a digit after letters it rarely follows', () => {
    const patterns = [[classOf('abcdefghijklmnopqrstuvwxyz'), classOf('{'), classOf('0123456789')]];
    expect(entryOrder(patterns, 3)[0]).toBe(1);
  });
});

describe('nibbles (the table indexes of a class in the class sequences kernel)', () => {
  it('are the low and the high nibbles of its ASCII characters, or all for none or any above U+007F (property)', () => {
    fc.assert(
      fc.property(charSet, (set) => {
        const lows = new Set<number>();
        const highs = new Set<number>();
        for (let code = 0; code < 128; code++) {
          if (set.has(code)) {
            lows.add(code & 15);
            highs.add(code >>> 4);
          }
        }
        const { lows: gotLows, highs: gotHighs } = nibbles(set);
        const all = [...Array(16).keys()];
        expect([...gotLows].sort((a, b) => a - b)).toEqual(
          set.has(128) ? all : [...lows].sort((a, b) => a - b),
        );
        expect([...gotHighs].sort((a, b) => a - b)).toEqual(
          set.has(128) ? all : [...highs].sort((a, b) => a - b),
        );
      }),
      { numRuns: 500 },
    );
    expect(nibbles(undefined)).toEqual({ lows: [...Array(16).keys()], highs: [...Array(16).keys()] });
  });
});
