import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCsvRedactor } from '../../../functions/core/redaction/formats/csv-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { csvCell, PLANTED_VALUES } from '../../support/headerless-csv.ts';
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
const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

/** The character classes of a value in order: passwords of one column drawn with different ones. */
const outline = (value: string) =>
  value
    .replace(/\p{Lu}/gu, 'A')
    .replace(/\p{Ll}/gu, 'a')
    .replace(/\d/g, '9');

/** Passwords as people choose them: words, digits and symbols in any order, or `password=…`. */
const password = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z]{2,9}$/),
    fc.stringMatching(/^\d{1,4}$/),
    fc.stringMatching(/^[!#$%&*+=?@^~]{0,2}$/),
    fc.integer({ min: 0, max: 5 }),
    fc.boolean(),
  )
  .map(([letters, digits, symbols, order, isAssigned]) => {
    const parts = [letters, digits, symbols];
    const ordered = [...parts.slice(order % 3), ...parts.slice(0, order % 3)];
    const value = (order > 2 ? ordered.reverse() : ordered).join('');
    // Assigned, a value the detectors take (`password=aa0` may be a column's name, and so may
    // `password=ab1!$`: the secrets pack leaves values ending in `$`, templates' ends).
    return isAssigned && /^[A-Za-z\d]{6,}$/.test(value) ? `password=${value}` : value;
  })
  // A first line starting with `#` is a comment (see the CSV redactor).
  .filter((value) => value.length >= 6 && !value.startsWith('#'));

/** Nine digits as SSNs and ITINs are written, with or without their dashes. */
const ssn = fc
  .tuple(
    fc.integer({ min: 1, max: 999 }).filter((area) => area !== 666),
    fc.integer({ min: 1, max: 99 }),
    fc.integer({ min: 1, max: 9999 }),
    pick(['', '-', ' ']),
  )
  .map(([area, group, serial, dash]) => `${pad(area, 3)}${dash}${pad(group, 2)}${dash}${pad(serial, 4)}`);

const address = fc
  .tuple(
    fc.integer({ min: 1, max: 99999 }),
    pick(['Evergreen', 'Main', 'Rue de la Paix', 'Pennsylvania', 'Elm', "O'Connell"]),
    pick(['St', 'Street', 'Ave', 'Avenue', 'Rd', 'Blvd.', 'Lane', 'Terrace', 'Way']),
    pick(['', ', Apt 2', ' Suite 300', ', Unit 4B']),
  )
  .map(([number, street, type, unit]) => `${number} ${street} ${type}${unit}`);

/** What a headerless column holds, its values, and the label every one of them must get. */
const KINDS = {
  name: { values: PLANTED_VALUES.name, label: '[NAME]', isDataLike: false },
  ssn: { values: ssn, label: '[SSN]', isDataLike: true },
  password: { values: password, label: '[SECRET]', isDataLike: false },
  dob: { values: PLANTED_VALUES.dob, label: '[DATE_OF_BIRTH]', isDataLike: true },
  address: { values: address, label: '[ADDRESS]', isDataLike: false },
  email: { values: PLANTED_VALUES.email, label: '[EMAIL]', isDataLike: true },
  phone: { values: PLANTED_VALUES.phone, label: '[PHONE]', isDataLike: true },
} as const;
type Kind = keyof typeof KINDS;

interface Table {
  readonly kinds: readonly Kind[];
  readonly rows: readonly (readonly string[])[];
  readonly quoted: readonly (readonly boolean[])[];
  readonly delimiter: string;
  readonly terminator: string;
}

/** Headerless tables of `kinds` (a first row mostly data, as a headerless file's is), 1 to 12 records. */
function tables(kinds: fc.Arbitrary<Kind[]>, records = fc.integer({ min: 1, max: 12 })): fc.Arbitrary<Table> {
  return fc
    .record({
      kinds,
      records,
      delimiter: pick([',', ';', '\t', '|']),
      terminator: pick(['\n', '\r\n', '\r']),
    })
    .chain(({ kinds, records, delimiter, terminator }) =>
      fc.record({
        kinds: fc.constant(kinds),
        delimiter: fc.constant(delimiter),
        terminator: fc.constant(terminator),
        columns: fc.tuple(
          ...kinds.map((kind) =>
            kind === 'password'
              ? fc.uniqueArray(password, { selector: outline, minLength: records, maxLength: records })
              : fc.array(KINDS[kind].values, { minLength: records, maxLength: records }),
          ),
        ),
        quoted: fc.array(fc.array(fc.boolean(), { minLength: kinds.length, maxLength: kinds.length }), {
          minLength: records,
          maxLength: records,
        }),
      }),
    )
    .map(({ kinds, delimiter, terminator, columns, quoted }) => ({
      kinds,
      delimiter,
      terminator,
      quoted,
      rows: quoted.map((_, record) => columns.map((column) => column[record] as string)),
    }));
}

function tableText({ rows, quoted, delimiter, terminator }: Table): string {
  return rows
    .map(
      (cells, record) =>
        cells
          .map((cell, column) => csvCell(cell, delimiter, quoted[record]?.[column] ?? false))
          .join(delimiter) + terminator,
    )
    .join('');
}

/** Every kind in any order, data-like kinds more than half of them. */
const plantedKinds = fc
  .shuffledSubarray(Object.keys(KINDS) as Kind[], { minLength: 1 })
  .filter((kinds) => kinds.filter((kind) => KINDS[kind].isDataLike).length * 2 > kinds.length);

describe('CSV columns named by the shapes of their values', () => {
  it('redacts every value of a headerless column of names, SSNs, passwords, dates of birth or addresses, for any split', () => {
    fc.assert(
      fc.property(tables(plantedKinds), fc.array(fc.nat(), { maxLength: 5 }), (table, cuts) => {
        const input = tableText(table);

        const out = redact(input, cuts);

        const records = parseCsv(out, table.delimiter).records;
        expect(records.map((record) => record.cells.map((cell) => cell.value))).toEqual(
          table.rows.map(() => table.kinds.map((kind) => KINDS[kind].label)),
        );
        expect(out.split(table.terminator)).toHaveLength(input.split(table.terminator).length);
        for (const cells of table.rows) for (const value of cells) expect(out).not.toContain(value);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a first row of values nothing marks as data (names, passwords, addresses) as data when the rows after it share its shapes', () => {
    const plainKinds = fc
      .shuffledSubarray<Kind>(['name', 'password', 'address'], { minLength: 1 })
      .filter((kinds) => kinds.includes('password') || kinds.includes('address'));
    fc.assert(
      fc.property(
        tables(plainKinds, fc.integer({ min: 2, max: 12 })),
        fc.array(fc.nat(), { maxLength: 5 }),
        (table, cuts) => {
          // A first row that names a rule (`password=…`, a drawn `DOb1!x`) is a header.
          const redactor = new Redactor(ruleSet);
          fc.pre((table.rows[0] ?? []).every((value) => redactor.fieldRule([value]) === undefined));

          const out = redact(tableText(table), cuts);

          const records = parseCsv(out, table.delimiter).records;
          expect(records.map((record) => record.cells.map((cell) => cell.value))).toEqual(
            table.rows.map(() => table.kinds.map((kind) => KINDS[kind].label)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps a header of words that name no rule over any columns, and gives its columns no name', () => {
    const words = ['Customer', 'Notes', 'Account Holder', 'Contact', 'Reference', 'Item', 'Owner', 'Remarks'];
    fc.assert(
      fc.property(
        tables(plantedKinds, fc.integer({ min: 1, max: 8 })).chain((table) =>
          fc.record({
            table: fc.constant(table),
            header: fc.array(pick(words), { minLength: table.kinds.length, maxLength: table.kinds.length }),
          }),
        ),
        ({ table, header }) => {
          const headerLine = header.join(table.delimiter) + table.terminator;

          const out = redact(headerLine + tableText(table));

          expect(out.startsWith(headerLine)).toBe(true);
          // Unnamed columns go to the detectors alone: a name under `Customer` stays.
          const names = table.kinds.indexOf('name');
          if (names >= 0) expect(out).toContain(table.rows[0]?.[names] as string);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reads lines whose first value starts with # and a letter or digit (an id, a colour) as records, not comments', () => {
    const mark = fc.oneof(
      fc.integer({ min: 1, max: 99999 }).map((id) => `#${id}`),
      fc.stringMatching(/^#[0-9a-f]{6}$/),
    );
    // Mostly data beside the mark, so that a first row is data by itself.
    const markedKinds = plantedKinds.filter(
      (kinds) => kinds.filter((kind) => KINDS[kind].isDataLike).length * 2 > kinds.length + 1,
    );
    fc.assert(
      fc.property(
        tables(markedKinds, fc.integer({ min: 1, max: 8 })),
        fc.array(mark, { minLength: 8, maxLength: 8 }),
        (table, marks) => {
          const marked: Table = {
            ...table,
            rows: table.rows.map((cells, record) => [marks[record] as string, ...cells]),
            quoted: table.quoted.map((cells) => [false, ...cells]),
          };

          const out = redact(tableText(marked));

          const records = parseCsv(out, table.delimiter).records;
          expect(records.map((record) => record.cells.map((cell) => cell.value))).toEqual(
            table.rows.map((_, record) => [marks[record], ...table.kinds.map((kind) => KINDS[kind].label)]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads a first row of a local phone number and a name as data over rows of the same', () => {
    expect(redact('555-0199,Jane Doe\n555-0100,John Roe\n')).toBe('[PHONE],[NAME]\n[PHONE],[NAME]\n');
  });

  it('keeps a comment line, a space after its mark, as a comment the detectors read', () => {
    const input =
      '# exported 2024-05-01, by jane.doe@example.com\nJane Doe,123456789,1.5\nJohn Roe,987654320,2.5\n';

    expect(redact(input)).toBe('# exported 2024-05-01, by [EMAIL]\n[NAME],[SSN],1.5\n[NAME],[SSN],2.5\n');
  });

  /** Columns whose shapes say nothing about a person: each stays byte for byte. */
  const NEUTRAL = {
    timestamp: fc
      .date({ min: new Date('1950-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
      .map((date) => date.toISOString()),
    uuid: fc.uuid(),
    // A run of 12 digits or more may pass as a card number to the detectors.
    digest: fc.stringMatching(/^[0-9a-f]{40}$/).filter((digest) => !/\d{12}/.test(digest)),
    // Codes that are no keyword (`DOB` would make the next cell's date one of birth, as in text).
    sku: fc
      .tuple(pick(['ABC', 'XYZ', 'KLM', 'QRT']), fc.integer({ min: 0, max: 99999 }))
      .map(([code, n]) => `SKU-${code}-${pad(n, 5)}`),
    status: pick(['active', 'pending', 'closed']),
    version: fc.tuple(fc.nat(20), fc.nat(99), fc.nat(99)).map((parts) => parts.join('.')),
    thousands: fc.integer({ min: 1000, max: 99_999_999 }).map((value) => value.toLocaleString('fr-FR')),
    orderId: fc.integer({ min: 1_000_000_000, max: 9_999_999_999 }).map(String),
    city: pick(['London', 'Paris', 'Tokyo', 'Lagos']),
    path: pick(['/var/log/app.log', './data/x1.csv', '~/reports/q3.pdf']),
    url: pick(['https://example.com/a?b=1', 's3://bucket/key-2024']),
  } as const;
  type Neutral = keyof typeof NEUTRAL;

  it('leaves columns of timestamps, ids, digests, codes, amounts, cities, paths and URLs alone', () => {
    // Values the detectors leave alone: what they find is not the shapes' doing.
    const isClean = (value: string) => new Redactor(ruleSet).redactText(value) === value;
    const neutralTable = fc
      .record({
        kinds: fc.shuffledSubarray(Object.keys(NEUTRAL) as Neutral[], { minLength: 1, maxLength: 5 }),
        records: fc.integer({ min: 3, max: 20 }),
      })
      .chain(({ kinds, records }) =>
        fc.array(fc.tuple(...kinds.map((kind) => (NEUTRAL[kind] as fc.Arbitrary<string>).filter(isClean))), {
          minLength: records,
          maxLength: records,
        }),
      );
    fc.assert(
      fc.property(neutralTable, (rows) => {
        // More columns of numbers than others first: the first row reads as data.
        const numbers = (record: number) => (rows[0] ?? []).map((_, column) => `${record}.${column}`);
        const input = rows
          .map((cells, record) =>
            [String(record), ...numbers(record), ...cells].map((cell) => csvCell(cell, ',', false)).join(','),
          )
          .map((line) => `${line}\n`)
          .join('');

        expect(redact(input)).toBe(input);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['Jane Doe', '[NAME]'],
    ["Siobhán O'Brien-Walsh", '[NAME]'],
    ['Ana María de la Cruz', '[NAME]'],
    ['JANE Q. DOE', '[NAME]'],
    ['"Doe, Jane"', '[NAME]'],
    ['078051120', '[SSN]'],
    ['912 70 1234', '[SSN]'],
    ['29 Feb 1984', '[DATE_OF_BIRTH]'],
    ['"February 29, 1984"', '[DATE_OF_BIRTH]'],
    ['10 Downing St', '[ADDRESS]'],
    ['Tr0ub4dor&3', '[SECRET]'],
    ['correct.horse.battery.staple9', '[SECRET]'],
  ])('names a one-record column holding %s', (value, label) => {
    expect(redact(`${value},1,2\n`)).toBe(`${value.startsWith('"') ? `"${label}"` : label},1,2\n`);
  });

  it.each([
    ['666123456', 'an SSN area no one has'],
    ['2024-13-45', 'no calendar date'],
    ['London', 'one word'],
    ['jane doe', 'words in lower case'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'a digest'],
    ['/etc/ssl/cert1.pem', 'a path'],
    ['1.234.567', 'an amount'],
    ['2024-01-02T10:00:00Z', 'a time'],
  ])('names no column of %s (%s)', (value) => {
    const input = `${value},1,2\n`;
    expect(redact(input)).toBe(input);
  });

  it('names no column under a header', () => {
    expect(redact('contact,n\nJane Doe,1\n')).toBe('contact,n\nJane Doe,1\n');
  });

  it('takes the name of the values most of a column holds, whatever else it holds', () => {
    const input = 'Jane Doe,1,2\nJohn Roe,3,4\nMadonna,5,6\nAna Ng,7,8\n';
    expect(redact(input)).toBe('[NAME],1,2\n[NAME],3,4\n[NAME],5,6\n[NAME],7,8\n');
  });
});
