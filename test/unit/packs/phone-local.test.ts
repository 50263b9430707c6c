import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import type { TextFormat } from '../../../functions/core/redaction/formats/format-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { shippedRuleSet, withoutTextFields } from '../../support/shipped-rules.ts';
import { splitAt } from '../support/split-at.ts';

let ruleSet: CompiledRuleSet;
beforeAll(async () => {
  // The pack alone decides in text: field-phone would take `phone: …` whole (text-fields.test.ts).
  ruleSet = withoutTextFields(await shippedRuleSet('default'));
});

/** `text` redacted by the shipped default rules as an object of `format`, pushed in pieces cut at `cuts`. */
function redact(text: string, format: TextFormat = 'text', cuts: readonly number[] = []): string {
  const formatRedactor = createFormatRedactor(format, new Redactor(ruleSet));
  return (
    splitAt(text, cuts).reduce((out, piece) => out + formatRedactor.push(piece), '') + formatRedactor.end()
  );
}

const digits = (length: number) =>
  fc
    .array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length })
    .map((all) => all.join(''));
/**
 * A local number: three digits, one dash, dot or space, four digits; not 0-led, which
 * phone-national may take as a national number of its own (`010-00000`).
 */
const localNumber = fc
  .tuple(fc.integer({ min: 2, max: 9 }), digits(2), fc.constantFrom('-', '.', ' '), digits(4))
  .map(([first, exchange, separator, line]) => `${first}${exchange}${separator}${line}`);
const keyword = fc.constantFrom(
  'phone',
  'Phone',
  'tel',
  'Tel.',
  'TEL',
  'telephone',
  'mobile',
  'cell',
  'fax',
  'call',
  'Call',
  'whatsapp',
);
const separator = fc.constantFrom(' ', ': ', ' : ', '=', ' = ', ':\t', ' no. ');
const before = fc.constantFrom('', 'ok, ', 'Please ', 'note: ', 'ticket 42 closed; ');
const after = fc.constantFrom('', '.', ', thanks', ' after 5', ' (office)', '\n');

describe('phone-local (pii-core pack)', () => {
  it('redacts a local number right after a phone keyword in text, for any split', () => {
    fc.assert(
      fc.property(
        before,
        keyword,
        separator,
        localNumber,
        after,
        fc.array(fc.nat(), { maxLength: 4 }),
        (lead, word, gap, number, tail, cuts) => {
          const text = `${lead}${word}${gap}${number}${tail}`;

          expect(redact(text, 'text', cuts)).toBe(`${lead}${word}${gap}[PHONE]${tail}`);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('redacts it in a JSON value and in a log line', () => {
    fc.assert(
      fc.property(keyword, separator, localNumber, (word, gap, number) => {
        const json = JSON.stringify({ note: `${word}${gap}${number}` });
        const log = `2026-12-06T15:00:00Z level=info msg="${word}${gap}${number}"\n`;

        expect(JSON.parse(redact(json, 'json')).note).toBe(`${word}${gap}[PHONE]`);
        expect(redact(log)).toBe(log.replace(number, '[PHONE]'));
      }),
      { numRuns: 200 },
    );
  });

  it('leaves near misses alone: a ticket, an extension, a keyword inside a word, a longer number, one too far', () => {
    const nearMiss = fc.oneof(
      fc.tuple(keyword, localNumber).map(([word, number]) => `${word} #${number}`),
      fc.tuple(keyword, digits(4)).map(([word, line]) => `${word}: ext ${line}`),
      fc
        .tuple(fc.constantFrom('hotel', 'recall', 'excellent', 'faxed-in form'), localNumber)
        .map(([word, number]) => `${word} ${number}`),
      fc.tuple(keyword, localNumber, digits(1)).map(([word, number, more]) => `${word} ${number}${more}`),
      fc.tuple(keyword, localNumber, digits(2)).map(([word, number, more]) => `${word} ${number}-${more}`),
      fc.tuple(keyword, digits(2), localNumber).map(([word, lead, number]) => `${word} 1.${lead}.${number}`),
      fc.tuple(keyword, localNumber).map(([word, number]) => `${word} back tomorrow about order ${number}`),
      fc.constantFrom(
        'phone model 2024-0331',
        'tel 2024-03-28',
        'call at 12:30',
        'phone 5.28.70',
        'fax 527.91',
      ),
    );
    fc.assert(
      fc.property(nearMiss, fc.array(fc.nat(), { maxLength: 3 }), (text, cuts) => {
        expect(redact(text, 'text', cuts)).toBe(text);
      }),
      { numRuns: 400 },
    );
  });
});
