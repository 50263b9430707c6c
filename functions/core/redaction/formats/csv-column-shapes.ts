import type { Redactor } from '../redactor.ts';
import type { ScanMatch } from '../scanner.ts';
import { forEachWindowCell, isLocalPhone } from './csv-column-inference.ts';
import type { CsvTokenizer } from './csv-tokenizer.ts';

/**
 * What a column of a headerless CSV holds when nothing names it, told by the shape of its
 * values: the name of the field rule a header would have bound (a `default.yaml` rule names
 * each), whether one value has that shape (`cell`), and whether the column's values, all of
 * them, still read as such together (`column`, optional).
 */
export interface ColumnShape {
  readonly name: string;
  readonly cell: (value: string) => boolean;
  readonly column?: (values: readonly string[]) => boolean;
}

/**
 * Nine digits, alone or as 3-2-4 groups: an SSN or ITIN without its dashes, or with them, which
 * the `us-ssn` detector takes only with the dashes or a keyword. A column of them needs neither
 * when most are valid: no area 000 or 666, no group 00, no serial 0000 (areas 900-999 are ITINs).
 */
const NINE_DIGITS = /^\d{3}([- ]?)\d{2}\1\d{4}$/;
const VALID_SSN = /^(?!000|666)\d{3}[- ]?(?!00)\d{2}[- ]?(?!0000)\d{4}$/;

/** A calendar date without a time, numeric (`1984-02-29`, `02/29/1984`, `29.02.1984`) or with a month's name. */
const NUMERIC_DATE = /^(?:(\d{4})([-./])(\d{1,2})\2(\d{1,2})|(\d{1,2})([-./])(\d{1,2})\6(\d{4}))$/;
const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const NAMED_DATE = new RegExp(
  `^(?:\\d{1,2}[ -](?:${MONTHS})[a-z]*\\.?[ -]\\d{4}|(?:${MONTHS})[a-z]*\\.? \\d{1,2},? \\d{4})$`,
  'i',
);
/**
 * A person's name: two to four words, each capitalized (`Jane`, `O'Brien`, `Smith-Jones`,
 * `McDonald`, `JANE`), an initial (`Q.`) or a lowercase particle (`van der Berg`, `de la Cruz`),
 * the first and last capitalized; or `Doe, Jane`.
 */
const WORD = "\\p{Lu}(?:[\\p{L}'’-]*\\p{L})?";
const PARTICLE = '(?:van|von|der|den|de|del|della|da|di|du|la|le|bin|ibn|al|el|dos|das)';
const NAME_PART = `(?:${WORD}|\\p{Lu}\\.)`;
const PERSON_NAME = new RegExp(
  `^(?:${NAME_PART}(?: (?:${PARTICLE} ){0,2}${NAME_PART}){1,3}|${WORD}, ${NAME_PART}(?: ${NAME_PART})?)$`,
  'u',
);

