import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLatin1, Latin1Memo } from '../../functions/core/redaction/latin1-text.ts';

describe('isLatin1', () => {
  it('is true exactly when every code unit is at most U+00FF, at the edges of that range too', () => {
    expect(isLatin1('')).toBe(true);
    expect(isLatin1('crème\u00ff')).toBe(true);
    expect(isLatin1('a\u0100')).toBe(false);
    expect(isLatin1('\ud83d\ude00')).toBe(false);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 0x2ff }).map((code) => String.fromCharCode(code)) }),
        (text) => {
          const expected = Array.from({ length: text.length }, (_, i) => text.charCodeAt(i)).every(
            (code) => code <= 0xff,
          );
          expect(isLatin1(text)).toBe(expected);
        },
      ),
    );
  });
});

describe('Latin1Memo', () => {
  it('answers as isLatin1 for each text asked about, the same text in a row or another', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('', 'crème', 'a\u0100', '😀', 'x'.repeat(300), `${'x'.repeat(300)}€`), {
          maxLength: 12,
        }),
        (texts) => {
          const memo = new Latin1Memo();
          for (const text of texts) expect(memo.isLatin1(text)).toBe(isLatin1(text));
        },
      ),
    );
  });
});
