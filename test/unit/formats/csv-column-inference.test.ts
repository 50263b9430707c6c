import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  INFERENCE_WINDOW_RECORDS,
  isLoosePhone,
} from '../../../functions/core/redaction/formats/csv-column-inference.ts';
import { createCsvRedactor } from '../../../functions/core/redaction/formats/csv-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { csvCell } from '../../support/headerless-csv.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';
import { splitAt } from '../support/split-at.ts';
import { parseCsv } from './parse-csv.ts';

let ruleSet: CompiledRuleSet;
beforeAll(async () => {
  ruleSet = await shippedRuleSet('default');
});

function redact(input: string, cuts: readonly number[] = []): string {
  const csv = createCsvRedactor(new Redactor(ruleSet));
  return splitAt(input, cuts).reduce((out, piece) => out + csv.push(piece), '') + csv.end();
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const line = fc.integer({ min: 0, max: 9999 }).map((value) => pad(value, 4));

/** Local numbers, which the phone detector does not take without an area code. */
const localPhone = fc
  .tuple(fc.constantFrom('-', '.', ' '), line)
  .map(([separator, digits]) => `555${separator}${digits}`);
/** Full numbers, which it takes whole. */
const fullPhone = line.chain((digits) =>
  fc.constantFrom(`(415) 555-${digits}`, `415-555-${digits}`, `+1 415 555 ${digits}`, `212.555.${digits}`),
);

/** Values with digits that are no phone numbers, by kind: each a column of its own. */
const NEAR_MISSES = {
  date: fc
    .date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
    .chain((date) => {
      const [year, month, day] = date.toISOString().slice(0, 10).split('-') as [string, string, string];
      return fc.constantFrom(`${year}-${month}-${day}`, `${day}.${month}.${year}`, `${year}.${month}.${day}`);
    }),
  version: fc
    .tuple(fc.nat(20), fc.nat(99), fc.nat(99))
    .map(([major, minor, patch]) => `${major}.${minor}.${patch}`),
  price: fc.tuple(fc.nat(9_999_999), fc.nat(99)).map(([units, cents]) => `${units}.${pad(cents, 2)}`),
  zip: fc.integer({ min: 0, max: 99999 }).map((zip) => pad(zip, 5)),
  orderId: fc.integer({ min: 0, max: 9_999_999_999 }).map((id) => pad(id, 10)),
  // Codes of letters no keyword is spelt from: `SKU-TEL-00000` (seed 487415194) makes its record
  // context for a local number beside it, which the phone pack then rightly takes, as in text.
  sku: fc
    .tuple(fc.stringMatching(/^[JKQWXYZ]{3}$/), fc.integer({ min: 0, max: 99999 }))
    .map(([code, n]) => `SKU-${code}-${pad(n, 5)}`),
} as const;
type NearMiss = keyof typeof NEAR_MISSES;
/**
 * Kinds read as data in a first row (a number or a date): enough of them make the file headerless.
 * Dates are not among them: a headerless column of them reads as dates of birth (see
 * csv-column-shapes.test.ts).
 */
const NUMERIC: readonly NearMiss[] = ['version', 'price', 'zip', 'orderId'];

interface Table {
  readonly delimiter: string;
  /** The phone column's place among the columns. */
  readonly phoneColumn: number;
  readonly rows: readonly (readonly string[])[];
  readonly quoted: readonly (readonly boolean[])[];
  readonly terminator: string;
}

/**
 * Headerless tables: a phone column of local and full numbers in any order (one full at least)
 * among columns of near misses, two of them numeric at least so that the first row is data.
 */
const headerlessTable: fc.Arbitrary<Table> = fc
  .record({
    numeric: fc.shuffledSubarray([...NUMERIC], { minLength: 2 }),
    hasSku: fc.boolean(),
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    terminator: fc.constantFrom('\n', '\r\n', '\r'),
    // Three at least: two SKUs alone may be passwords (see csv-column-shapes.ts).
    records: fc.integer({ min: 3, max: 12 }),
  })
  .chain(({ numeric, hasSku, delimiter, terminator, records }) => {
    const kinds: NearMiss[] = hasSku ? [...numeric, 'sku'] : numeric;
    return fc.record({
      delimiter: fc.constant(delimiter),
      terminator: fc.constant(terminator),
      phoneColumn: fc.integer({ min: 0, max: kinds.length }),
      phones: fc
        .tuple(
          fullPhone,
          fc.array(fc.oneof(localPhone, fullPhone), { minLength: records - 1, maxLength: records - 1 }),
        )
        .chain(([full, rest]) => fc.shuffledSubarray([full, ...rest], { minLength: records })),
      others: fc.array(fc.tuple(...kinds.map((kind) => NEAR_MISSES[kind])), {
        minLength: records,
        maxLength: records,
      }),
      quoted: fc.array(fc.array(fc.boolean(), { minLength: kinds.length + 1, maxLength: kinds.length + 1 }), {
        minLength: records,
        maxLength: records,
      }),
    });
  })
  .map(({ delimiter, terminator, phoneColumn, phones, others, quoted }) => ({
    delimiter,
    terminator,
    phoneColumn,
    quoted,
    rows: others.map((cells, record) => [
      ...cells.slice(0, phoneColumn),
      phones[record] as string,
      ...cells.slice(phoneColumn),
    ]),
  }));

function tableText({ delimiter, rows, quoted, terminator }: Table, header?: readonly string[]): string {
  const lines = rows.map((cells, record) =>
    cells.map((cell, column) => csvCell(cell, delimiter, quoted[record]?.[column] ?? false)).join(delimiter),
  );
  return [...(header === undefined ? [] : [header.join(delimiter)]), ...lines]
    .map((each) => each + terminator)
    .join('');
}

function rowsOf(text: string, delimiter: string): string[][] {
  return parseCsv(text, delimiter).records.map((record) => record.cells.map((cell) => cell.raw));
}

describe('isLoosePhone', () => {
  it.each([
    '555-0199',
    '555.0199',
    '555 0199',
    '(415) 555-0132',
    '+44 (0)20 7946 0958',
    '06 12 34 56 78',
    '06.12.34.56.78',
    '030 1234567',
  ])('takes %s as a local phone number', (value) => {
    expect(isLoosePhone(value)).toBe(true);
  });

  it.each([
    '5550199',
    '0682974364',
    '2024-03-28',
    '28.03.2024',
    '5.28.70',
    '527.91',
    '1234567.89',
    '12 345 678.90',
    'SKU-YSX-89108',
    '21751',
    '192.168.100.200',
    '555-01',
    '-555-0199',
    '555--0199',
    '555-0199 ',
    '4111 1111 1111 1111',
  ])('takes %s as no phone number', (value) => {
    expect(isLoosePhone(value)).toBe(false);
  });
});

describe('CSV column inference', () => {
  it('redacts every local number of the phone column of a headerless CSV, for any split, rows and columns kept', () => {
    fc.assert(
      fc.property(headerlessTable, fc.array(fc.nat(), { maxLength: 5 }), (table, cuts) => {
        const input = tableText(table);

        const out = redact(input, cuts);

        const inRows = rowsOf(input, table.delimiter);
        const outRows = rowsOf(out, table.delimiter);
        expect(outRows.map((cells) => cells.length)).toEqual(inRows.map((cells) => cells.length));
        expect(out.split(table.terminator)).toHaveLength(input.split(table.terminator).length);
        outRows.forEach((cells, record) => {
          cells.forEach((cell, column) => {
            const isQuoted = table.quoted[record]?.[column] ?? false;
            // The near misses stay byte for byte; every phone number, local or full, is redacted.
            const expected =
              column === table.phoneColumn ? (isQuoted ? '"[PHONE]"' : '[PHONE]') : inRows[record]?.[column];
            expect(cell).toBe(expected);
          });
        });
        expect(out).toBe(redact(input));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves local numbers under a header to the detectors alone: a named column is not inferred', () => {
    fc.assert(
      fc.property(headerlessTable, (table) => {
        const header = table.rows[0]?.map((_, column) => `col_${String.fromCharCode(97 + column)}`) ?? [];
        const input = tableText(table, header);

        const out = redact(input);

        const outRows = rowsOf(out, table.delimiter).slice(1);
        const inRows = rowsOf(input, table.delimiter).slice(1);
        outRows.forEach((cells, record) => {
          const phone = table.rows[record]?.[table.phoneColumn] as string;
          const isQuoted = table.quoted[record]?.[table.phoneColumn] ?? false;
          const redacted = isQuoted ? '"[PHONE]"' : '[PHONE]';
          const isLocal = /^555[-. ]\d{4}$/.test(phone);
          expect(cells[table.phoneColumn]).toBe(isLocal ? inRows[record]?.[table.phoneColumn] : redacted);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('does not make phones of a column of ids, versions, prices or zip codes that holds one full number', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<NearMiss>('orderId', 'zip', 'version', 'price'),
        fc.integer({ min: 3, max: 12 }),
        fc.nat(),
        fullPhone,
        (kind, records, at, phone) => {
          const values = fc.sample(NEAR_MISSES[kind], { numRuns: records, seed: at });
          const column = values.map((value, record) => (record === at % records ? phone : value));
          const input = column.map((value, record) => `${value},${record}.25\n`).join('');

          const out = redact(input);

          const expected = column.map(
            (value, record) => `${value === phone ? '[PHONE]' : value},${record}.25\n`,
          );
          expect(out).toBe(expected.join(''));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('infers from the first records only: evidence after the window binds nothing', () => {
    // Five local numbers in eight cells: too few to make a phone column without a full number.
    const local = Array.from(
      { length: INFERENCE_WINDOW_RECORDS },
      (_, i) => `${i % 8 < 5 ? `555-${pad(i, 4)}` : 'n/a'},${i}.5\n`,
    ).join('');
    const input = `${local}(415) 555-0132,1.5\n555-9999,2.5\n`;

    const out = redact(input);

    expect(out).toBe(`${local}[PHONE],1.5\n555-9999,2.5\n`);
  });

  it('makes a phone column of local numbers alone, more than two thirds of its filled cells, for any split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 4, arbitrary: localPhone }, fc.constant('n/a'), fc.constant('')), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (cells, cuts) => {
          fc.pre(cells.some((cell) => cell !== ''));
          const input = cells.map((cell, record) => `${cell},${record}.5,${record}\n`).join('');
          const filled = cells.filter((cell) => cell !== '');
          const isColumn = filled.filter((cell) => cell !== 'n/a').length * 3 > filled.length * 2;

          const out = redact(input, cuts);

          const expected = cells.map(
            (cell, record) =>
              `${isColumn && cell !== 'n/a' && cell !== '' ? '[PHONE]' : cell},${record}.5,${record}\n`,
          );
          expect(out).toBe(expected.join(''));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('redacts a local number that only a keyword in the record before makes a whole match in the batch scan', () => {
    // `tel` ends the first record: the phone detector takes `030 1234567` after it in the scan
    // of both records, not in the cell's own.
    const input = 'sep=.\ntel 020 7946 0958\n.030 1234567\n';

    expect(redact(input)).toBe('sep=.\ntel [PHONE]\n.[PHONE]\n');
  });

  it('does not make phones of amounts grouped by thousands, which have the loose shape', () => {
    const input = '12 345 678,1\n1.234.567,2\n9 999 999,3\n';

    expect(redact(input)).toBe(input);
  });

  it('keeps a whole match of another detector in a phone column with its own action', () => {
    const input = '555-0199,1.5\n(415) 555-0132,2.5\n078-05-1120,3.5\n';

    expect(redact(input)).toBe('[PHONE],1.5\n[PHONE],2.5\n[SSN],3.5\n');
  });
});
