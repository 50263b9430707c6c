import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StartList } from '../../../functions/core/redaction/detectors/start-list.ts';

describe('start list', () => {
  it('keeps starts in order, each with its items once in the order first inserted, however they come (property)', () => {
    // Mostly ascending, as a search reports them, with steps back as far as a few positions.
    const inserts = fc.array(fc.tuple(fc.integer({ min: -3, max: 6 }), fc.integer({ min: 0, max: 3 })), {
      maxLength: 60,
    });
    fc.assert(
      fc.property(inserts, (steps) => {
        const list = new StartList();
        const expected = new Map<number, number[]>();
        let position = 10;
        for (const [step, item] of steps) {
          position = Math.max(0, position + step);
          list.insert(position, item);
          const items = expected.get(position) ?? [];
          if (!items.includes(item)) items.push(item);
          expected.set(position, items);
        }
        const starts = [...expected.keys()].sort((a, b) => a - b);
        expect(list.starts).toEqual(starts);
        expect(list.found).toEqual(starts.map((start) => expected.get(start)));
        for (let from = 0; from <= position + 2; from++) {
          const first = starts.findIndex((start) => start >= from);
          expect(list.firstIndexAtOrAfter(from)).toBe(first === -1 ? starts.length : first);
        }
      }),
      { numRuns: 500 },
    );
  });
});