/** A street address: a house number, one to five words, a street type, an optional unit. */
const STREET_ADDRESS =
  /^\d{1,6}[A-Za-z]? (?:[\p{L}\d.'’-]+ ){0,5}(?:st|street|ave|avenue|rd|road|blvd|boulevard|ln|lane|dr|drive|ct|court|way|pl|place|ter|terrace|pkwy|parkway|hwy|highway|cir|circle|sq|square)\.?(?:,? (?:apt|suite|ste|unit|#) ?[\w-]+)?$/iu;

/**
 * A password or key alone in a cell (`hunter2`, `Tr0ub4dor&3`): 6 to 64 characters without a
 * space, a letter and a digit or a symbol of those passwords hold among them. Not a number, a
 * date, a timestamp, a version, a path or a URL, nor 16 hexadecimal digits or more alone
 * (digests, ETags), a UUID or a colour (`#ff8800`), and no email in it.
 */
const SECRET_TOKEN = /^(?=\S*\p{L})(?=\S*[\d!#$%&*+=?@^~|<>{}[\]()])\S{6,64}$/u;
const NOT_SECRET =
  /^(?:[\da-f]{16,}|#[\da-f]{3,8}|\d{4}-\d{2}-\d{2}[T ][\d:.]+(?:Z|[+-][\d:]+)?|[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}|v?\d+(?:\.\d+)+(?:[-+][\w.]+)?|(?:~|\.{1,2})?\/[\w./-]*|\p{L}+:\/\/\S*)$|[^@\s"]@[^@\s"]+\.\p{L}{2,}/iu;

/** The character classes of a value in order (`ORD-0012` → `AAA-9999`): ids of one column share theirs. */
function outline(value: string): string {
  return value
    .replace(/\p{Lu}/gu, 'A')
    .replace(/\p{Ll}/gu, 'a')
    .replace(/\d/g, '9');
}

function isDate(value: string): boolean {
  const numeric = NUMERIC_DATE.exec(value);
  if (numeric === null) return NAMED_DATE.test(value);
  const [year, first, second] =
    numeric[1] !== undefined
      ? [Number(numeric[1]), Number(numeric[3]), Number(numeric[4])]
      : [Number(numeric[8]), Number(numeric[5]), Number(numeric[7])];
  // Month and day in either order (02/29/1984, 29/02/1984), one of them a month.
  return (
    year >= 1800 &&
    first >= 1 &&
    second >= 1 &&
    Math.min(first, second) <= 12 &&
    Math.max(first, second) <= 31
  );
}

/**
 * The shapes, in the order they are tried: the first that more than two thirds of a column's
 * filled cells have names it.
 */
const SHAPES: readonly ColumnShape[] = [
  {
    name: 'ssn',
    cell: (value) => NINE_DIGITS.test(value),
    column: (values) => values.filter((value) => VALID_SSN.test(value)).length * 2 > values.length,
  },
  // Any column of dates alone: nothing tells a date of birth from another, and a class of
  // pupils is born within two years as surely as orders are placed within them. Dates with a
  // time are events.
  { name: 'dob', cell: isDate },
  { name: 'address', cell: (value) => STREET_ADDRESS.test(value) },
  { name: 'name', cell: (value) => PERSON_NAME.test(value) },
  {
    name: 'password',
    cell: (value) => SECRET_TOKEN.test(value) && !NOT_SECRET.test(value),
    // Three values or more of one outline are ids (`ORD-0012`, `SKU-ABC-12345`), and values
    // that repeat are codes; two may be passwords whatever they look like.
    column: (values) =>
      values.length < 3 ||
      (new Set(values.map(outline)).size > 1 && new Set(values).size * 4 > values.length * 3),
  },
];

/** The shapes whose names bind a field rule of the redactor's rule set that is not `keep`, in order. */
export function columnShapes(redactor: Redactor): readonly ColumnShape[] {
  return SHAPES.filter((shape) => {
    const rule = redactor.fieldRule([shape.name]);
    return rule !== undefined && !rule.isKeep;
  });
}

/**
 * The name each column of a headerless CSV goes by, as the shapes of its cells in the first
 * `records` records held by `tokens` tell (see {@link SHAPES}), with `matches` the batch scan of
 * their text, or `undefined` for a column none names; `undefined` when no column is named. A
 * cell that a detector matches whole is left to that detector (a column of access key ids is
 * not one of passwords): only the others are read.
 *
 * @example
 * // records `Jane Doe,123456789` and `John Roe,987654320`
 * inferColumnNames(tokens, 2, matches, columnShapes(redactor)); // ['name', 'ssn']
 */
export function inferColumnNames(
  tokens: CsvTokenizer,
  records: number,
  matches: readonly ScanMatch[],
  shapes: readonly ColumnShape[],
): readonly (string | undefined)[] | undefined {
  const columns: string[][] = [];
  forEachWindowCell(tokens, records, matches, (column, value, _isEscaped, wholeDetector) => {
    if (wholeDetector !== undefined) return;
    const values = columns[column] ?? [];
    values.push(value);
    columns[column] = values;
  });
  let names: (string | undefined)[] | undefined;
  columns.forEach((values, column) => {
    const name = shapeName(values, shapes);
    if (name === undefined) return;
    names ??= [];
    names[column] = name;
  });
  return names;
}

/**
 * The name of the first of `shapes` that more than two thirds of `values` (a column's filled
 * cells, decoded) have, those values read together as such too; else `undefined`.
 */
export function shapeName(values: readonly string[], shapes: readonly ColumnShape[]): string | undefined {
  return shapes.find((shape) => {
    const shaped = values.filter(shape.cell);
    return shaped.length * 3 > values.length * 2 && (shape.column?.(shaped) ?? true);
  })?.name;
}

/**
 * True when the first of the first `records` records held by `tokens` (`matches` the batch scan
 * of their text) is a row of values, not a header: in a column of the later records that a shape
 * other than a person's name names (see {@link inferColumnNames}), or that local phone numbers
 * fill, the first row's cell has that shape too (see {@link hasNamedShape}). Needs a record
 * after the first.
 *
 * @example
 * // records `Jane Doe,hunter2` and `John Roe,letmein1`
 * isFirstRowOfValues(tokens, 2, matches, shapes); // true: hunter2 has a password's shape
 */
export function isFirstRowOfValues(
  tokens: CsvTokenizer,
  records: number,
  matches: readonly ScanMatch[],
  shapes: readonly ColumnShape[],
): boolean {
  const first: (string | undefined)[] = [];
  const columns: string[][] = [];
  forEachWindowCell(tokens, records, matches, (column, value, _isEscaped, wholeDetector, record) => {
    if (record === 0) first[column] = value;
    if (record === 0 || wholeDetector !== undefined) return;
    const values = columns[column] ?? [];
    values.push(value);
    columns[column] = values;
  });
  // Local phone numbers, which csv-column-inference.ts makes a phone column of, count as well.
  const isPhoneRow = columns.some((values, column) => {
    const value = first[column];
    return (
      value !== undefined && isLocalPhone(value) && values.filter(isLocalPhone).length * 3 > values.length * 2
    );
  });
  return (
    isPhoneRow ||
    hasNamedShape(
      first,
      columns.map((values) => shapeName(values, shapes)),
      shapes,
    )
  );
}

/**
 * True when a first row's value (`first`, by column) has the shape of its column, as `names`
 * (the names {@link shapeName} gives the later rows' values of each column) names it, for a
 * shape other than a person's name: a header cell does not look like a password, an SSN, a date
 * or an address, though it may look like a name (`Account Holder`). What decides that a first
 * row of a CSV file or a JSON table is a row of values.
 */
export function hasNamedShape(
  first: readonly (string | undefined)[],
  names: readonly (string | undefined)[],
  shapes: readonly ColumnShape[],
): boolean {
  return names.some((name, column) => {
    const value = first[column];
    const shape = shapes.find((each) => each.name === name);
    return value !== undefined && shape !== undefined && shape.name !== 'name' && shape.cell(value);
  });
}
