import fc from 'fast-check';
import { createCsvRedactor } from '../../functions/core/redaction/formats/csv-redactor.ts';
import type { FormatRedactor } from '../../functions/core/redaction/formats/format-redactor.ts';
import { createJsonRedactor } from '../../functions/core/redaction/formats/json-redactor.ts';
import { createNdjsonRedactor } from '../../functions/core/redaction/formats/ndjson-redactor.ts';
import type { Redactor } from '../../functions/core/redaction/redactor.ts';

/** How a field name is written: the same words in each case convention seen in data. */
export type Convention = (words: readonly string[]) => string;

const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export const conventions: Record<string, Convention> = {
  snake: (words) => words.join('_'),
  screaming: (words) => words.join('_').toUpperCase(),
  camel: (words) => words.map((word, i) => (i === 0 ? word : capital(word))).join(''),
  pascal: (words) => words.map(capital).join(''),
  kebab: (words) => words.join('-'),
  train: (words) => words.map(capital).join('-'),
  spaced: (words) => words.join(' '),
  title: (words) => words.map(capital).join(' '),
  dotted: (words) => words.join('.'),
};

/** No separators at all (`secretaccesskey`): a name's words can no longer be told apart. */
export const flat: Convention = (words) => words.join('').toLowerCase();

/** A field name: `words` written in one of `among` (default: every convention but `flat`). */
export function fieldName(
  words: fc.Arbitrary<readonly string[]>,
  among: readonly Convention[] = Object.values(conventions),
): fc.Arbitrary<string> {
  return fc.tuple(words, fc.constantFrom(...among)).map(([parts, convention]) => convention(parts));
}

/** An AWS secret access key: 40 characters of `A-Z a-z 0-9 / +`. */
export const awsSecretKey = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+'),
  minLength: 40,
  maxLength: 40,
});

/** An STS session token: a long base64 run. */
export const sessionToken = fc
  .string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+'),
    minLength: 60,
    maxLength: 400,
  })
  .map((token) => `FwoGZXIvYXdzE${token}=`);

/** A password: printable text with quotes, delimiters, backslashes, spaces and non-ASCII. */
export const password = fc.string({
  unit: fc.constantFrom(...'abcdefghXYZ0123456789!"#$%&\'()*,-./:;<=>?@[\\]^_`{|}~ é😀'),
  minLength: 20,
  maxLength: 40,
});

/** Where a planted field sits: JSON at a random depth, one NDJSON line among others, or a CSV column. */
export type Format = 'json' | 'ndjson' | 'csv';
export const formats: readonly Format[] = ['json', 'ndjson', 'csv'];

/** The wrappers around a planted JSON member, outermost first: an object key or an array. */
const wrapper = fc.oneof(
  fc.constantFrom('data', 'items', 'meta', 'records', 'x').map((key) => ({ key })),
  fc.constant({ key: undefined }),
);
export const jsonWrappers = fc.array(wrapper, { maxLength: 5 });

/**
 * A document of `format` in which the field `name` holds `value`, among neutral fields. In JSON
 * the field sits under `wrappers` (a key, or an array for `key: undefined`).
 */
export function plantedDocument(
  format: Format,
  name: string,
  value: string,
  wrappers: readonly { key: string | undefined }[] = [],
): string {
  if (format === 'csv') {
    return `id,${quoteCsv(name)},note\r\n1,${quoteCsv(value)},plain\r\n2,,other\r\n`;
  }
  let document: unknown = { id: 1, [name]: value, note: 'plain' };
  for (const { key } of [...wrappers].reverse()) {
    document = key === undefined ? ['plain', document, 2] : { id: 'n', [key]: document };
  }
  if (format === 'json') return JSON.stringify(document, null, 1);
  return `${JSON.stringify({ id: 0, note: 'first' })}\n${JSON.stringify(document)}\r\n{"id":2}\n`;
}

function quoteCsv(cell: string): string {
  return /[",\r\n]/.test(cell) || cell.trim() !== cell ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** Redacts `input` as `format`, pushed in pieces cut at `cuts`. */
export function redactIn(
  format: Format,
  redactor: Redactor,
  input: string,
  cuts: readonly number[] = [],
): string {
  const make: Record<Format, (redactor: Redactor) => FormatRedactor> = {
    json: createJsonRedactor,
    ndjson: createNdjsonRedactor,
    csv: createCsvRedactor,
  };
  const stream = make[format](redactor);
  const points = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort((a, b) => a - b);
  let output = '';
  let from = 0;
  for (const point of [...points, input.length]) {
    output += stream.push(input.slice(from, point));
    from = point;
  }
  return output + stream.end();
}

/**
 * The parsed form of `text` in `format`, which throws if the text does not parse: the JSON value,
 * the values of the NDJSON lines, or the CSV records as arrays of cells.
 */
export function parseOutput(format: Format, text: string): unknown {
  if (format === 'json') return JSON.parse(text);
  if (format === 'ndjson') {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line));
  }
  return parseCsv(text);
}

/**
 * The value at the planted field of a parsed document made by `plantedDocument`, or `undefined`
 * when it was dropped.
 */
export function plantedValue(
  format: Format,
  parsed: unknown,
  name: string,
  wrappers: readonly { key: string | undefined }[] = [],
): unknown {
  if (format === 'csv') return (parsed as string[][])[1]?.[1];
  let node: unknown = format === 'json' ? parsed : (parsed as unknown[])[1];
  for (const { key } of wrappers)
    node = key === undefined ? (node as unknown[])[1] : (node as Record<string, unknown>)[key];
  return (node as Record<string, unknown> | undefined)?.[name];
}

/** RFC 4180 records; throws on an unclosed quote or text after a closing quote. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let cells: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unclosed quote');
        if (text.startsWith('""', i)) {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else cell += text[i++];
      }
    } else {
      while (i < text.length && !',\r\n'.includes(text[i] as string)) cell += text[i++];
    }
    cells.push(cell);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.startsWith('\r\n', i)) i += 2;
    else if (text[i] === '\n') i++;
    else if (i < text.length) throw new Error('text after a closing quote');
    records.push(cells);
    cells = [];
  }
  return records;
}
