import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { createTextRedactor } from '../../../functions/core/redaction/formats/text-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';
import { splitAt } from '../support/split-at.ts';
import { exampleTexts, shippedMembers, shippedPacks } from './shipped-packs.ts';

/** The text redactor's scan window: pieces larger than this are scanned where they lie. */
const WINDOW = 64 * 1024;

const everyPack = compileRuleSet(
  ruleSetSchema.parse({ name: 'every-pack', packs: shippedPacks.map((pack) => pack.name) }),
  testTokenKeys('k1'),
  undefined,
  new Map(shippedPacks.map((pack) => [pack.name, pack])),
);

function streamed(chunks: readonly string[]): string {
  const text = createTextRedactor(new Redactor(everyPack));
  return chunks.map((chunk) => text.push(chunk)).join('') + text.end();
}

const samples = shippedMembers.flatMap(({ entry }) => exampleTexts(entry));
const planted = (minLength: number) =>
  fc
    .tuple(
      fc.array(fc.oneof(fc.constantFrom(...samples), fc.constantFrom(' ', '\n', '\r\n', '=', ':', '"')), {
        maxLength: 30,
      }),
      fc.constantFrom('lorem ipsum dolor sit amet, ', 'ts=2024-01-01T00:00:00Z level=info '),
    )
    .map(([parts, filler]) => {
      const text = parts.join('');
      if (minLength === 0) return text;
      const padding = filler.repeat(Math.ceil(minLength / filler.length));
      return `${padding.slice(0, padding.length >> 1)}${text}${padding.slice(padding.length >> 1)}${text}`;
    });

describe('pack detectors in a stream', () => {
  it('redact the same whatever the chunking, around the scan window too (property)', () => {
    fc.assert(
      fc.property(planted(WINDOW), fc.array(fc.nat(), { maxLength: 6 }), (input, points) => {
        expect(streamed(splitAt(input, points))).toBe(new Redactor(everyPack).redactText(input));
      }),
      { numRuns: 40 },
    );
  });

  it('keep the line count of what they redact (property)', () => {
    fc.assert(
      fc.property(planted(0), (input) => {
        const lines = (text: string) => text.split(/\r\n|\r|\n/).length;
        expect(lines(new Redactor(everyPack).redactText(input))).toBe(lines(input));
      }),
      { numRuns: 200 },
    );
  });
});
