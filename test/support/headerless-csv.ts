import fc from 'fast-check';
import { loadRuleCatalog } from '../../functions/adapters/local-rule-set-source.ts';
import { compileRuleSet } from '../../functions/core/redaction/compile-rule-set.ts';
import type { CompiledRuleSet } from '../../functions/core/redaction/redactor.ts';
import { csvSchema, type FieldRule, fieldRuleSchema } from '../../functions/core/redaction/rule-schema.ts';
import { testTokenKeys } from '../unit/actions/test-token-keys.ts';
import { password } from './planted-fields.ts';

/** What a column of a headerless export holds: a declared name for it and the label its rule gives. */
export type ColumnKind = 'name' | 'email' | 'ssn' | 'password' | 'dob' | 'phone';

/** Each kind's declared column name (a `default.yaml` field rule names it) and its label. */
export const COLUMN_LABELS: Record<ColumnKind, string> = {
  name: '[NAME]',
  email: '[EMAIL]',
  ssn: '[SSN]',
  password: '[SECRET]',
  dob: '[DATE_OF_BIRTH]',
  phone: '[PHONE]',
};
export const COLUMN_KINDS = Object.keys(COLUMN_LABELS) as ColumnKind[];

/** Kinds whose values read as data in a first row (a number, a date, an email: see the CSV redactor). */
export const DATA_LIKE_KINDS: readonly ColumnKind[] = ['email', 'ssn', 'dob', 'phone'];

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/**
 * Values nothing in a cell names: a person's name, an undashed SSN, a password alone or as
 * `password=…`, a date of birth, a seven-digit phone number (and an email, which detectors know).
 */
