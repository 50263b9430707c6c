import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MalformedObjectError } from '../../../functions/core/errors.ts';
import { createCsvRedactor } from '../../../functions/core/redaction/formats/csv-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import {
  COLUMN_KINDS,
  COLUMN_LABELS,
  type ColumnKind,
  csvCell,
  csvText,
  DATA_LIKE_KINDS,
  defaultRuleSetWith,
  headerlessCsv,
  withCsv,
} from '../../support/headerless-csv.ts';
import { splitAt } from '../support/split-at.ts';
import { parseCsv } from './parse-csv.ts';

/** Redacts `input` as CSV pushed in pieces cut at `cuts`; on an error, the output so far and the error. */
function redact(ruleSet: CompiledRuleSet, input: string, cuts: readonly number[] = []) {
  const csv = createCsvRedactor(new Redactor(ruleSet));
  let out = '';
  try {
    for (const piece of splitAt(input, cuts)) out += csv.push(piece);
    out += csv.end();
  } catch (error) {
    return { out, error };
  }
  return { out, error: undefined };
}

/** The cells of each non-empty record of `text`. */
function rowsOf(text: string, delimiter: string): string[][] {
  return parseCsv(text, delimiter)
    .records.map((record) => record.cells.map((cell) => cell.value))
    .filter((cells) => !(cells.length === 1 && cells[0] === ''));
}

/** Rows and cells per row with their terminators: what redaction keeps. */
function shapeOf(text: string, delimiter: string): string[] {
  return parseCsv(text, delimiter).records.map((record) => `${record.cells.length}${record.terminator}`);
}

/** Kinds in any order with at least one whose values read as data, so `detect` can tell a first row of them is not a header. */
const detectableKinds = fc
  .tuple(fc.constantFrom(...DATA_LIKE_KINDS), fc.shuffledSubarray(COLUMN_KINDS))
  .chain(([dataLike, others]) =>
    fc.shuffledSubarray([dataLike, ...others.filter((kind) => kind !== dataLike)], {
      minLength: others.includes(dataLike) ? others.length : others.length + 1,
    }),
  );

const HEADER_NAMES: Record<ColumnKind, readonly string[]> = {
  name: ['Full Name', 'customer_name', 'name'],
  email: ['email', 'Email Address'],
  ssn: ['SSN', 'social_security_number'],
  password: ['password', 'dbPassword'],
  dob: ['date_of_birth', 'DOB'],
  phone: ['phone', 'Phone Number'],
};

