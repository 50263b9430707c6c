import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { LimitExceededError, MalformedObjectError } from '../../../functions/core/errors.ts';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import { createBuiltInDetector } from '../../../functions/core/redaction/detectors/built-in-detectors.ts';
import { createJsonRedactor } from '../../../functions/core/redaction/formats/json-redactor.ts';
import { createNdjsonRedactor } from '../../../functions/core/redaction/formats/ndjson-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { Scanner } from '../../../functions/core/redaction/scanner.ts';
import { compiledRuleSetOf, nameFieldRule, regexDetector } from '../support/compiled-rule-set.ts';
import {
  leaksPlanted,
  PLANTED_CARD,
  PLANTED_EMAIL,
  PLANTED_LONG_NUMBER,
  PLANTED_SSN,
  plantedDetectors,
  plantedFieldRules,
  plantedJsonLine,
  plantedRedactor,
  splitAt,
  withoutKept,
} from './planted-json.ts';

function redactorWith(maxRecordBytes = 1024 * 1024): Redactor {
  return new Redactor(
    compiledRuleSetOf(
      plantedDetectors(),
      [nameFieldRule('name', ['name']), nameFieldRule('secret', ['secret'], () => undefined)],
      { maxRecordBytes },
    ),
  );
}

function redactChunks(chunks: readonly string[], redactor: Redactor = redactorWith()): string {
  const ndjson = createNdjsonRedactor(redactor);
  return chunks.map((chunk) => ndjson.push(chunk)).join('') + ndjson.end();
}

function redactNdjson(input: string, redactor: Redactor = redactorWith()): string {
  return redactChunks([input], redactor);
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/** NDJSON texts: planted lines, blank lines, LF or CRLF endings, with or without a final newline. */
const plantedNdjson = fc
  .tuple(
    fc.array(fc.oneof({ weight: 4, arbitrary: plantedJsonLine }, fc.constantFrom('', '  ')), {
      maxLength: 6,
    }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(([lines, newline, isFinalNewline]) => lines.join(newline) + (isFinalNewline ? newline : ''));

/**
 * The planted detectors plus one that spans line breaks (`\s`), so that a batch scan finds
 * matches across neighbouring values that no value holds alone, and one for decimals, so that
 * a number must be scanned whole.
 */
function batchRedactor(): Redactor {
  return new Redactor(
    compiledRuleSetOf(
      [
        ...plantedDetectors(),
        regexDetector('digit-pair', /(?<!\d)\d{3}\s+\d{3}(?!\d)/, 40),
        regexDetector('price', /(?<![\d.])\d{2}\.\d{2}(?![\d.])/, 5),
      ],
      plantedFieldRules(),
    ),
  );
}

/** The per-value reference: each line redacted alone by the JSON redactor, blank lines emptied. */
function redactPerValue(text: string, redactor: Redactor): string {
  return text
    .split('\n')
    .map((line) => {
      const body = line.endsWith('\r') ? line.slice(0, -1) : line;
      const ending = body === line ? '' : '\r';
      if (body.trim() === '') return ending;
      const json = createJsonRedactor(redactor);
      return json.push(body) + json.end() + ending;
    })
    .join('\n');
}

const batchString = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    PLANTED_EMAIL,
    `mail ${PLANTED_EMAIL} x`,
    'jane.doe@',
    'example.com',
    PLANTED_SSN,
    '123-45',
    '6789',
    '123',
    '456 789',
    '12.34',
    'q"b\\',
    'é ü',
    'Ā ĉ',
    '😀 123',
    'lone \ud800',
  ),
);
const batchScalar = fc.oneof(
  batchString,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(Number(PLANTED_CARD), 123, 456, -789e3, 12.34, 1.5e-7, true, false, null),
);
const batchKey = fc.oneof(
  fc.constantFrom('name', 'secret', 'raw', 'id', 'note', '123', PLANTED_EMAIL, PLANTED_SSN),
  batchString,
);
const { batchValue } = fc.letrec<{ batchValue: unknown }>((tie) => ({
  batchValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    batchScalar,
    fc.array(tie('batchValue'), { maxLength: 4 }),
    fc
      .array(fc.tuple(batchKey, tie('batchValue')), { maxLength: 4 })
      .map((entries) => Object.fromEntries(entries)),
  ),
}));

/**
 * One line of JSON, compact or spaced, with `@` optionally written `\u0040`. Surrogates are
 * written as JSON.stringify writes them: paired ones raw, lone ones escaped.
 */
const batchLine = fc.tuple(batchValue, fc.boolean(), fc.boolean()).map(([json, isSpaced, escapeAt]) => {
  let text = JSON.stringify(json);
  // Outside strings only: inside them a comma or colon would change the value.
  if (isSpaced)
    text = text.replace(/("(?:[^"\\]|\\.)*")|([,:[\]{}])/g, (_, string, mark) => string ?? ` ${mark} `);
  return escapeAt ? text.replaceAll('@', '\\u0040') : text;
});

