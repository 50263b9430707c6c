import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bindCsvColumns } from '../../../functions/core/redaction/formats/csv-column-binding.ts';
import { createCsvRedactor } from '../../../functions/core/redaction/formats/csv-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';
import { nameFieldRule } from '../support/compiled-rule-set.ts';

let shipped: CompiledRuleSet;
/** The shipped rules with a `keep` rule for `notes` and a rule of its own for `contact` in front. */
let withKeep: CompiledRuleSet;

beforeAll(async () => {
  shipped = await shippedRuleSet('default');
  withKeep = {
    ...shipped,
    fieldRules: [
      { ...nameFieldRule('notes-keep', ['notes']), isKeep: true, apply: (value) => value },
      nameFieldRule('contact-own', ['contact']),
      ...shipped.fieldRules,
    ],
  };
});

/**
 * Header names whose bindings differ: ruled (in other spellings), `keep`, context for a
 * detector, encoded, `name,value` layouts, data-like cells that make a header doubted.
 */
const headerName = fc.constantFrom(
  'id',
  '#id',
  'email',
  'Email',
  'email_b64',
  'password',
  'aws_secret_access_key',
  'secret',
  'notes',
  'contact',
  'comment',
  'name',
  'value',
  'phone',
  '12',
  'ada@example.com',
);
const cellValue = fc.constantFrom(
  'ada@example.com',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'YWRhQGV4YW1wbGUuY29t',
  '4111 1111 1111 1111',
  '12345',
  'hello world',
  'email',
  'secret123',
  '',
);
const csvObject = fc.array(headerName, { minLength: 1, maxLength: 6 }).chain((header) =>
  fc
    .array(fc.array(cellValue, { minLength: header.length, maxLength: header.length }), {
      minLength: 1,
      maxLength: 3,
    })
    .map((rows) => [header, ...rows].map((cells) => `${cells.join(',')}\n`).join('')),
);

function redact(ruleSet: CompiledRuleSet, text: string): { out: string; counts: [string, number][] } {
  const redactor = new Redactor(ruleSet);
  const csv = createCsvRedactor(redactor);
  const out = csv.push(text) + csv.end();
  return { out, counts: [...redactor.counts].sort() };
}

describe('bindCsvColumns', () => {
  it('redacts each of a run of CSV objects as a rule set that never bound a header does, whatever headers came before and with which rule set', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), csvObject), { minLength: 2, maxLength: 8 }), (objects) => {
        for (const [isKeep, text] of objects) {
          const ruleSet = isKeep ? withKeep : shipped;
          // A copy is another rule set to the binding's memory: nothing remembered for it.
          expect(redact(ruleSet, text)).toEqual(redact({ ...ruleSet }, text));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives back the binding of a header bound before with the same rule set, and never for other names, a keep binding or another rule set', () => {
    const redactor = new Redactor(shipped);
    const names = [['id'], ['email'], ['aws_secret_access_key']];
    const binding = bindCsvColumns(redactor, names, true);
    expect(
      bindCsvColumns(
        redactor,
        names.map((each) => [...each]),
        true,
      ),
    ).toBe(binding);
    expect(bindCsvColumns(redactor, [['id'], ['email'], ['secret']], true)).not.toBe(binding);
    expect(bindCsvColumns(redactor, [['id', 'email'], ['aws_secret_access_key']], true)).not.toBe(binding);
    expect(bindCsvColumns(redactor, names, false)).not.toBe(binding);
    expect(bindCsvColumns(new Redactor(withKeep), names, true)).not.toBe(binding);
    expect(bindCsvColumns(redactor, names, true)).toBe(binding);
  });

  it('remembers a few headers per rule set, not every header it bound', () => {
    const redactor = new Redactor(shipped);
    const names = [['email'], ['phone']];
    const binding = bindCsvColumns(redactor, names, true);
    for (let column = 0; column < 100; column++) bindCsvColumns(redactor, [[`column_${column}`]], true);
    expect(bindCsvColumns(redactor, names, true)).not.toBe(binding);
  });
});
