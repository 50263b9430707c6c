import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import { createBuiltInDetector } from '../../../functions/core/redaction/detectors/built-in-detectors.ts';
import {
  createKeywordContext,
  withContext,
} from '../../../functions/core/redaction/detectors/with-context.ts';
import { findAll } from './find-all.ts';

function ssnWithContext(windowChars = 20): Detector {
  return withContext(createBuiltInDetector('us-ssn') as Detector, ['SSN', 'social security'], windowChars);
}

describe('withContext', () => {
  it('keeps matches with a keyword shortly before them, in any case', () => {
    expect(findAll(ssnWithContext(), 'ssn: 123-45-6789, Social Security 234-56-7890')).toEqual([
      '123-45-6789',
      '234-56-7890',
    ]);
  });

  it('drops matches without a keyword, or with it too far back or after the match', () => {
    const detector = ssnWithContext();
    expect(findAll(detector, 'id 123-45-6789')).toEqual([]);
    expect(findAll(detector, `ssn ${'x'.repeat(20)} 123-45-6789`)).toEqual([]);
    expect(findAll(detector, '123-45-6789 ssn')).toEqual([]);
  });

  it('needs the whole keyword inside the window', () => {
    const text = 'social security 123-45-6789';
    expect(
      findAll(withContext(createBuiltInDetector('us-ssn') as Detector, ['social security'], 16), text),
    ).toEqual(['123-45-6789']);
    expect(
      findAll(withContext(createBuiltInDetector('us-ssn') as Detector, ['social security'], 15), text),
    ).toEqual([]);
  });

  it('finds a later match after one without context, searching from any from', () => {
    const text = '123-45-6789 and ssn 234-56-7890';
    expect(ssnWithContext().findFrom(text, 0)).toEqual({ start: 20, end: 31 });
    expect(ssnWithContext().findFrom(text, 20)).toEqual({ start: 20, end: 31 });
    expect(ssnWithContext().findFrom(text, 21)).toBeUndefined();
  });

  it('widens the lookbehind to the window and keeps id, label and bounds', () => {
    const detector = ssnWithContext(48);
    expect(detector).toMatchObject({
      id: 'us-ssn',
      label: 'SSN',
      maxLength: 11,
      lookbehind: 48,
      lookahead: 2,
    });
  });

  it('takes a field name holding a keyword, in any spelling, as the context of every match', () => {
    for (const name of [
      'ssn',
      'SSN',
      'customer_ssn',
      'Social Security',
      'socialSecurityNumber',
      'SOCIAL-SECURITY',
    ]) {
      expect(findAll(ssnWithContext().named?.(name) as Detector, 'on file: 123-45-6789'), name).toEqual([
        '123-45-6789',
      ]);
    }
  });

  it('keeps needing a keyword in the text under a field name without one', () => {
    const detector = ssnWithContext();
    expect(detector.named?.('employee_id')).toBe(detector);
    expect(findAll(detector.named?.('employee_id') as Detector, '123-45-6789')).toEqual([]);
  });

  it('needs every layer of context when an operator adds keywords to a detector that has its own', () => {
    const layered = withContext(ssnWithContext(), ['employee'], 40);
    expect(findAll(layered.named?.('ssn') as Detector, '123-45-6789')).toEqual([]);
    expect(findAll(layered.named?.('ssn') as Detector, 'employee 123-45-6789')).toEqual(['123-45-6789']);
    expect(findAll(layered.named?.('employee') as Detector, 'ssn 123-45-6789')).toEqual(['123-45-6789']);
    expect(findAll(layered.named?.('employee_ssn') as Detector, '123-45-6789')).toEqual(['123-45-6789']);
  });

  it('matches keywords only as written when case-sensitive, and field names in any spelling', () => {
    const detector = withContext(createBuiltInDetector('us-ssn') as Detector, ['SSN'], 16, {
      isCaseSensitive: true,
    });
    expect(findAll(detector, 'SSN 123-45-6789, ssn 234-56-7890')).toEqual(['123-45-6789']);
    expect(findAll(detector.named?.('customer_ssn') as Detector, '234-56-7890')).toEqual(['234-56-7890']);
  });

  it('treats keywords as text, not as regex syntax', () => {
    const detector = withContext(createBuiltInDetector('us-ssn') as Detector, ['s.n'], 10);
    expect(findAll(detector, 'ssn 123-45-6789')).toEqual([]);
    expect(findAll(detector, 's.n 123-45-6789')).toEqual(['123-45-6789']);
  });
});

