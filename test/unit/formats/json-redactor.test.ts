import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LimitExceededError, MalformedObjectError } from '../../../functions/core/errors.ts';
import { createJsonRedactor } from '../../../functions/core/redaction/formats/json-redactor.ts';
import { MAX_JSON_DEPTH } from '../../../functions/core/redaction/formats/json-token-rewriter.ts';
import type { CompiledFieldRule } from '../../../functions/core/redaction/redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import {
  compiledRuleSetOf,
  nameFieldRule,
  regexDetector,
  sampleDetectors,
} from '../support/compiled-rule-set.ts';
import {
  keepFieldRule,
  leaksPlanted,
  PLANTED_EMAIL,
  PLANTED_LONG_NUMBER,
  plantedDetectors,
  plantedJsonText,
  plantedRedactor,
  splitAt,
  withoutKept,
} from './planted-json.ts';

const dropSecret = nameFieldRule('secret', ['secret'], () => undefined);

function redactorWith(fieldRules: CompiledFieldRule[] = [nameFieldRule('name', ['name'])]): Redactor {
  return new Redactor(compiledRuleSetOf(plantedDetectors(), fieldRules));
}

function redactJson(input: string, redactor: Redactor = redactorWith()): string {
  const json = createJsonRedactor(redactor);
  return json.push(input) + json.end();
}