export const PLANTED_VALUES: Record<ColumnKind, fc.Arbitrary<string>> = {
  name: fc
    .tuple(
      fc.constantFrom('Jane', 'John', 'Ana María', 'Chloé', 'Wei', "D'Arcy"),
      fc.constantFrom('Doe', 'Roe', 'Ng', "O'Brien", 'van der Berg', 'Smith-Jones'),
    )
    .map(([first, last]) => `${first} ${last}`),
  email: fc
    .tuple(
      fc.constantFrom('jane.doe', 'j_roe', 'wei+csv'),
      fc.constantFrom('example.com', 'corp.example.org'),
    )
    .map(([local, domain]) => `${local}@${domain}`),
  ssn: fc
    .tuple(
      // Areas the SSA issues: not 000, 666 or 900-999 (a column of 666s is not named an SSN column).
      fc.integer({ min: 1, max: 898 }).map((area) => (area >= 666 ? area + 1 : area)),
      fc.integer({ min: 1, max: 99 }),
      fc.integer({ min: 1, max: 9999 }),
    )
    .map(([area, group, serial]) => `${pad(area, 3)}${pad(group, 2)}${pad(serial, 4)}`),
  password: fc.oneof(password, fc.constantFrom('hunter2', 'password=hunter2', 'Tr0ub4dor&3')),
  dob: fc
    .tuple(
      fc.integer({ min: 1930, max: 2010 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
    )
    .chain(([year, month, day]) =>
      fc.constantFrom(
        `${year}-${pad(month, 2)}-${pad(day, 2)}`,
        `${pad(month, 2)}/${pad(day, 2)}/${year}`,
        `${pad(day, 2)}.${pad(month, 2)}.${year}`,
      ),
    ),
  phone: fc
    .integer({ min: 0, max: 9999 })
    .chain((line) => fc.constantFrom(`555-${pad(line, 4)}`, `(415) 555 ${pad(line, 4)}`)),
};

/**
 * A cell as a CSV writer puts it: quoted when it must be, or when the writer quotes everything.
 * A cell holding another usual delimiter is quoted too, so that sniffing finds the one used.
 */
export function csvCell(value: string, delimiter: string, isQuoted: boolean): string {
  const mustQuote = /["\r\n,;\t|]/.test(value) || value.includes(delimiter);
  return isQuoted || mustQuote ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A record of planted values, one per kind, with how each cell is quoted and how the line ends. */
export interface PlantedRecord {
  readonly values: readonly string[];
  readonly quoted: readonly boolean[];
  readonly terminator: string;
  /** An empty line before the record. */
  readonly isAfterBlank: boolean;
}

/** A CSV without a header row: records of planted values under `kinds`, written with `delimiter`. */
export interface HeaderlessCsv {
  readonly kinds: readonly ColumnKind[];
  readonly delimiter: string;
  readonly records: readonly PlantedRecord[];
  /** The last record ends without a line break. */
  readonly isUnterminated: boolean;
}

/** The text of a headerless CSV, the record at `odd` (if any) replaced by `oddRecord`. */
export function csvText(csv: HeaderlessCsv, odd?: { at: number; record: string }): string {
  let text = '';
  csv.records.forEach((record, index) => {
    const line =
      odd?.at === index
        ? odd.record
        : record.values
            .map((value, column) => csvCell(value, csv.delimiter, record.quoted[column] ?? false))
            .join(csv.delimiter);
    const isLast = index === csv.records.length - 1;
    text += `${record.isAfterBlank ? record.terminator : ''}${line}${isLast && csv.isUnterminated ? '' : record.terminator}`;
  });
  return text;
}

/**
 * Headerless CSVs over the given kinds (every kind, in any order, by default): any usual
 * delimiter, cells quoted or not, LF, CRLF or CR line ends, empty lines between records, a last
 * record with or without its line break.
 */
export function headerlessCsv(
  kinds: fc.Arbitrary<readonly ColumnKind[]> = fc.shuffledSubarray(COLUMN_KINDS, {
    minLength: COLUMN_KINDS.length,
  }),
): fc.Arbitrary<HeaderlessCsv> {
  return fc
    .record({
      kinds,
      delimiter: fc.constantFrom(',', ';', '\t', '|'),
      terminator: fc.constantFrom('\n', '\r\n', '\r'),
    })
    .chain(({ kinds, delimiter, terminator }) =>
      fc.record({
        kinds: fc.constant(kinds),
        delimiter: fc.constant(delimiter),
        records: fc.array(
          fc.record({
            values: fc.tuple(...kinds.map((kind) => PLANTED_VALUES[kind])),
            quoted: fc.array(fc.boolean(), { minLength: kinds.length, maxLength: kinds.length }),
            terminator: fc.oneof(fc.constant(terminator), fc.constantFrom('\n', '\r\n', '\r')),
            isAfterBlank: fc.boolean(),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        isUnterminated: fc.boolean(),
      }),
    )
    .map((csv) => ({
      ...csv,
      // The first record starts the object: an empty line before it would be preamble.
      records: csv.records.map((record, index) =>
        index === 0 ? { ...record, isAfterBlank: false } : record,
      ),
    }));
}

/**
 * The shipped `default` rule set with `fields` put before its own (they win, as the first rule
 * naming a field does) and `csv` set as a rule file writes it, compiled with test keys.
 */
export async function defaultRuleSetWith(
  fields: readonly unknown[] = [],
  csv?: unknown,
): Promise<CompiledRuleSet> {
  const resolved = (await loadRuleCatalog('redaction-rules')).get('default');
  if (resolved === undefined) throw new Error('no shipped rule set default');
  const extra: FieldRule[] = fields.map((field) => fieldRuleSchema.parse(field));
  const ruleSet = {
    ...resolved.ruleSet,
    fields: [...extra, ...resolved.ruleSet.fields],
    ...(csv === undefined ? {} : { csv: csvSchema.parse(csv) }),
  };
  return compileRuleSet(ruleSet, testTokenKeys('k1'), undefined, resolved.packs);
}

/**
 * `compiled` with `csv` set as a rule file writes it: what compiling the rule set with that
 * `csv` gives in this thread, without compiling its detectors again for every layout a
 * property draws (its `origin`, which worker threads compile, stays without it).
 */
export function withCsv(compiled: CompiledRuleSet, csv: unknown): CompiledRuleSet {
  return { ...compiled, csv: csvSchema.parse(csv) };
}
