import { SEP_LINE } from './csv-redactor.ts';
import { sniffCsvDelimiter } from './sniff-csv-delimiter.ts';

/** A comment line of a CSV's preamble, not a record starting with an id (`#1001`). */
const COMMENT = /^#(?![\p{L}\p{N}])/u;
/** A header cell: a column name, not a sentence or a value (a leading `#` as in `#id,name`). */
const COLUMN_NAME = /^#?[\p{L}_][\p{L}\p{Nd}_ .()/-]{0,63}$/u;

/** True when `text` reads as a header cell: a column name, not a sentence or a value. */
export function isColumnName(text: string): boolean {
  return COLUMN_NAME.test(text);
}

/**
 * True when a head of text (an object labelled `.txt`, `.log` or `text/plain`) is a CSV whose
 * header names a column the rule set rules (`isRuled`): after the preamble the CSV redactor
 * allows (a `sep=X` first line, empty lines, `#` comments that name no ruled column), a line of
 * at least two cells, every one a plain column name and one of them ruled, and every other
 * complete line of the head with as many cells. Such an object read as text would lose its
 * column rules (a `password` column holds values no detector knows by shape), so it is read as
 * CSV: the label weakens nothing. Lines with quotes are not counted (a quoted cell may hold the
 * delimiter); a head with no complete header line is not a CSV here.
 *
 * @example
 * sniffRuledCsv(bytes('email,password\nada@example.com,hunter2\n'), (name) => name === 'password') // true
 */
export function sniffRuledCsv(head: Uint8Array, isRuled: (name: string) => boolean): boolean {
  const { lines, declared } = headLines(head);
  const namesRuled = (names: readonly string[]): boolean =>
    names.some((name) => isRuled(name.replace(/^#/, '')));
  let at = declared === undefined ? 0 : 1;
  while (at < lines.length) {
    const line = lines[at] as string;
    if (line !== '' && (!line.startsWith('#') || namesRuled(line.split(delimiterOf(line, declared))))) break;
    at++;
  }
  const header = lines[at];
  if (header === undefined) return false;
  const delimiter = delimiterOf(header, declared);
  const names = header.split(delimiter).map((cell) => cell.trim());
  if (names.length < 2 || !names.every(isColumnName) || !namesRuled(names)) return false;
  return lines
    .slice(at + 1)
    .every((line) => line === '' || line.includes('"') || line.split(delimiter).length === names.length);
}

/**
 * The complete lines of a head of text (a BOM left out; the last, cut by the head's end or empty
 * after the last line break, dropped) and the delimiter a `sep=X` first line declares, if any.
 */
function headLines(head: Uint8Array): { lines: string[]; declared: string | undefined } {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.pop();
  return { lines, declared: SEP_LINE.exec(lines[0] ?? '')?.[1] };
}

/** The declared delimiter, or the one `line` sniffs to. */
function delimiterOf(line: string, declared: string | undefined): string {
  return declared ?? (sniffCsvDelimiter(`${line}\n`, 0, true, line.length + 1) as string);
}

/**
 * True when a head of text (an object labelled `.txt`, `.log` or `text/plain`) is a CSV without
 * a header row whose columns the shapes of their values name (`nameOf`, see
 * csv-column-shapes.ts): after the preamble the CSV redactor allows, every complete line of the
 * head without quotes has as many cells, at least two, and one column's values take a name other
 * than a person's. Read as text, its undashed SSNs, bare passwords and dates of birth would pass
 * (`Jane Doe,jane@example.com,123456789,hunter2,1984-02-29`); read as CSV, the column rules they
 * name apply. A line of prose rarely splits the same way on every line, and never so that one
 * column holds nothing but SSNs, dates, addresses or passwords.
 *
 * @example
 * sniffShapedCsv(bytes('Jane Doe,123456789\nJohn Roe,987654320\n'), nameOf) // true: an SSN column
 */
export function sniffShapedCsv(
  head: Uint8Array,
  nameOf: (values: readonly string[]) => string | undefined,
): boolean {
  const { lines, declared } = headLines(head);
  // Empty lines, comments (a `#` and no letter or digit after it) and lines with quotes aside.
  const records = lines
    .slice(declared === undefined ? 0 : 1)
    .filter((line) => line !== '' && !COMMENT.test(line) && !line.includes('"'));
  const first = records[0];
  if (first === undefined) return false;
  const delimiter = delimiterOf(first, declared);
  const rows = records.map((line) => line.split(delimiter));
  const width = (rows[0] as string[]).length;
  if (width < 2 || rows.some((cells) => cells.length !== width)) return false;
  return (rows[0] as string[]).some((_, column) => {
    const values = rows.map((cells) => cells[column] as string).filter((value) => value !== '');
    const name = nameOf(values);
    return name !== undefined && name !== 'name';
  });
}