function redactChunks(chunks: readonly string[], redactor: Redactor): string {
  const json = createJsonRedactor(redactor);
  return chunks.map((chunk) => json.push(chunk)).join('') + json.end();
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('createJsonRedactor', () => {
  describe('detectors', () => {
    it('redacts an email inside a string value', () => {
      expect(redactJson('{"note": "write to jane@example.com today"}')).toBe(
        '{"note":"write to [EMAIL] today"}',
      );
    });

    it('finds an email whose @ is written as \\u0040', () => {
      expect(redactJson('["jane\\u0040example.com"]')).toBe('["[EMAIL]"]');
    });

    it('runs the detectors over object keys', () => {
      expect(redactJson('{"jane@example.com": 1, "bob@example.org": {"x": 2}}')).toBe(
        '{"[EMAIL]":1,"[EMAIL]":{"x":2}}',
      );
    });

    it('finds a card number written as a JSON number and writes the replacement as a string', () => {
      expect(redactJson('{"card": 4111111111111111, "qty": 3}')).toBe('{"card":"[PAYMENT_CARD]","qty":3}');
    });

    it('finds a 19-digit number by all of its digits', () => {
      expect(redactJson(`[${PLANTED_LONG_NUMBER}]`)).toBe('["[LONG_NUMBER]"]');
    });

    it('keeps every digit of numbers the detectors do not match', () => {
      const input = '[1234567890123456789,1.50,-0,1E+400,0.0000001]';
      expect(redactJson(input)).toBe(input);
    });

    it('writes a raw lone surrogate escaped, as JSON.stringify and the NDJSON redactor do', () => {
      expect(redactJson('["a\ud800b"]')).toBe('["a\\ud800b"]');
    });

    it('re-encodes decoded strings compactly and leaves true, false and null alone', () => {
      expect(redactJson('{ "a" : [ "tab\\there", "\\u00e9\\ud83d\\ude00", true , false, null ] }\n')).toBe(
        '{"a":["tab\\there","é😀",true,false,null]}',
      );
    });

    it('redacts a top-level string or number', () => {
      expect(redactJson('"jane@example.com"')).toBe('"[EMAIL]"');
      expect(redactJson(' 4111111111111111 ')).toBe('"[PAYMENT_CARD]"');
    });
  });

  describe('field rules', () => {
    it('applies a field rule to every scalar of the subtree under a matching key', () => {
      const input = '{"name": {"first": "Jane", "parts": ["J", 7, true, null], "deep": {"x": 1.5}}, "id": 7}';
      expect(redactJson(input)).toBe(
        '{"name":{"first":"[NAME]","parts":["[NAME]","[NAME]","[NAME]","[NAME]"],"deep":{"x":"[NAME]"}},"id":7}',
      );
    });

    it('matches keys at any depth, including inside arrays', () => {
      expect(redactJson('[{"name": "a"}, {"other": {"name": 5}}]')).toBe(
        '[{"name":"[NAME]"},{"other":{"name":"[NAME]"}}]',
      );
    });

    it('keeps the outer taint when an inner key matches another rule', () => {
      const redactor = redactorWith([nameFieldRule('name', ['name']), dropSecret]);
      expect(redactJson('{"name": {"secret": "s", "name": "n"}}', redactor)).toBe(
        '{"name":{"secret":"[NAME]","name":"[NAME]"}}',
      );
    });

    it('gives the field rule the scalar text, the raw number text included', () => {
      const seen: string[] = [];
      const rule = nameFieldRule('id', ['id'], (value) => {
        seen.push(value);
        return 'x';
      });
      redactJson(`{"id": [${PLANTED_LONG_NUMBER}, "s", false, null]}`, redactorWith([rule]));
      expect(seen).toEqual([PLANTED_LONG_NUMBER, 's', 'false', 'null']);
    });

    it('uses the field rule instead of the detectors inside the subtree', () => {
      const rule = nameFieldRule('contact', ['contact'], (value) => value.toUpperCase());
      expect(redactJson('{"contact": "jane@example.com"}', redactorWith([rule]))).toBe(
        '{"contact":"JANE@EXAMPLE.COM"}',
      );
    });

    it('still runs the detectors over keys inside a tainted subtree', () => {
      expect(redactJson('{"name": {"jane@example.com": "x"}}')).toBe('{"name":{"[EMAIL]":"[NAME]"}}');
    });

    it('passes a keep subtree unchanged, keys and values, without detectors', () => {
      const redactor = redactorWith([keepFieldRule('raw', ['raw']), nameFieldRule('name', ['name'])]);
      const input =
        '{"raw": {"jane@example.com": ["bob@example.org", 4111111111111111, {"name": "n"}]}, "e": "a@b.io"}';
      expect(redactJson(input, redactor)).toBe(
        '{"raw":{"jane@example.com":["bob@example.org",4111111111111111,{"name":"n"}]},"e":"[EMAIL]"}',
      );
    });

    it.each([
      ['first', '{"secret": 1, "a": 2, "b": 3}', '{"a":2,"b":3}'],
      ['middle', '{"a": 1, "secret": "s", "b": 3}', '{"a":1,"b":3}'],
      ['last', '{"a": 1, "b": 2, "secret": null}', '{"a":1,"b":2}'],
      ['only', '{"secret": true}', '{}'],
      ['every', '{"secret": 1, "x": {"secret": 2}}', '{"x":{}}'],
    ])('drops a key and its value in the %s position of an object', (_position, input, output) => {
      const out = redactJson(input, redactorWith([dropSecret]));
      expect(out).toBe(output);
      expect(() => JSON.parse(out)).not.toThrow();
    });

    it('drops a key whose value is a whole object or array', () => {
      const input = '{"a": 1, "secret": {"b": [1, {"c": "d"}], "e": {}}, "f": [{"secret": [1, 2]}, 3]}';
      const out = redactJson(input, redactorWith([dropSecret]));
      expect(out).toBe('{"a":1,"f":[{},3]}');
    });

    it.each([
      ['first', '["x", "a", "b"]', '["A","B"]'],
      ['middle', '["a", "x", "b"]', '["A","B"]'],
      ['last', '["a", "b", "x"]', '["A","B"]'],
      ['every', '["x", ["x"], {"k": "x"}]', '[]'],
    ])('removes a dropped element in the %s position of an array', (_position, list, output) => {
      const rule = nameFieldRule('list', ['list'], (value) =>
        value === 'x' ? undefined : value.toUpperCase(),
      );
      const out = redactJson(`{"list": ${list}, "n": 1}`, redactorWith([rule]));
      expect(out).toBe(output === '[]' ? '{"n":1}' : `{"list":${output},"n":1}`);
      expect(() => JSON.parse(out)).not.toThrow();
    });

    it('keeps an empty object or array at the top of a field rule subtree', () => {
      expect(redactJson('{"name": {}, "x": {"name": []}}')).toBe('{"name":{},"x":{"name":[]}}');
    });

    it('removes empty objects and arrays inside a field rule subtree like dropped values', () => {
      expect(redactJson('{"name": {"a": [], "b": {"c": {}}, "d": "v"}}')).toBe('{"name":{"d":"[NAME]"}}');
      expect(redactJson('{"name": [[], {}], "n": 1}')).toBe('{"n":1}');
    });

    it('counts each value a field rule handled', () => {
      const redactor = redactorWith();
      redactJson('{"name": ["a", "b"], "e": "jane@example.com"}', redactor);
      expect(Object.fromEntries(redactor.counts)).toEqual({ name: 2, email: 1 });
    });
  });

  describe('streaming', () => {
    it('gives the same output for any split of the input', () => {
      fc.assert(
        fc.property(plantedJsonText, fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
          const whole = redactChunks([text], plantedRedactor());
          expect(redactChunks(splitAt(text, cuts), plantedRedactor())).toBe(whole);
        }),
        { numRuns: 1000 },
      );
    });

    it('writes output that re-parses and holds no planted value outside keep subtrees', () => {
      fc.assert(
        fc.property(plantedJsonText, (text) => {
          const out = redactChunks([text], plantedRedactor());
          expect(leaksPlanted(JSON.stringify(withoutKept(JSON.parse(out))))).toBe(false);
        }),
        { numRuns: 300 },
      );
    });

    it('gives the same output for any split of strings made of quotes, backslashes and escapes', () => {
      const tricky = fc.array(fc.string({ unit: fc.constantFrom('"', '\\', '@', 'a', '.', '\u00e9') }), {
        maxLength: 4,
      });
      fc.assert(
        fc.property(tricky, fc.array(fc.nat(), { maxLength: 8 }), (strings, cuts) => {
          const text = JSON.stringify({ [strings.join('')]: strings, n: -12.5e3 });
          const whole = redactChunks([text], plantedRedactor());
          expect(redactChunks(splitAt(text, cuts), plantedRedactor())).toBe(whole);
        }),
        { numRuns: 500 },
      );
    });

    it('reads a string literal of any characters as JSON.parse does, split anywhere: accepted and rewritten as JSON.stringify writes it, or rejected', () => {
      // With a detector the batch scan runs, and its kernel tells the lexer whether strings hold raw controls.
      const redactors = [
        () => new Redactor(compiledRuleSetOf([])),
        () => new Redactor(compiledRuleSetOf([regexDetector('never', /(?!)/, 1)])),
      ];
      // Raw literal bodies: plain text, escapes (valid or not), raw controls and lone or paired surrogates.
      const units = [
        'a',
        '@',
        '\u00e9',
        '\\"',
        '\\\\',
        '\\n',
        '\\u0040',
        '\\x',
        '"',
        '\\',
        '\t',
        '\n',
        '\u0001',
        '\ud83d',
        '\ude00',
        '\u2028',
      ];
      const body = fc.array(fc.constantFrom(...units), { maxLength: 6 }).map((parts) => parts.join(''));
      fc.assert(
        fc.property(
          fc.array(body, { minLength: 1, maxLength: 3 }),
          fc.array(fc.nat(), { maxLength: 4 }),
          fc.constantFrom(...redactors),
          (bodies, cuts, redactor) => {
            const text = `{"k":[${bodies.map((each) => `"${each}"`).join(',')}]}`;
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              expect(() => redactChunks(splitAt(text, cuts), redactor())).toThrow(MalformedObjectError);
              return;
            }
            expect(redactChunks(splitAt(text, cuts), redactor())).toBe(JSON.stringify(parsed));
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('reads a number or literal split across pushes whole', () => {
      expect(redactChunks(['[1', '2', '3', ',tr', 'u', 'e,-', '4.5e', '1]'], redactorWith())).toBe(
        '[123,true,-4.5e1]',
      );
      expect(redactChunks(['4', '2'], redactorWith())).toBe('42');
    });

    it('emits the elements of a top-level array before the input ends', () => {
      const json = createJsonRedactor(redactorWith());
      let early = '';
      early += json.push('[');
      for (let i = 0; i < 1000; i++) early += json.push(`{"i": ${i}, "e": "u${i}@example.com"},`);
      expect(early.length).toBeGreaterThan(10_000);
      expect(early).not.toContain('@');
      expect(JSON.parse(`${early + json.push('null]')}${json.end()}`)).toHaveLength(1001);
    });
  });

  describe('malformed input', () => {
    it.each([
      ['a syntax error', `{"e": "${PLANTED_EMAIL}", "x": tru}`, 'byte 38'],
      ['a missing colon', `{"${PLANTED_EMAIL}" 1}`, 'byte 24'],
      ['a missing comma', `["${PLANTED_EMAIL}" "b"]`, 'byte 24'],
      ['a mismatched bracket', `{"e": "${PLANTED_EMAIL}"]`, 'byte 28'],
      ['a truncated document', `{"e": ["${PLANTED_EMAIL}"`, 'byte 29'],
      ['a truncated string', `{"e": "${PLANTED_EMAIL}`, 'byte 27'],
      ['trailing content', `{"e": "${PLANTED_EMAIL}"} {"e": 1}`, 'byte 30'],
      ['trailing garbage', `{"e": "${PLANTED_EMAIL}"} x`, 'byte 30'],
      ['no value at all', '  ', 'byte 2'],
    ])('rejects %s naming the offset and no content', (_case, input, where) => {
      const error = errorOf(() => redactJson(input));
      expect(error).toBeInstanceOf(MalformedObjectError);
      expect(error.message).toContain(where);
      expect(error.message).not.toContain('jane');
    });

    it('names byte offsets counted across pushes and multi-byte characters', () => {
      const json = createJsonRedactor(redactorWith());
      json.push('["é€😀", ');
      const error = errorOf(() => json.push('tru]'));
      expect(error).toBeInstanceOf(MalformedObjectError);
      expect(error.message).toContain('byte 17');
    });

    it('rejects a literal cut off by the end of input', () => {
      const error = errorOf(() => redactChunks(['[tr', 'u'], redactorWith()));
      expect(error).toBeInstanceOf(MalformedObjectError);
      expect(error.message).toContain('input ends inside a token at byte 4');
    });

    it('rejects every call after an error and emits nothing more', () => {
      const json = createJsonRedactor(redactorWith());
      expect(json.push('[1, 2')).toBe('[1');
      expect(() => json.push(', }')).toThrow(MalformedObjectError);
      expect(() => json.push('3]')).toThrow(MalformedObjectError);
      expect(() => json.end()).toThrow(MalformedObjectError);
    });
  });

  describe('limits', () => {
    const limited = () => new Redactor(compiledRuleSetOf(sampleDetectors(), [], { maxRecordBytes: 1024 }));

    it('fails on a string longer than maxRecordBytes before it ends', () => {
      const json = createJsonRedactor(limited());
      json.push('["');
      for (let i = 0; i < 9; i++) json.push('a'.repeat(100));
      expect(() => json.push('a'.repeat(200))).toThrow(LimitExceededError);
    });

    it('fails on a number longer than maxRecordBytes before it ends', () => {
      const json = createJsonRedactor(limited());
      json.push('[1');
      expect(() => json.push('2'.repeat(1100))).toThrow(LimitExceededError);
    });

    it('fails on a long string pushed in one piece', () => {
      const error = errorOf(() => redactJson(`{"a": "${'x'.repeat(200_000)}"}`, limited()));
      expect(error).toBeInstanceOf(LimitExceededError);
      expect(error.message).toContain('byte 6');
    });

    it('accepts a string of exactly maxRecordBytes characters', () => {
      const value = 'b'.repeat(1024);
      expect(redactJson(`["${value}"]`, limited())).toBe(`["${value}"]`);
    });

    it(`accepts ${MAX_JSON_DEPTH} levels of nesting and fails on one more`, () => {
      const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
      expect(redactJson(deep(MAX_JSON_DEPTH))).toBe(deep(MAX_JSON_DEPTH));
      expect(() => redactJson(deep(MAX_JSON_DEPTH + 1))).toThrow(LimitExceededError);
    });
  });
});