const batchNdjson = fc
  .tuple(
    fc.array(fc.oneof({ weight: 6, arbitrary: batchLine }, fc.constantFrom('', ' \t')), { maxLength: 8 }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(([lines, newline, isFinalNewline]) => lines.join(newline) + (isFinalNewline ? newline : ''));

describe('createNdjsonRedactor', () => {
  it('redacts each line with the detectors and field rules', () => {
    const input = `{"e": "${PLANTED_EMAIL}", "name": "Jane"}\n{"card": ${PLANTED_LONG_NUMBER}, "secret": 1, "n": 2}\n`;
    expect(redactNdjson(input)).toBe('{"e":"[EMAIL]","name":"[NAME]"}\n{"card":"[LONG_NUMBER]","n":2}\n');
  });

  it('finds an email whose @ is written as \\u0040', () => {
    expect(redactNdjson('["jane\\u0040example.com"]')).toBe('["[EMAIL]"]');
  });

  it('writes every string exactly as JSON.stringify does, raw surrogates and U+2028 included', () => {
    const values = ['plain', 'q"b\\t\u0001', '\ud83d\ude00', 'lone \ud800', 'lone \udfff end', 'ls \u2028'];
    // Surrogates raw in the input, not escaped, so the lexer's unescaped path sees them.
    const rawSurrogates = (json: string) =>
      json.replace(/\\u(d[89a-f][0-9a-f]{2})/g, (_, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      );
    const input = `${values.map((value) => `{"v":${rawSurrogates(JSON.stringify(value))}}`).join('\n')}\n`;

    expect(redactNdjson(input)).toBe(
      `${values.map((value) => `{"v":${JSON.stringify(value)}}`).join('\n')}\n`,
    );
  });

  it('keeps blank lines, CRLF endings and a missing final newline', () => {
    expect(redactNdjson('{"a":1}\r\n\r\n  \n[2]\n\n"x"')).toBe('{"a":1}\r\n\r\n\n[2]\n\n"x"');
  });

  it('keeps a final newline', () => {
    expect(redactNdjson('1\n')).toBe('1\n');
    expect(redactNdjson('')).toBe('');
  });

  it('emits each line as soon as its newline arrives', () => {
    const ndjson = createNdjsonRedactor(redactorWith());
    expect(ndjson.push(`{"e": "${PLANTED_EMAIL}"}`)).toBe('');
    expect(ndjson.push('\n{"n"')).toBe('{"e":"[EMAIL]"}\n');
    expect(ndjson.push(': 1}')).toBe('');
    expect(ndjson.end()).toBe('{"n":1}');
  });

  it('gives the same output for any split of the input', () => {
    fc.assert(
      fc.property(plantedNdjson, fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const whole = redactChunks([text], plantedRedactor());
        expect(redactChunks(splitAt(text, cuts), plantedRedactor())).toBe(whole);
      }),
      { numRuns: 1000 },
    );
  });

  it('redacts each line exactly as the JSON redactor redacts it as a document', () => {
    fc.assert(
      fc.property(plantedJsonLine, (line) => {
        const json = createJsonRedactor(plantedRedactor());
        expect(redactChunks([line], plantedRedactor())).toBe(json.push(line) + json.end());
      }),
      { numRuns: 500 },
    );
  });

  it('gives the per-value output and rule counts, for any split, although it scans lines in batches', () => {
    fc.assert(
      fc.property(batchNdjson, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        const reference = batchRedactor();
        const expected = redactPerValue(text, reference);
        const redactor = batchRedactor();

        expect(redactChunks(splitAt(text, cuts), redactor)).toBe(expected);
        expect([...redactor.counts].sort()).toEqual([...reference.counts].sort());
      }),
      { numRuns: 2000 },
    );
  });

  it('rescans values a batch match spans and leaves them unchanged when neither holds a match alone', () => {
    const redactor = batchRedactor();
    expect(redactNdjson('{"a":"123","b":456}\n["123 456"]\n', redactor)).toBe(
      '{"a":"123","b":456}\n["[DIGIT_PAIR]"]\n',
    );
    expect([...redactor.counts]).toEqual([['digit-pair', 1]]);
  });

  it('scans the values with escapes of a batch together, each between line feeds, not each alone', () => {
    const redactor = new Redactor(
      compiledRuleSetOf(['email', 'ipv4'].map((id) => createBuiltInDetector(id) as Detector)),
    );
    const scan = vi.spyOn(Scanner.prototype, 'scan');
    try {
      const output = redactNdjson(
        '{"a":"say \\"hi\\" to bob@example.com","b":"\\u0031\\u0030.0.0.1"}\n["x\\ty",{"c":"\\"q\\""}]\n',
        redactor,
      );

      expect(output).toBe('{"a":"say \\"hi\\" to [EMAIL]","b":"[IP_ADDRESS]"}\n["x\\ty",{"c":"\\"q\\""}]\n');
      const texts = scan.mock.calls.map(([text]) => text);
      expect(texts).toContain('say "hi" to bob@example.com\n10.0.0.1\nx\ty\n"q"');
      expect(texts).not.toContain('10.0.0.1');
      expect(texts).not.toContain('say "hi" to bob@example.com');
    } finally {
      scan.mockRestore();
    }
  });

  it('scans a value alone only when a batch match in it spills out of it or takes context from outside it', () => {
    const redactor = new Redactor(
      compiledRuleSetOf(
        ['email', 'ipv4', 'us-ssn', 'payment-card'].map((id) => createBuiltInDetector(id) as Detector),
      ),
    );
    const scan = vi.spyOn(Scanner.prototype, 'scan');
    try {
      const output = redactNdjson(
        '{"a":"bob@example.com","n":4111111111111111}\n["10.0.0.1 and bob@example.com"]\n["SSN","219099999"]\n',
        redactor,
      );

      expect(output).toBe(
        '{"a":"[EMAIL]","n":"[CARD]"}\n["[IP_ADDRESS] and [EMAIL]"]\n["SSN","219099999"]\n',
      );
      // Values scanned alone (the batch is the one text with line feeds): only the number whose
      // match took its keyword from the value before, which alone holds none.
      const texts = scan.mock.calls.map(([text]) => text);
      expect(texts.filter((text) => !text.includes('\n'))).toEqual(['219099999']);
      expect(texts.filter((text) => text.includes('\n'))).toHaveLength(1);
    } finally {
      scan.mockRestore();
    }
  });

  it('writes lines that re-parse and hold no planted value outside keep subtrees', () => {
    fc.assert(
      fc.property(plantedNdjson, (text) => {
        const lines = redactChunks([text], plantedRedactor()).split(/\r?\n/);
        expect(lines).toHaveLength(text.split(/\r?\n/).length);
        for (const line of lines.filter((each) => each !== '')) {
          expect(leaksPlanted(JSON.stringify(withoutKept(JSON.parse(line))))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  describe('malformed lines', () => {
    it.each([
      ['a syntax error', `{"a": 1}\n\n{"e": "${PLANTED_EMAIL}", x}\n`, 'line 3, character 31'],
      ['a truncated value', `[1]\n{"e": ["${PLANTED_EMAIL}"\n`, 'line 2'],
      ['an unterminated string', `{"e": "${PLANTED_EMAIL}\n{}`, 'line 1'],
      ['two values on one line', `{"e": "${PLANTED_EMAIL}"} {}`, 'line 1, character 31'],
      ['a bad escape', `["${PLANTED_EMAIL}\\x"]`, 'line 1, character 2'],
      ['a raw control character', `["${PLANTED_EMAIL}\t"]`, 'line 1, character 2'],
      ['a bad number', `[01, "${PLANTED_EMAIL}"]`, 'line 1, character 2'],
      ['a bad literal', `["${PLANTED_EMAIL}", nul]`, 'line 1, character 29'],
      ['an unknown character', `["${PLANTED_EMAIL}"]\n@`, 'line 2, character 1'],
    ])('rejects %s naming the line and no content', (_case, input, where) => {
      const error = errorOf(() => redactNdjson(input));
      expect(error).toBeInstanceOf(MalformedObjectError);
      expect(error.message).toContain(where);
      expect(error.message).not.toContain('jane');
    });

    it('rejects every call after an error', () => {
      const ndjson = createNdjsonRedactor(redactorWith());
      expect(ndjson.push('{"a": 1}\n')).toBe('{"a":1}\n');
      expect(() => ndjson.push('{"a" 1}\n')).toThrow(MalformedObjectError);
      expect(() => ndjson.push('{"a": 1}\n')).toThrow(MalformedObjectError);
      expect(() => ndjson.end()).toThrow(MalformedObjectError);
    });
  });

  describe('limits', () => {
    const long = `["${'x'.repeat(1100)}"]`;

    it('fails on a line longer than maxRecordBytes naming its line number', () => {
      const error = errorOf(() => redactNdjson(`[1]\n\n${long}\n[2]\n`, redactorWith(1024)));
      expect(error).toBeInstanceOf(LimitExceededError);
      expect(error.message).toContain('line 3');
    });

    it('fails on a long line before its newline arrives', () => {
      const ndjson = createNdjsonRedactor(redactorWith(1024));
      // An object: a line of an array may be the first row of a table, held until its window ends.
      expect(ndjson.push('{"n":1}\n["')).toBe('{"n":1}\n');
      expect(() => ndjson.push('y'.repeat(1100))).toThrow(/line 2/);
    });

    it('fails on a long last line without a newline', () => {
      expect(() => redactNdjson(`[1]\n${long}`, redactorWith(1024))).toThrow(LimitExceededError);
    });

    it('accepts a line of exactly maxRecordBytes characters', () => {
      const line = `["${'z'.repeat(1020)}"]`;
      expect(redactNdjson(`${line}\r\n`, redactorWith(1024))).toBe(`${line}\r\n`);
    });
  });
});
