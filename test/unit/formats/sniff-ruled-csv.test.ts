import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { columnShapes, shapeName } from '../../../functions/core/redaction/formats/csv-column-shapes.ts';
import { sniffRuledCsv, sniffShapedCsv } from '../../../functions/core/redaction/formats/sniff-ruled-csv.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { PLANTED_VALUES } from '../../support/headerless-csv.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';

const RULED = new Set(['password', 'email', 'ssn']);
const isRuled = (name: string): boolean => RULED.has(name.toLowerCase());
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

const delimiter = fc.constantFrom(',', ';', '\t', '|');
const plainName = fc.constantFrom('id', 'city', 'created_at', 'Order No.', 'amount (EUR)', 'notes');
const ruledName = fc.constantFrom('password', 'Email', 'ssn');
const cell = fc.stringMatching(/^[a-z0-9@. -]{0,12}$/);
const newline = fc.constantFrom('\n', '\r\n', '\r');

describe('sniffRuledCsv', () => {
  it('finds a CSV whose header names a ruled column, after any preamble, whatever the delimiter or line ends (generated)', () => {
    fc.assert(
      fc.property(
        delimiter,
        fc.array(plainName, { maxLength: 4 }),
        ruledName,
        fc.nat(),
        fc.constantFrom('none', 'sep', 'comment', 'empty', 'bom'),
        newline,
        fc.integer({ min: 0, max: 5 }),
        (d, plain, ruled, at, preamble, eol, rows) => {
          const names: string[] = [...plain];
          names.splice(at % (plain.length + 1), 0, ruled);
          if (names.length < 2) names.push('id');
          const lines = [
            ...(preamble === 'sep' ? [`sep=${d}`] : []),
            ...(preamble === 'comment' ? ['# exported nightly', ''] : []),
            ...(preamble === 'empty' ? [''] : []),
            names.join(d),
            ...Array.from({ length: rows }, (_, row) =>
              names.map((_, column) => `v${row}x${column}`).join(d),
            ),
          ];
          const text = (preamble === 'bom' ? '\uFEFF' : '') + lines.join(eol) + eol;

          expect(sniffRuledCsv(bytes(text), isRuled)).toBe(true);
          // The head may end anywhere in the data: complete lines still agree.
          expect(sniffRuledCsv(bytes(`${text}v${d}partial`), isRuled)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves text that is not such a CSV as text (generated near misses)', () => {
    const nearMiss = fc.oneof(
      // A header naming no ruled column.
      fc
        .tuple(delimiter, fc.array(plainName, { minLength: 2, maxLength: 4 }))
        .map(([d, names]) => `${names.join(d)}\n1${d.repeat(names.length - 1)}\n`),
      // Prose and log lines that mention a ruled name.
      fc.constantFrom(
        'Reset your password, then sign in again.\nThanks\n',
        '2026-01-01T00:00:00Z INFO user=ada, email sent\n2026-01-01T00:00:01Z INFO done\n',
        'email: ada@example.com, password: hunter2\n',
        'password\n',
        'email,password',
      ),
      // A ruled header whose rows have another number of cells.
      fc
        .tuple(delimiter, ruledName, fc.integer({ min: 3, max: 6 }))
        .map(([d, ruled, cells]) => `id${d}${ruled}\n${Array.from({ length: cells }, () => 'x').join(d)}\n`),
      // A cell of the header that is a value, not a name.
      fc
        .tuple(delimiter, ruledName, cell)
        .map(([d, ruled, value]) => `${ruled}${d}ada@example.com${d}${value}\n`),
    );
    fc.assert(
      fc.property(nearMiss, (text) => {
        expect(sniffRuledCsv(bytes(text), isRuled)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sniffShapedCsv', () => {
  let nameOf: (values: readonly string[]) => string | undefined;
  beforeAll(async () => {
    const shapes = columnShapes(new Redactor(await shippedRuleSet('default')));
    nameOf = (values) => shapeName(values, shapes);
  });

  /** A column whose values have a shape other than a person's name, beside columns of names and emails. */
  const shaped = fc.constantFrom(PLANTED_VALUES.ssn, PLANTED_VALUES.dob);
  const other = fc.constantFrom(PLANTED_VALUES.name, PLANTED_VALUES.email);

  it('finds a headerless CSV with a column of SSNs or dates, after any preamble, whatever the delimiter or line ends (generated)', () => {
    fc.assert(
      fc.property(
        delimiter,
        shaped.chain((column) => fc.array(column, { minLength: 1, maxLength: 6 })),
        other.chain((column) => fc.array(column, { minLength: 6, maxLength: 6 })),
        fc.boolean(),
        fc.constantFrom('none', 'sep', 'comment', 'empty', 'bom'),
        newline,
        (d, values, others, isFirst, preamble, eol) => {
          const rows = values.map((value, row) =>
            isFirst ? `${value}${d}${others[row]}` : `${others[row]}${d}${value}`,
          );
          const lines = [
            ...(preamble === 'sep' ? [`sep=${d}`] : []),
            ...(preamble === 'comment' ? ['# exported nightly', ''] : []),
            ...(preamble === 'empty' ? [''] : []),
            ...rows,
          ];
          const text = (preamble === 'bom' ? '\uFEFF' : '') + lines.join(eol) + eol;

          expect(sniffShapedCsv(bytes(text), nameOf)).toBe(true);
          expect(sniffShapedCsv(bytes(`${text}Jane${d}part`), nameOf)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves prose, logs, names alone and lines of other lengths as text', () => {
    for (const text of [
      'The meeting, held on Monday, went well.\nWe agreed, after some debate, to proceed.\n',
      '2026-01-01T00:00:00Z INFO started, pid 4711\n2026-01-01T00:00:01Z INFO ready, port 9000\n',
      'Jane Doe,John Roe\nAna Ng,Wei Chen\n',
      '123456789,Jane Doe\n987654320\n',
      'one line without a delimiter 123456789\n',
      '# 123456789,987654320\n',
    ])
      expect(sniffShapedCsv(bytes(text), nameOf)).toBe(false);
  });
});
