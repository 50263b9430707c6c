import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LimitExceededError, MalformedObjectError } from '../../../functions/core/errors.ts';
import { withContext } from '../../../functions/core/redaction/detectors/with-context.ts';
import { createJsonRedactor } from '../../../functions/core/redaction/formats/json-redactor.ts';
import { createNdjsonRedactor } from '../../../functions/core/redaction/formats/ndjson-redactor.ts';
import { type CompiledFieldRule, Redactor } from '../../../functions/core/redaction/redactor.ts';
import {
  compiledRuleSetOf,
  nameFieldRule,
  regexDetector,
  sampleDetectors,
} from '../support/compiled-rule-set.ts';
import { splitAt } from '../support/split-at.ts';

/**
 * Records of one shape repeat their keys, and the members after the first record are read as
 * plain members in one loop (`JsonTokenRewriter.plainMembers`). A member that only looks like
 * one there (an exponent, a leading zero, a raw control character, a key written with escapes,
 * blanks around the colon…) must be read as the lexer reads it: accepted and written as
 * `JSON.stringify` writes it, or rejected.
 */
const keys = ['a', 'id', 'b c', 'é', 'q"t\t'];

/** Raw member value texts, valid JSON or not. */
const rawValue = fc.constantFrom(
  '0',
  '-1',
  '12.5',
  '-0.25',
  '01',
  '1.',
  '.5',
  '-',
  '+1',
  '1e5',
  '2E+2',
  '3e-1',
  '1-2',
  ' 7',
  '7 ',
  'true',
  'nul',
  'null',
  '"x"',
  '""',
  '"a\\"b"',
  '"a\\u0062"',
  '"\t"',
  '"\u0001"',
  '"\ud83d"',
  '"😀"',
  '"{\\"x\\":1}"',
  '" [1]"',
  '{"x":1}',
  '[1,2]',
  '"x',
);

/** Raw key texts: the key itself, written otherwise, or not a key. */
function rawKey(key: string): fc.Arbitrary<string> {
  return fc.constantFrom(
    `"${key}"`,
    `"${key}" `,
    `"\\u00${key.charCodeAt(0).toString(16)}${key.slice(1)}"`,
    `"${key}x"`,
    `"${key}\t"`,
    key,
  );
}

/** Records of one shape, as text, with one member of one record written from raw text. */
const records = fc
  .tuple(
    fc.integer({ min: 2, max: 6 }),
    fc.integer({ min: 0, max: 5 }),
    fc.integer({ min: 0, max: keys.length - 1 }),
    fc.boolean(),
    rawValue,
    fc.nat(),
  )
  .chain(([count, odd, column, isKeyOdd, value, pick]) =>
    rawKey(keys[column] as string).map((key) =>
      Array.from({ length: count }, (_, row) => {
        const members = keys.map((name, index) => {
          if (row !== odd % count || index !== column)
            return `${JSON.stringify(name)}:${row * 10 + index + pick}`;
          return isKeyOdd ? `${key}:"v"` : `${JSON.stringify(name)}:${value}`;
        });
        return `{${members.join(',')}}`;
      }),
    ),
  );

function redactJson(chunks: readonly string[], redactor: Redactor): string {
  const json = createJsonRedactor(redactor);
  return chunks.map((chunk) => json.push(chunk)).join('') + json.end();
}

function redactNdjson(chunks: readonly string[], redactor: Redactor): string {
  const ndjson = createNdjsonRedactor(redactor);
  return chunks.map((chunk) => ndjson.push(chunk)).join('') + ndjson.end();
}

/**
 * `output`, the redaction of `text`, is what `text` parses to (`expected`), written compactly as
 * `JSON.stringify` writes it, except that numbers keep their text (an exponent stays).
 */
function expectRewritten(output: string, expected: unknown, text: string): void {
  expect(JSON.parse(output)).toEqual(expected);
  if (!/[0-9][eE]/.test(text)) expect(output).toBe(JSON.stringify(expected));
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return MalformedObjectError;
  }
}

