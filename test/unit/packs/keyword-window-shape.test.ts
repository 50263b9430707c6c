import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { specOf } from '../../../functions/core/redaction/compiled-pack.ts';
import { createPackMember } from '../../../functions/core/redaction/detectors/pack-member.ts';
import { patternFactsOf } from '../../../functions/core/redaction/pattern-facts.ts';
import { exampleTexts, shippedMembers } from './shipped-packs.ts';

/**
 * Every shipped keyword-led member whose pattern has a shape, as it runs (its pattern tried where
 * its shape matches in the window after a keyword) and without the shape (its pattern scanning
 * the window), the path that tried it at every position.
 */
const pairs = shippedMembers.flatMap(({ entry }) => {
  const detector = entry.detector;
  if (!('pattern' in detector) || detector.keywords.length === 0) return [];
  const spec = specOf(detector, patternFactsOf(detector.pattern, detector.flags));
  if (spec.anchors.length > 0 || spec.shape === undefined) return [];
  const shaped = createPackMember(spec);
  if (shaped.keywords.length === 0) return [];
  return [
    {
      id: entry.id,
      shaped,
      scanning: createPackMember({ ...spec, shape: undefined }),
      pieces: [...exampleTexts(entry), ...detector.keywords],
    },
  ];
});

describe('keyword-led pack members with a shape', () => {
  it('are among the shipped ones', () => {
    expect(pairs.map(({ id }) => id)).toContain('phone-national');
  });

  it('find after a keyword what their pattern scanning the window finds (property)', () => {
    for (const { id, shaped, scanning, pieces } of pairs) {
      const piece = fc.oneof(
        fc.constantFrom(...pieces),
        fc.string({ unit: fc.constantFrom(...'0123456789 -.()/+:AZaz\n'), maxLength: 16 }),
      );
      fc.assert(
        fc.property(
          fc.array(piece, { minLength: 1, maxLength: 6 }),
          fc.nat(),
          fc.nat(),
          fc.nat(),
          (parts, a, b, c) => {
            const text = parts.join(' ');
            const keywordStart = a % (text.length + 1);
            const keywordEnd = keywordStart + (b % (text.length - keywordStart + 1));
            const from = c % (text.length + 1);
            expect(
              shaped.matchAfter(text, keywordStart, keywordEnd, from),
              `${id} ${JSON.stringify(text)}`,
            ).toEqual(scanning.matchAfter(text, keywordStart, keywordEnd, from));
          },
        ),
        { numRuns: 150 },
      );
    }
  });
});
