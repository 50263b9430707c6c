import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import { MalformedObjectError, UnsupportedFormatError } from '../../../functions/core/errors.ts';
import { csvShape } from '../formats/parse-csv.ts';
import { compiledRuleSetOf, nameFieldRule, sampleDetectors } from '../support/compiled-rule-set.ts';

/** Caught by the detectors wherever they are. */
const DETECTED = ['bob.planted@example.com', '219-09-9999', '4111 1111 1111 1111'];
/** Caught only by a column or field rule (`name` redacts, `secret` drops). */
const NAMED = ['Quillon Varga', 'Ysolde Marr'];

const ruleSet = compiledRuleSetOf(sampleDetectors(), [
  nameFieldRule('name', ['name']),
  nameFieldRule('secret', ['secret'], () => undefined),
]);

/** Content types a store may hold for any object: missing, generic, text, right and wrong ones. */
const anyContentType = fc.constantFrom(
  undefined,
  'text/plain',
  'text/plain; charset=utf-8',
  'text/x-log',
  'application/octet-stream',
  'binary/octet-stream',
  'text/csv',
  'application/json',
  'application/x-ndjson',
  'application/vnd.ms-excel',
);

async function* chunksOf(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < bytes.byteLength; i++) {
    const size = 1 + ((sizes[i % Math.max(1, sizes.length)] ?? 4096) % 4096);
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

interface Served {
  readonly output: Buffer;
  readonly failure: unknown;
}

/** Everything the client would receive, and the error that aborted the transfer, if any. */
async function serve(
  body: Uint8Array,
  key: string,
  contentType: string | undefined,
  sizes: readonly number[],
): Promise<Served> {
  const chunks: Uint8Array[] = [];
  try {
    const stream = await openRedactionStream(chunksOf(body, sizes), { ruleSet, key, contentType });
    for await (const chunk of stream.body) chunks.push(chunk);
  } catch (failure) {
    return { output: Buffer.concat(chunks), failure };
  }
  return { output: Buffer.concat(chunks), failure: undefined };
}

function quote(value: string, delimiter: string, wantsQuotes: boolean): string {
  const mustQuote = /["\r\n]/.test(value) || value.includes(delimiter);
  return wantsQuotes || mustQuote ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A CSV with planted values: a header (clean, so column rules bind; or holding a detected value,
 * so it is data) or none, `sep=` and comment preambles, LF/CRLF/CR endings, a sniffed delimiter.
 */
const plantedCsv = fc
  .record({
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    header: fc.constantFrom('clean', 'planted', 'none'),
    hasSep: fc.boolean(),
    comments: fc.array(
      fc.oneof(
        fc.constant(''),
        fc.constantFrom(...DETECTED).map((value) => `# export for ${value}`),
      ),
      {
        maxLength: 2,
      },
    ),
    newline: fc.constantFrom('\n', '\r\n', '\r'),
    hasBom: fc.boolean(),
    rows: fc.array(
      fc.array(
        fc.tuple(fc.constantFrom(...DETECTED, 'plain', 'x y', '', 'two\nlines', 'a;b,c|d'), fc.boolean()),
        {
          minLength: 5,
          maxLength: 5,
        },
      ),
      { minLength: 1, maxLength: 6 },
    ),
    names: fc.array(fc.constantFrom(...NAMED), { minLength: 12, maxLength: 12 }),
  })
  .map(({ delimiter, header, hasSep, comments, newline, hasBom, rows, names }) => {
    const columns = ['id', 'name', 'note', 'secret', 'city'];
    if (header === 'planted') columns[2] = DETECTED[0] as string;
    const hasNamedColumns = header === 'clean';
    const records = rows.map((row, index) =>
      row
        .map(([value, wantsQuotes], column) => {
          const planted =
            hasNamedColumns && (column === 1 || column === 3)
              ? (names[index * 2 + (column >> 1)] as string)
              : value;
          return quote(planted, delimiter, wantsQuotes);
        })
        .join(delimiter),
    );
    const lines = [
      ...(hasSep ? [`sep=${delimiter}`] : []),
      ...comments,
      ...(header === 'none' ? [] : [columns.join(delimiter)]),
      ...records,
    ];
    return { delimiter, hasBom, text: lines.join(newline) + newline };
  });

describe('openRedactionStream with planted values', () => {
  it('leaves no planted value in a CSV and keeps its shape, whatever its header, preamble, line ends, delimiter, extension or content type (generated)', async () => {
    await fc.assert(
      fc.asyncProperty(
        plantedCsv,
        anyContentType,
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('csv', 'txt', 'log'),
        async ({ delimiter, hasBom, text }, contentType, isGzip, sizes, extension) => {
          const input = Buffer.from(`${hasBom ? '\uFEFF' : ''}${text}`);
          // A careless uploader's name too: a CSV under `.txt` or `.log` keeps its column rules.
          const key = `exports/people.${extension}${isGzip ? '.gz' : ''}`;
          const { output, failure } = await serve(isGzip ? gzipSync(input) : input, key, contentType, sizes);
          if (extension !== 'csv' && /json/.test(contentType ?? '')) {
            // A JSON type beats `.txt`: the CSV is then refused as malformed JSON, before any
            // byte of content (gzip may have sent its header; NDJSON keeps the blank lines it
            // read before the first line that fails, which are valid NDJSON and no content).
            expect(failure).toBeInstanceOf(MalformedObjectError);
            if (!isGzip) expect(output.toString('utf8')).toMatch(/^[\r\n]*$/);
            return;
          }
          expect(failure).toBeUndefined();
          const redacted = (isGzip ? gunzipSync(output) : output).toString('utf8');
          for (const value of [...DETECTED, ...NAMED]) expect(redacted).not.toContain(value);
          expect(csvShape(redacted, delimiter)).toEqual(csvShape(input.toString('utf8'), delimiter));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('applies JSON field rules to JSON and NDJSON stored as text or under a generic type (generated)', async () => {
    const record = fc.record({
      name: fc.constantFrom(...NAMED),
      secret: fc.constantFrom(...NAMED),
      note: fc.constantFrom(...DETECTED, 'plain'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('json', 'pretty-json', 'ndjson'),
        fc.constantFrom('json', 'ndjson', 'jsonl', 'txt', 'log'),
        fc.constantFrom(
          'text/plain',
          'text/plain; charset=utf-8',
          'application/octet-stream',
          'text/csv',
          undefined,
        ),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        async (records, layout, extension, contentType, sizes) => {
          const text =
            layout === 'ndjson'
              ? records.map((value) => `${JSON.stringify(value)}\n`).join('')
              : JSON.stringify(records, null, layout === 'pretty-json' ? 2 : undefined);
          const { output, failure } = await serve(
            Buffer.from(text),
            `exports/people.${extension}`,
            contentType,
            sizes,
          );
          const redacted = output.toString('utf8');

          expect(failure).toBeUndefined();
          for (const value of [...DETECTED, ...NAMED]) expect(redacted).not.toContain(value);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Text in an encoding that is not UTF-8 but, for ASCII characters, is valid UTF-8 with NULs. */
function encodeAs(text: string, encoding: string): Buffer {
  const units = Buffer.from(text, 'utf16le');
  switch (encoding) {
    case 'utf-16le':
      return units;
    case 'utf-16be':
      return Buffer.from(units).swap16();
    case 'utf-32le':
    case 'utf-32be': {
      const out = Buffer.alloc(text.length * 4);
      for (let i = 0; i < text.length; i++) {
        if (encoding === 'utf-32le') out.writeUInt32LE(text.charCodeAt(i), i * 4);
        else out.writeUInt32BE(text.charCodeAt(i), i * 4);
      }
      return out;
    }
    default:
      return Buffer.from([...text].join('\0'), 'latin1');
  }
}

/** A start that each format redacts to itself, so every byte served is accounted for. */
function asciiStart(format: string, bytes: number): string {
  const unit =
    { log: 'lorem ipsum dolor\n', csv: 'lorem,ipsum\n', ndjson: '{"n":1}\n', json: '' }[format] ?? '';
  if (format === 'json') return `[${'1,'.repeat(Math.ceil(bytes / 2))}`;
  return unit.repeat(Math.ceil(bytes / unit.length));
}

describe('openRedactionStream on text in another encoding', () => {
  it('aborts on UTF-16, UTF-32 or NUL-interleaved text after any ASCII start, serving nothing after it (generated)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('log', 'csv', 'ndjson', 'json'),
        fc.integer({ min: 0, max: 8192 }),
        fc.constantFrom('utf-16le', 'utf-16be', 'utf-32le', 'utf-32be', 'nul-interleaved'),
        fc.constantFrom(...DETECTED),
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        async (format, startBytes, encoding, planted, isGzip, sizes) => {
          const start = Buffer.from(asciiStart(format, startBytes));
          const hidden = encodeAs(`ssn ${planted} ok\n`, encoding);
          const input = Buffer.concat([start, hidden, start]);
          const key = `exports/data.${format}${isGzip ? '.gz' : ''}`;
          const { output, failure } = await serve(isGzip ? gzipSync(input) : input, key, 'text/plain', sizes);
          const served = isGzip ? gunzipSync(output, { finishFlush: 2 }) : output;

          expect(
            failure instanceof MalformedObjectError || failure instanceof UnsupportedFormatError,
            String(failure),
          ).toBe(true);
          expect(start.subarray(0, served.byteLength).equals(served)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