describe('CSV columns declared by the rule set (csv.columns)', () => {
  let plain: CompiledRuleSet;
  let keepingNotes: CompiledRuleSet;
  beforeAll(async () => {
    plain = await defaultRuleSetWith();
    keepingNotes = await defaultRuleSetWith([
      { id: 'field-notes', names: ['notes'], action: { type: 'keep' } },
    ]);
  });
  const ruleSetFor = (csv: unknown) => withCsv(plain, csv);

  for (const header of ['detect', 'absent'] as const) {
    it(`leaves no planted value in a headerless CSV, whatever the delimiter, quoting, line ends and chunks (header: ${header})`, () => {
      const kinds = header === 'detect' ? detectableKinds : undefined;
      fc.assert(
        fc.property(headerlessCsv(kinds), fc.array(fc.nat(), { maxLength: 6 }), (csv, cuts) => {
          const ruleSet = ruleSetFor({ columns: csv.kinds, header });
          const input = csvText(csv);
          const whole = redact(ruleSet, input);
          expect(whole.error).toBeUndefined();
          expect(redact(ruleSet, input, cuts).out).toBe(whole.out);
          expect(shapeOf(whole.out, csv.delimiter)).toEqual(shapeOf(input, csv.delimiter));
          const labels = csv.kinds.map((kind) => COLUMN_LABELS[kind]);
          expect(rowsOf(whole.out, csv.delimiter)).toEqual(csv.records.map(() => labels));
        }),
        { numRuns: 300 },
      );
    });
  }

  it('redacts each record of a headerless CSV as the same file with the declared names as its header row', () => {
    const document = fc.record({
      csv: headerlessCsv(fc.shuffledSubarray(COLUMN_KINDS, { minLength: 1 })),
      choice: fc.nat(),
      cuts: fc.array(fc.nat(), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(document, ({ csv, choice, cuts }) => {
        const names = csv.kinds.map((kind) => {
          const options = HEADER_NAMES[kind];
          return options[choice % options.length] as string;
        });
        const headerLine = `${names.join(csv.delimiter)}\n`;
        const input = csvText(csv);
        const headed = redact(plain, headerLine + input);
        const declared = redact(ruleSetFor({ columns: names, header: 'absent' }), input, cuts);
        expect(declared.error).toBeUndefined();
        expect(headerLine + declared.out).toBe(headed.out);
      }),
      { numRuns: 300 },
    );
  });

  it('gives headerless values the same labels without csv.columns, from the shapes of the values alone', () => {
    const csv = 'Jane Doe,jane.doe@example.com,123456789,hunter2,1984-02-29,555-0199\n';
    const expected = '[NAME],[EMAIL],[SSN],[SECRET],[DATE_OF_BIRTH],[PHONE]\n';
    expect(redact(plain, csv).out).toBe(expected);
    expect(redact(ruleSetFor({ columns: COLUMN_KINDS }), csv).out).toBe(expected);
  });

  it("uses the file's own header when its first row is one, declared columns or not", () => {
    const document = fc
      .record({
        csv: headerlessCsv(),
        declared: fc.shuffledSubarray(COLUMN_KINDS, { minLength: 1 }),
        header: fc.constantFrom('detect', 'present'),
        choice: fc.nat(),
        cuts: fc.array(fc.nat(), { maxLength: 6 }),
      })
      .map(({ csv, declared, header, choice, cuts }) => {
        const names = csv.kinds.map((kind) => {
          const options = HEADER_NAMES[kind];
          return options[choice % options.length] as string;
        });
        return { csv, declared, header, names, cuts };
      });
    fc.assert(
      fc.property(document, ({ csv, declared, header, names, cuts }) => {
        const ruleSet = ruleSetFor(header === 'present' ? { header } : { columns: declared, header });
        const input = `${names.map((name) => csvCell(name, csv.delimiter, false)).join(csv.delimiter)}\r\n${csvText(csv)}`;
        const declaring = redact(ruleSet, input, cuts);
        expect(declaring.error).toBeUndefined();
        expect(declaring.out).toBe(redact(plain, input).out);
        const labels = csv.kinds.map((kind) => COLUMN_LABELS[kind]);
        expect(rowsOf(declaring.out, csv.delimiter)).toEqual([names, ...csv.records.map(() => labels)]);
      }),
      { numRuns: 200 },
    );
  });

  it('fails a record with another number of cells than declared, naming the record and no value', () => {
    const document = fc
      .record({
        // Two columns at least: the delimiter of a one-column file is a guess.
        csv: headerlessCsv(detectableKinds).filter((csv) => csv.records.length > 1 && csv.kinds.length > 1),
        header: fc.constantFrom('detect', 'absent'),
        at: fc.nat(),
        change: fc.integer({ min: -5, max: 3 }).filter((change) => change !== 0),
        cuts: fc.array(fc.nat(), { maxLength: 6 }),
      })
      // A record of one cell says nothing of the delimiter, which is sniffed from the first.
      .filter(({ csv, change }) => csv.kinds.length + change >= 2)
      .map(({ csv, header, at, change, cuts }) => {
        // A first record of another length may read as a header in `detect`: start at the second there.
        const first = header === 'detect' ? 1 : 0;
        const index = first + (at % (csv.records.length - first));
        const record = csv.records[index];
        const values = record?.values ?? [];
        const cells = Array.from(
          { length: csv.kinds.length + change },
          (_, i) => values[i % values.length] as string,
        );
        const odd = cells.map((value) => csvCell(value, csv.delimiter, true)).join(csv.delimiter);
        return { csv, header, index, cells: cells.length, odd, cuts };
      });
    fc.assert(
      fc.property(document, ({ csv, header, index, cells, odd, cuts }) => {
        const ruleSet = ruleSetFor({ columns: csv.kinds, header });
        const input = csvText(csv, { at: index, record: odd });
        const { out, error } = redact(ruleSet, input, cuts);
        expect(error).toBeInstanceOf(MalformedObjectError);
        const blank = csv.records[index]?.isAfterBlank ? csv.records[index]?.terminator : '';
        const before =
          csvText({ ...csv, records: csv.records.slice(0, index), isUnterminated: false }) + blank;
        expect(input.startsWith(before + odd)).toBe(true);
        const recordNumber = parseCsv(before, csv.delimiter).records.length + 1;
        expect((error as Error).message).toBe(
          `malformed CSV in record ${recordNumber}: ${cells} cells where csv.columns of rule set "default" names ${csv.kinds.length}`,
        );
        // Nothing of the odd record or after it is emitted, and every record before it is redacted.
        for (const record of csv.records) {
          for (const value of record.values) {
            if (value.length > 6) expect(out).not.toContain(value);
          }
        }
        expect(rowsOf(out, csv.delimiter).length).toBeLessThan(index + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps empty lines among declared records', () => {
    const ruleSet = ruleSetFor({ columns: ['name', 'password'], header: 'absent' });
    expect(redact(ruleSet, 'Jane Doe,hunter2\n\nJohn Roe,"x,y"\r\n\r\n').out).toBe(
      '[NAME],[SECRET]\n\n[NAME],"[SECRET]"\r\n\r\n',
    );
  });

  it('gives a first row that may be a header or data the rules of both readings', () => {
    // `2024` reads as data, `region` as a name: the row may be either, so no rule is given up.
    const ruleSet = ruleSetFor({ columns: ['name', 'password', 'email'] });
    expect(redact(ruleSet, 'region,2024,email\nJane Doe,hunter2,x\n').out).toBe(
      '[NAME],[SECRET],[EMAIL]\n[NAME],[SECRET],[EMAIL]\n',
    );
    // Read as data, it must have the declared cells.
    const { error } = redact(ruleSet, 'region,2024\nJane Doe,hunter2\n');
    expect((error as Error).message).toBe(
      'malformed CSV in record 1: 2 cells where csv.columns of rule set "default" names 3',
    );
    // Without declared columns the same file is a header with one data-like cell.
    expect(redact(plain, 'region,2024,email\nJane Doe,hunter2,x\n').out).toBe(
      'region,2024,[EMAIL]\nJane Doe,hunter2,[EMAIL]\n',
    );
  });

  it('binds a keep rule of a declared column only when the rule set says the header is absent', () => {
    const input = '1001,SSN 123-45-6789,jane.doe@example.com\n1002,call 415-555-0132,x@example.com\n';
    const guessed = withCsv(keepingNotes, { columns: ['id', 'notes', 'email'] });
    expect(redact(guessed, input).out).toBe('1001,SSN [SSN],[EMAIL]\n1002,call [PHONE],[EMAIL]\n');
    const declared = withCsv(keepingNotes, { columns: ['id', 'notes', 'email'], header: 'absent' });
    expect(redact(declared, input).out).toBe(
      '1001,SSN 123-45-6789,[EMAIL]\n1002,call 415-555-0132,[EMAIL]\n',
    );
  });

  it('reads a # line as a record, not a comment, when the header is absent', () => {
    const input = '#1001,hunter2\n#1002,hunter3\n';
    const absent = ruleSetFor({ columns: ['id', 'password'], header: 'absent' });
    expect(redact(absent, input).out).toBe('#1001,[SECRET]\n#1002,[SECRET]\n');
  });

  it('reads a # line with as many cells as declared as a record when the header is detected', () => {
    // A first value starting with # (a fast-check counterexample: a password) made the whole
    // first row a comment, left to the detectors alone.
    const detected = ruleSetFor({ columns: ['password', 'name', 'phone'] });
    expect(redact(detected, '#Tr0ub4dor,Jane Doe,555-0100\nhunter22,John Roe,555-0199\n').out).toBe(
      '[SECRET],[NAME],[PHONE]\n[SECRET],[NAME],[PHONE]\n',
    );
    // A comment of another number of cells is still one.
    expect(redact(detected, '# exported by ops\nhunter22,John Roe,555-0199\n').out).toBe(
      '# exported by ops\n[SECRET],[NAME],[PHONE]\n',
    );
  });

  it('binds the header of a first row that reads as data when the header is present', () => {
    const present = ruleSetFor({ header: 'present' });
    const input = 'email,2023,2024\nx,1,2\n';
    expect(redact(plain, input).out).toBe(input);
    expect(redact(present, input).out).toBe('[EMAIL],2023,2024\n[EMAIL],1,2\n');
  });

  it('gives the declared name to the detectors as context, as a header would', () => {
    // Nine digits in a row are an SSN only after `ssn` or under a name holding it; `ssn_id`
    // names no field rule (it describes an SSN), so only the detectors see it.
    const ruleSet = ruleSetFor({ columns: ['ssn_id', 'email'], header: 'absent' });
    expect(redact(ruleSet, '219099999,x@example.com\n').out).toBe('[SSN],[EMAIL]\n');
    expect(redact(plain, 'ref,contact\n219099999,x@example.com\n').out).toBe(
      'ref,contact\n219099999,[EMAIL]\n',
    );
  });
});
