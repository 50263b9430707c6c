import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsonRedactor } from '../../../functions/core/redaction/formats/json-redactor.ts';
import { quote } from '../../../functions/core/redaction/formats/json-string-encoder.ts';
import { createNdjsonRedactor } from '../../../functions/core/redaction/formats/ndjson-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { compiledRuleSetOf, regexDetector } from '../support/compiled-rule-set.ts';

/**
 * The batch scan's matches vouch for a value only when they lie well inside it; "well inside"
 * is counted in the detectors' normalized view, where an escape is one unit, so escapes must
 * not let a match that reaches into the next value pass for one inside this one.
 */
function redactor(): Redactor {
  // Spans line breaks, so in the batch scan it can reach from one value into the next.
  return new Redactor(compiledRuleSetOf([regexDetector('digit-pair', /(?<!\d)\d{3}\s+\d{3}(?!\d)/, 40)]));
}

/** Compact JSON of `values` with every string redacted alone. */
function reference(values: readonly string[]): string {
  const alone = redactor();
  return `[${values.map((value) => quote(alone.redactText(value))).join(',')}]`;
}

const piece = fc.constantFrom('ab ', '123', '456', ' ', '%20', '&#32;', '%20'.repeat(16));
const values = fc.array(
  fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join('')),
  { maxLength: 5 },
);

describe('JSON values holding escapes next to matches', () => {
  it('does not redact a value for a match that escapes stretch into the next value', () => {
    const input = JSON.stringify([`ab 123${'%20'.repeat(20)}`, '456']);
    const json = createJsonRedactor(redactor());
    expect(json.push(input) + json.end()).toBe(input);
    const ndjson = createNdjsonRedactor(redactor());
    expect(ndjson.push(`${input}\n`) + ndjson.end()).toBe(`${input}\n`);
  });

  it('redacts JSON and NDJSON as if each value were scanned alone (property)', () => {
    fc.assert(
      fc.property(values, (document) => {
        const input = JSON.stringify(document);
        const expected = reference(document);
        const json = createJsonRedactor(redactor());
        expect(json.push(input) + json.end()).toBe(expected);
        const ndjson = createNdjsonRedactor(redactor());
        expect(ndjson.push(`${input}\n${input}\n`) + ndjson.end()).toBe(`${expected}\n${expected}\n`);
      }),
      { numRuns: 300 },
    );
  });
});
