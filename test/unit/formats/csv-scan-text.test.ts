import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvScanText } from '../../../functions/core/redaction/formats/csv-scan-text.ts';

/** Each character inside a cell kept, every other one a line feed, by brute force. */
function naive(text: string, end: number, cells: readonly [number, number][]): string {
  let out = '';
  for (let i = 0; i < end; i++) {
    out += cells.some(([start, stop]) => i >= start && i < stop) ? text[i] : '\n';
  }
  return out;
}

const unit = fc.constantFrom('a', '1', ',', ';', '"', '\r', '\n', ' ', 'é', 'ÿ', 'Ā', '€', '😀');

describe('csvScanText', () => {
  it('keeps the cells and turns everything else into line feeds, at the same positions (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.nat(),
        fc.nat(),
        (text, cuts, endSeed, countSeed) => {
          const end = text.length === 0 ? 0 : endSeed % (text.length + 1);
          // Sorted cut points in [0, end] paired up: cells that do not overlap, some empty.
          const points = cuts.map((cut) => cut % (end + 1)).sort((a, b) => a - b);
          const cells: [number, number][] = [];
          for (let i = 0; i + 1 < points.length; i += 2)
            cells.push([points[i] as number, points[i + 1] as number]);
          const count = cells.length === 0 ? 0 : countSeed % (cells.length + 1);
          const scan = csvScanText(
            text,
            end,
            cells.map(([start]) => start),
            cells.map(([, stop]) => stop),
            count,
            ','.charCodeAt(0),
          );
          const records = text.slice(0, end);
          // Unquoted text beyond Latin-1 is rewritten by its delimiters, which only real records
          // line up with their cells (next test).
          fc.pre(records.includes('"') || !/[^\0-\xff]/.test(records));
          expect(scan).toBe(naive(text, end, cells.slice(0, count)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('turns delimiters and carriage returns into line feeds in unquoted text beyond Latin-1', () => {
    const text = 'Ā,b;c\r\nd€,e\n';

    expect(csvScanText(text, text.length, [0, 2], [1, 5], 2, ','.charCodeAt(0))).toBe('Ā\nb;c\n\nd€\ne\n');
  });
});
