import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withContext } from '../../../functions/core/redaction/detectors/with-context.ts';
import { plainJsonNumber } from '../../../functions/core/redaction/formats/json-number-digits.ts';
import { createJsonRedactor } from '../../../functions/core/redaction/formats/json-redactor.ts';
import { createNdjsonRedactor } from '../../../functions/core/redaction/formats/ndjson-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import type { Scanner } from '../../../functions/core/redaction/scanner.ts';
import { compiledRuleSetOf, regexDetector, sampleDetectors } from '../support/compiled-rule-set.ts';
import { splitAt } from '../support/split-at.ts';

/**
 * The batch pre-scan must only ever skip values in which the detectors find nothing: compare the
 * redactors against a reference that parses the document and runs the detectors on every key,
 * string and number alone, with the keys on its path as context.
 */
function detectors() {
  return [
    ...sampleDetectors(),
    // One detector that can match across a line break, to catch a pre-scan that joins values.
    regexDetector('digit-pair', /\d{3}\s+\d{3}/, 64),
    // One that needs context, which a key on the path gives, to catch a pre-scan that skips it.
    withContext(regexDetector('pin', /(?<!\d)\d{5}(?!\d)/, 5), ['pin'], 8),
  ];
}

function reference(value: unknown, redactor: Redactor, scanner = redactor.scanner): unknown {
  if (typeof value === 'string')
    return nestedReference(value, redactor, scanner) ?? redactor.redactText(value, scanner);
  if (typeof value === 'number') {
    const raw = JSON.stringify(value);
    // Written with an exponent, a number is scanned as its plain digits first.
    const plain = plainJsonNumber(raw);
    const redactedPlain = plain === undefined ? plain : redactor.redactText(plain, scanner);
    if (redactedPlain !== plain) return redactedPlain;
    const redacted = redactor.redactText(raw, scanner);
    return redacted === raw ? value : redacted;
  }
  if (Array.isArray(value)) return value.map((item) => reference(item, redactor, scanner));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        redactor.redactText(key, scanner),
        reference(item, redactor, scanner.named(key)),
      ]),
    );
  }
  return value;
}

/** A string holding a JSON object or array is redacted as JSON, when that changes it. */
function nestedReference(value: string, redactor: Redactor, scanner: Scanner): string | undefined {
  const trimmed = value.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');
  if (!['{}', '[]'].includes(`${trimmed[0]}${trimmed.at(-1)}`)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  const redacted = reference(parsed, redactor, scanner);
  return isDeepStrictEqual(redacted, parsed) ? undefined : JSON.stringify(redacted);
}

const planted = fc.constantFrom(
  'PIN',
  'pin 24680',
  '24680',
  'jane@example.com',
  '123-45-6789',
  '4111 1111 1111 1111',
  '123 456',
  '123\n456',
  'a"b\\c',
  'é ü 😀',
);
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.tuple(fc.string({ maxLength: 6 }), planted, fc.string({ maxLength: 6 })).map((parts) => parts.join('')),
);
const number = fc.oneof(
  fc.integer(),
  fc.constant(4111111111111111),
  fc.constant(123456),
  fc.constant(24680),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
}));

/** `document` as JSON text, pushed in pieces cut at `cuts`, comes out as the per-value reference makes it. */
function expectJsonAsReference(document: unknown, cuts: readonly number[], make = detectors): void {
  const input = JSON.stringify(document);
  const json = createJsonRedactor(new Redactor(compiledRuleSetOf(make())));
  const output =
    splitAt(input, cuts)
      .map((chunk) => json.push(chunk))
      .join('') + json.end();
  expect(JSON.parse(output)).toEqual(reference(JSON.parse(input), new Redactor(compiledRuleSetOf(make()))));
}

