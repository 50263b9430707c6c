import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ContextOptions,
  createKeywordContext,
} from '../../../functions/core/redaction/detectors/with-context.ts';

type Call = readonly ['next' | 'before' | 'after', number] | readonly ['name', string];

const keywordArbitrary = fc.string({
  unit: fc.constantFrom('s', 'e', 'c', 'r', 't', '_', 'K', 'é', '1'),
  minLength: 1,
  maxLength: 8,
});
const textArbitrary = fc
  .array(fc.oneof(keywordArbitrary, fc.constantFrom(' ', 'x', '\n', 'SECRET', 'secret_key', '=', 'Secrét')), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''));
const optionsArbitrary = fc.record({
  isCaseSensitive: fc.boolean(),
  keywordEdges: fc.constantFrom('none', 'start', 'end', 'both') as fc.Arbitrary<
    ContextOptions['keywordEdges']
  >,
});

function answer(
  context: NonNullable<ReturnType<typeof createKeywordContext>>,
  text: string,
  call: Call,
): unknown {
  switch (call[0]) {
    case 'next':
      return context.nextKeywordStart(text, call[1] % (text.length + 1));
    case 'before':
      return context.hasKeywordBefore(text, call[1] % (text.length + 1));
    case 'after':
      return context.hasKeywordAfter(text, call[1] % (text.length + 1));
    case 'name':
      return context.isContextName(call[1]);
  }
}

describe('a keyword context, whose search is made at its first use', () => {
  it('answers every call alike whichever comes first, and shared by two callers taking turns (property)', () => {
    const call: fc.Arbitrary<Call> = fc.oneof(
      fc.tuple(fc.constantFrom('next' as const, 'before' as const, 'after' as const), fc.nat(2000)),
      fc.tuple(
        fc.constant('name' as const),
        fc.oneof(keywordArbitrary, fc.constantFrom('customer_secret', 'id', 'Secret Key')),
      ),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(keywordArbitrary, { minLength: 1, maxLength: 5 }),
        optionsArbitrary,
        fc.array(textArbitrary, { minLength: 1, maxLength: 3 }),
        fc.array(call, { minLength: 1, maxLength: 12 }),
        (keywords, options, texts, calls) => {
          // Answers of a context whose search was made before any of these calls.
          const made = createKeywordContext(keywords, 24, options);
          if (made === undefined) return;
          made.nextKeywordStart('', 0);
          made.isContextName('');
          const expected = texts.map((text) => calls.map((each) => answer(made, text, each)));
          // One context, two callers taking turns from its first call on, each in its own order.
          const shared = createKeywordContext(keywords, 24, options);
          if (shared === undefined) throw new Error('no context');
          const reversed = [...calls].reverse();
          texts.forEach((text, index) => {
            calls.forEach((each, turn) => {
              expect(answer(shared, text, each)).toEqual(expected[index]?.[turn]);
              const other = reversed[turn] as Call;
              expect(answer(shared, text, other)).toEqual(expected[index]?.[calls.length - 1 - turn]);
            });
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