describe('plain members of records of one shape', () => {
  it('reads a JSON array of records, split anywhere, as JSON.parse does: rewritten as JSON.stringify writes it, or rejected', () => {
    fc.assert(
      fc.property(records, fc.array(fc.nat(), { maxLength: 4 }), (lines, cuts) => {
        const text = `[${lines.join(',')}]`;
        const expected = parsed(text);
        const run = () => redactJson(splitAt(text, cuts), new Redactor(compiledRuleSetOf([])));
        if (expected === MalformedObjectError) expect(run).toThrow(MalformedObjectError);
        else expectRewritten(run(), expected, text);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads NDJSON records, split anywhere, as JSON.parse reads each line: rewritten as JSON.stringify writes it, or rejected', () => {
    fc.assert(
      fc.property(records, fc.array(fc.nat(), { maxLength: 4 }), (lines, cuts) => {
        const text = `${lines.join('\n')}\n`;
        const expected = lines.map(parsed);
        const run = () => redactNdjson(splitAt(text, cuts), new Redactor(compiledRuleSetOf([])));
        if (expected.includes(MalformedObjectError)) expect(run).toThrow(MalformedObjectError);
        else {
          const output = run().split('\n');
          expect(output.pop()).toBe('');
          for (const [index, line] of output.entries())
            expectRewritten(line, expected[index], lines[index] as string);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('rewrites a JSON text held in a string value of a record whose keys repeat, as in the first record', () => {
    const redactor = () => new Redactor(compiledRuleSetOf([], [nameFieldRule('secret', ['secret'])]));
    const record = (value: string) => `{"a":1,"b":${value}}`;
    const nested = JSON.stringify(JSON.stringify({ secret: 's3' }));
    const text = `[${record('"x"')},${record(nested)},${record(` ${nested}`)}]`;
    const out = redactJson([text], redactor());
    expect(JSON.parse(out).map((each: { b: string }) => each.b)).toEqual([
      'x',
      '{"secret":"[SECRET]"}',
      '{"secret":"[SECRET]"}',
    ]);
  });

  it('runs the detectors on every value of records in a JSON text held in a string, which no batch scan vouches for', () => {
    const records = [
      { a: 1, b: 'john@example.com' },
      { a: 2, b: 'y' },
      { a: 3, b: 'jane@example.com' },
    ];
    const text = JSON.stringify({ payload: JSON.stringify(records) });
    for (const redact of [redactJson, redactNdjson]) {
      const out = JSON.parse(redact([text], new Redactor(compiledRuleSetOf(sampleDetectors()))));
      expect(JSON.parse(out.payload).map((each: { b: string }) => each.b)).toEqual([
        '[EMAIL]',
        'y',
        '[EMAIL]',
      ]);
    }
  });

  it('fails on a string or number longer than maxRecordBytes in a record whose keys repeat', () => {
    const redactor = () => new Redactor(compiledRuleSetOf([], [], { maxRecordBytes: 1024 }));
    const record = (value: string) => `{"a":1,"b":${value}}`;
    const long = '1'.repeat(1024);
    for (const value of [`"${long}1"`, `${long}1`]) {
      const text = `[${record('1')},${record('2')},${record(value)}]`;
      expect(() => redactJson([text], redactor())).toThrow(LimitExceededError);
    }
    const text = `[${record('1')},${record(`"${long}"`)},${record(long)}]`;
    expect(redactJson([text], redactor())).toBe(text);
  });

  // Members whose key has a field rule, or is context, are read in the same loop after the
  // first record: each record must come out as it does read first, alone (by the tokens).
  const ruled = [
    nameFieldRule('surname', ['surname'], (value) => `<${value}>`),
    nameFieldRule('gone', ['gone'], () => undefined),
    { ...nameFieldRule('kept', ['kept']), isKeep: true } satisfies CompiledFieldRule,
  ];
  const withTicket = () => [
    ...sampleDetectors(),
    withContext(regexDetector('ticket', /(?<!\d)\d{4}(?!\d)/, 4), ['ticket'], 8),
  ];
  const memberValue = fc.oneof(
    rawValue,
    fc.constantFrom('"2468"', '"noted long ago: 1357"', '"12345"', '"jane@example.com"', '"a 2468"', '2468'),
  );
  const ruledRecords = fc
    .tuple(
      fc.shuffledSubarray(['id', 'surname', 'ticket', 'gone', 'kept', 'note'], { minLength: 2 }),
      fc.array(fc.array(memberValue, { minLength: 6, maxLength: 6 }), { minLength: 2, maxLength: 8 }),
    )
    .map(([names, rows]) =>
      rows.map((values) => `{${names.map((name, i) => `${JSON.stringify(name)}:${values[i]}`).join(',')}}`),
    );

  /** The output and counts of `text` redacted with the ruled keys and the context detector, or the error it throws. */
  function ruledRun(redact: typeof redactJson, chunks: readonly string[]): [string, unknown] | typeof Error {
    const redactor = new Redactor(compiledRuleSetOf(withTicket(), ruled));
    try {
      return [redact(chunks, redactor), [...redactor.counts].sort()];
    } catch (error) {
      return (error as Error).constructor as typeof Error;
    }
  }

  it('reads the members of records whose keys have field rules or are context as it reads them in a record read first', () => {
    fc.assert(
      fc.property(ruledRecords, fc.array(fc.nat(), { maxLength: 3 }), (lines, cuts) => {
        const alone = lines.map((line) => ruledRun(redactJson, [`[${line}]`]));
        const together = ruledRun(redactJson, splitAt(`[${lines.join(',')}]`, cuts));
        const failed = alone.find((each) => !Array.isArray(each));
        if (failed !== undefined) {
          expect(together).toBe(failed);
          return;
        }
        const outputs = alone.map((each) => (each as [string, unknown])[0].slice(1, -1));
        const counts = new Map<string, number>();
        for (const each of alone)
          for (const [id, count] of (each as [string, [string, number][]])[1])
            counts.set(id, (counts.get(id) ?? 0) + count);
        expect(together).toEqual([`[${outputs.join(',')}]`, [...counts].sort()]);
      }),
      { numRuns: 1000 },
    );
  });
});