/** `lines` as NDJSON, pushed in pieces cut at `cuts`, come out as the per-value reference makes each. */
function expectNdjsonAsReference(lines: readonly unknown[], cuts: readonly number[], make = detectors): void {
  const input = `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
  const ndjson = createNdjsonRedactor(new Redactor(compiledRuleSetOf(make())));
  const output =
    splitAt(input, cuts)
      .map((chunk) => ndjson.push(chunk))
      .join('') + ndjson.end();
  const redactor = new Redactor(compiledRuleSetOf(make()));
  expect(
    output
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line)),
  ).toEqual(lines.map((line) => reference(JSON.parse(JSON.stringify(line)), redactor)));
}

describe('JSON and NDJSON redaction equal per-value redaction', () => {
  it('redacts a JSON document, split anywhere, as if each value were scanned alone', () => {
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (documents, cuts) => expectJsonAsReference(documents, cuts),
      ),
      { numRuns: 1000 },
    );
  });

  it('redacts NDJSON lines as if each value were scanned alone', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), (lines) =>
        expectNdjsonAsReference(lines, []),
      ),
      { numRuns: 1000 },
    );
  });

  // Records of one shape repeat their keys, which the batch scan then leaves out (each key is
  // scanned alone once): keys that hold a match, need escapes or go beyond Latin-1 must come
  // out as a scan of each alone makes them, in every record.
  const records = fc
    .tuple(
      fc.uniqueArray(text, { minLength: 4, maxLength: 8 }),
      fc.integer({ min: 8, max: 24 }),
      fc.array(value, { minLength: 8, maxLength: 8 }),
    )
    .map(([keys, count, values]) =>
      Array.from({ length: count }, (_, index) =>
        Object.fromEntries(keys.map((key, column) => [key, values[(index + column) % values.length]])),
      ),
    );

  it('redacts a JSON array of records of one shape, split anywhere, as if each value were scanned alone', () => {
    fc.assert(
      fc.property(records, fc.array(fc.nat(), { maxLength: 3 }), (lines, cuts) =>
        expectJsonAsReference(lines, cuts),
      ),
      {
        numRuns: 300,
      },
    );
  });

  it('redacts NDJSON records of one shape, pushed in pieces, as if each value were scanned alone', () => {
    fc.assert(
      fc.property(records, fc.array(fc.nat(), { maxLength: 3 }), (lines, cuts) =>
        expectNdjsonAsReference(lines, cuts),
      ),
      {
        numRuns: 300,
      },
    );
  });

  // Values under a key that is context (`ticket`, which marks no value as encoded) that the
  // batch scan vouches for are written as they are and scanned together, a line feed between
  // them, when the output is taken; each value's matches there must be mapped back to it alone:
  // one off by a character clears a value next to one with a match.
  const withTicket = () => [
    ...detectors(),
    withContext(regexDetector('ticket', /(?<!\d)\d{4}(?!\d)/, 4), ['ticket'], 8),
  ];
  // A value that starts with its text, out of reach of the key as keyword, is one the batch scan vouches for.
  const ticketText = fc
    .tuple(
      fc.constantFrom('', 'noted long ago: '),
      fc.array(fc.constantFrom('2468', '1357', '12345', 'x', ' ', 'é', 'a"b', '😀'), { maxLength: 3 }),
    )
    .map(([start, parts]) => start + parts.join(''));
  const ticketRecords = fc
    .array(fc.tuple(ticketText, ticketText), { minLength: 2, maxLength: 30 })
    .map((rows) =>
      rows.map(([ticket, other], index) =>
        index % 3 === 2 ? { id: index, detail: { ticket, other } } : { id: index, ticket, other },
      ),
    );

  it('redacts values under a context key, scanned in one batch, as if each were scanned alone', () => {
    fc.assert(
      fc.property(ticketRecords, fc.array(fc.nat(), { maxLength: 3 }), (lines, cuts) => {
        expectNdjsonAsReference(lines, cuts, withTicket);
        expectJsonAsReference(lines, cuts, withTicket);
      }),
      { numRuns: 500 },
    );
  });
});
