import { describe, expect, it } from 'vitest';
import { CsvCellResults } from '../../../functions/core/redaction/formats/csv-cell-results.ts';

describe('CsvCellResults', () => {
  it('finds what it remembered for a value by its text anywhere in another text', () => {
    const results = new CsvCellResults();
    results.remember(results.slotOf('ada', 0, 3), 'ada', '<ada>');
    const text = 'id,name\n1,ada\n2,adam\n';

    expect(results.get(results.slotOf(text, 10, 13), text, 10, 13)).toBe('<ada>');
    expect(results.get(results.slotOf(text, 17, 21), text, 17, 21)).toBeUndefined();
  });

  it('keeps the first value of a slot', () => {
    const results = new CsvCellResults();
    const values = Array.from({ length: 2000 }, (_, i) => `v${i}`);
    const bySlot = new Map<number, string>();
    for (const value of values) {
      const slot = results.slotOf(value, 0, value.length);
      bySlot.set(slot, bySlot.get(slot) ?? value);
      results.remember(slot, value, `<${value}>`);
    }

    for (const value of values) {
      const found = results.get(results.slotOf(value, 0, value.length), value, 0, value.length);
      expect(found).toBe(
        bySlot.get(results.slotOf(value, 0, value.length)) === value ? `<${value}>` : undefined,
      );
    }
  });

  it('has no slot for a value longer than 64 characters', () => {
    const results = new CsvCellResults();

    expect(results.slotOf('x'.repeat(64), 0, 64)).toBeGreaterThanOrEqual(0);
    expect(results.slotOf('x'.repeat(65), 0, 65)).toBe(-1);
  });
});