describe('a keyword context', () => {
  it('finds the start of the leftmost keyword from any position, whatever part its keywords share (property)', () => {
    // Keywords around a shared part, written in the text in any case and cut short, so that
    // parts without their keyword, overlapping keywords and near-misses abound.
    const affix = fc.string({ unit: fc.constantFrom(...'aws_- k'), maxLength: 4 });
    const keywords = fc.array(fc.tuple(affix, affix), { minLength: 1, maxLength: 4 });
    const caseOf = (text: string, seed: number): string =>
      Array.from(text, (char, i) => ((seed >> (i % 16)) & 1 ? char.toUpperCase() : char)).join('');
    fc.assert(
      fc.property(
        fc.constantFrom('secret', 'keys', 'sec', 'aaaa'),
        keywords,
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(7)), { maxLength: 10 }),
        fc.nat(),
        (part, affixes, isCaseSensitive, pieces, seed) => {
          const wanted = affixes.map(([before, after]) => `${before}${part}${after}`);
          const text = pieces
            .map(([which, casing, cut]) => {
              const keyword = wanted[which % wanted.length] as string;
              return caseOf(keyword.slice(0, keyword.length - (cut % 3)), casing) + ' x'.slice(0, cut % 3);
            })
            .join('');
          const from = seed % (text.length + 1);
          const context = createKeywordContext(wanted, 8, { isCaseSensitive });
          const fold = (value: string): string => (isCaseSensitive ? value : value.toLowerCase());
          let leftmost = -1;
          for (let start = from; start < text.length && leftmost === -1; start++) {
            if (wanted.some((keyword) => fold(text.slice(start, start + keyword.length)) === fold(keyword)))
              leftmost = start;
          }
          expect(
            context?.nextKeywordStart(text, from),
            `${JSON.stringify(wanted)} in ${JSON.stringify(text)}`,
          ).toBe(leftmost);
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('finds the leftmost keyword in any case in long texts, read by the kernel, from any position (property)', () => {
    // Keywords sharing a part or not, in texts long enough for the class-sequence kernel (and
    // several of its blocks): keywords in any case, cut short, and characters above U+00FF whose
    // low byte is a keyword's letter (`œ`: `S`), between long runs of filler.
    const keyword = fc.constantFrom(
      'secret_key',
      'aws-secret',
      'secretkey',
      'ssn',
      'social security',
      'pass',
    );
    const caseOf = (text: string, seed: number): string =>
      Array.from(text, (char, i) => ((seed >> (i % 16)) & 1 ? char.toUpperCase() : char)).join('');
    const piece = fc.oneof(
      fc.tuple(keyword, fc.nat(), fc.nat(3)).map(([word, casing, cut]) => caseOf(word.slice(cut), casing)),
      fc.constantFrom(' ', 'x', 'œ', '😀', 'é', '_'),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(keyword, { minLength: 1, maxLength: 4 }),
        fc.array(piece, { maxLength: 12 }),
        fc.array(piece, { minLength: 1, maxLength: 4 }),
        fc.nat(6000),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        (wanted, pieces, filler, times, seeds) => {
          const text = `${filler.join('').repeat(times)}${pieces.join('')}${filler.join('').repeat(times >> 1)}`;
          const context = createKeywordContext(wanted, 8);
          for (const seed of seeds) {
            const from = seed % (text.length + 1);
            const folded = text.toLowerCase();
            const starts = wanted.map((word) => folded.indexOf(word, from)).filter((at) => at !== -1);
            expect(context?.nextKeywordStart(text, from), `${JSON.stringify(wanted)} from ${from}`).toBe(
              starts.length === 0 ? -1 : Math.min(...starts),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds the leftmost keyword as written when asked about one text again and again, from positions in any order (property)', () => {
    // Searches as written remember their last answer per text: each answer must still be the
    // leftmost keyword at or after its position, whichever positions were asked before.
    const piece = fc.constantFrom('AKIA', 'ASIA', 'akia', 'AK', 'SIA', 'x', ' ');
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        (pieces, seeds) => {
          const text = pieces.join('');
          const context = createKeywordContext(['AKIA', 'ASIA'], 8, { isCaseSensitive: true });
          for (const seed of seeds) {
            const from = seed % (text.length + 1);
            const starts = [text.indexOf('AKIA', from), text.indexOf('ASIA', from)].filter((at) => at !== -1);
            expect(context?.nextKeywordStart(text, from), `${JSON.stringify(text)} from ${from}`).toBe(
              starts.length === 0 ? -1 : Math.min(...starts),
            );
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
