import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withContext } from '../../../functions/core/redaction/detectors/with-context.ts';
import { createJsonRedactor } from '../../../functions/core/redaction/formats/json-redactor.ts';
import { quote } from '../../../functions/core/redaction/formats/json-string-encoder.ts';
import { createNdjsonRedactor } from '../../../functions/core/redaction/formats/ndjson-redactor.ts';
import type { CompiledFieldRule, FieldPath } from '../../../functions/core/redaction/redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import type { Scanner } from '../../../functions/core/redaction/scanner.ts';
import { compiledRuleSetOf, regexDetector, sampleDetectors } from '../support/compiled-rule-set.ts';
import { keepFieldRule, plantedFieldRules, splitAt } from './planted-json.ts';

/**
 * The JSON and NDJSON redactors skip work (a batch scan vouches for values, matches are taken
 * from it, unchanged text is copied from the input): their output must still be, byte for
 * byte, what redacting every key and value alone and writing compact JSON gives. The
 * reference below walks a generated tree, so raw number texts, key order and repeated keys
 * are its own, not what `JSON.parse` would make of them.
 */
type Node =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly raw: string }
  | { readonly kind: 'literal'; readonly text: 'true' | 'false' | 'null' }
  | { readonly kind: 'array'; readonly items: readonly Node[] }
  | { readonly kind: 'object'; readonly members: readonly (readonly [string, Node])[] };

function redactor(): Redactor {
  return new Redactor(
    compiledRuleSetOf(
      [
        ...sampleDetectors(),
        // Spans line breaks, so a batch scan finds matches across values.
        regexDetector('digit-pair', /(?<!\d)\d{3}\s+\d{3}(?!\d)/, 40),
        // Needs context, which a key on the path or a nearby word gives.
        withContext(regexDetector('pin', /(?<!\d)\d{5}(?!\d)/, 5), ['pin'], 8),
      ],
      [...plantedFieldRules(), keepFieldRule('kept', ['kept'])],
    ),
  );
}

/** Compact JSON of `node`, untainted, with the detectors of `scanner` (context of its path). */
function reference(node: Node, redactor: Redactor, scanner: Scanner, path: FieldPath): string {
  switch (node.kind) {
    case 'string':
      return quote(redactor.redactText(node.value, scanner));
    case 'number': {
      const redacted = redactor.redactText(node.raw, scanner);
      return redacted === node.raw ? node.raw : JSON.stringify(redacted);
    }
    case 'literal':
      return node.text;
    case 'array':
      return `[${node.items.map((item, index) => reference(item, redactor, scanner, [...path, index])).join(',')}]`;
    case 'object': {
      const members: string[] = [];
      for (const [key, value] of node.members) {
        const memberPath = [...path, key];
        const rule = redactor.fieldRule(memberPath);
        const text =
          rule === undefined
            ? reference(value, redactor, scanner.named(key), memberPath)
            : ruled(value, rule, redactor, scanner.named(key), true);
        if (text !== undefined) members.push(`${quote(redactor.redactText(key, scanner))}:${text}`);
      }
      return `{${members.join(',')}}`;
    }
  }
}

/**
 * `node` under field rule `rule`: a scalar goes through the rule (`undefined`: dropped); a
 * container keeps its surviving members, and is dropped when it lost all of them, or when it
 * is empty below the top of the subtree. `keep` writes the subtree unchanged.
 */
function ruled(
  node: Node,
  rule: CompiledFieldRule,
  redactor: Redactor,
  scanner: Scanner,
  isTop: boolean,
): string | undefined {
  const field = (text: string): string | undefined => {
    if (rule.isKeep) return node.kind === 'string' ? quote(text) : text;
    const replacement = redactor.applyField(rule, text);
    return replacement === undefined ? undefined : quote(replacement);
  };
  switch (node.kind) {
    case 'string':
      return field(node.value);
    case 'number':
      return field(node.raw);
    case 'literal':
      return rule.isKeep ? node.text : field(node.text);
    case 'array':
    case 'object': {
      const isObject = node.kind === 'object';
      const members = isObject ? node.members : node.items.map((item) => ['', item] as const);
      const kept: string[] = [];
      for (const [key, value] of members) {
        const text = ruled(value, rule, redactor, scanner, false);
        if (text === undefined) continue;
        const name = rule.isKeep ? quote(key) : quote(redactor.redactText(key, scanner));
        kept.push(isObject ? `${name}:${text}` : text);
      }
      const [open, close] = isObject ? ['{', '}'] : ['[', ']'];
      if (kept.length > 0 || rule.isKeep) return `${open}${kept.join(',')}${close}`;
      return members.length === 0 && isTop ? `${open}${close}` : undefined;
    }
  }
}

/** The input text of `node`, with optional blanks between tokens and `@` written as `\u0040`. */
function write(node: Node, blank: string, isEscaped: boolean): string {
  const string = (text: string) =>
    isEscaped ? JSON.stringify(text).replaceAll('@', '\\u0040') : JSON.stringify(text);
  switch (node.kind) {
    case 'string':
      return string(node.value);
    case 'number':
      return node.raw;
    case 'literal':
      return node.text;
    case 'array':
      return `[${blank}${node.items.map((item) => write(item, blank, isEscaped)).join(`${blank},${blank}`)}${blank}]`;
    case 'object':
      return `{${blank}${node.members
        .map(([key, value]) => `${string(key)}${blank}:${blank}${write(value, blank, isEscaped)}`)
        .join(`${blank},${blank}`)}${blank}}`;
  }
}

const planted = fc.constantFrom(
  'jane@example.com',
  '123-45-6789',
  '4111 1111 1111 1111',
  'pin',
  'pin 24680',
  '24680',
  '123 456',
  '123\n456',
  'a"b\\c',
  'é ü 😀',
  '\ud800',
);
const text = fc.oneof(
  fc.string({ maxLength: 10 }),
  planted,
  fc
    .tuple(fc.string({ maxLength: 12 }), planted, fc.string({ maxLength: 12 }))
    .map((parts) => parts.join(' ')),
);
const key = fc.oneof(fc.constantFrom('name', 'secret', 'raw', 'kept', 'pin', 'note', 'id'), text);
const raw = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
  fc.constantFrom('4111111111111111', '24680', '123456', '1234567890123456999', '1E5', '-0.5e-3'),
);
const { node } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text.map((value): Node => ({ kind: 'string', value })),
    raw.map((raw): Node => ({ kind: 'number', raw })),
    fc.constantFrom('true', 'false', 'null').map((literal): Node => ({ kind: 'literal', text: literal })),
    fc.array(tie('node'), { maxLength: 4 }).map((items): Node => ({ kind: 'array', items })),
    fc
      .array(fc.tuple(key, tie('node')), { maxLength: 4 })
      .map((members): Node => ({ kind: 'object', members })),
  ),
}));
const blank = fc.constantFrom('', '', ' ', '\t ');

describe('JSON and NDJSON output equal a per-value reference byte for byte', () => {
  it('redacts a JSON document, split anywhere, to the bytes of the per-value reference', () => {
    fc.assert(
      fc.property(
        node,
        blank,
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (tree, space, isEscaped, cuts) => {
          const json = createJsonRedactor(redactor());
          const chunks = splitAt(write(tree, space, isEscaped), cuts);
          const output = chunks.map((chunk) => json.push(chunk)).join('') + json.end();
          const expected = redactor();
          expect(output).toBe(reference(tree, expected, expected.scanner, []));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('redacts NDJSON lines, split anywhere, to the bytes of the per-value reference', () => {
    fc.assert(
      fc.property(
        fc.array(node, { minLength: 1, maxLength: 5 }),
        blank,
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 6 }),
        (lines, space, isEscaped, ending, cuts) => {
          const ndjson = createNdjsonRedactor(redactor());
          const input = lines.map((line) => write(line, space, isEscaped) + ending).join('');
          const output =
            splitAt(input, cuts)
              .map((chunk) => ndjson.push(chunk))
              .join('') + ndjson.end();
          const expected = redactor();
          const reference_ = lines.map((line) => reference(line, expected, expected.scanner, []) + ending);
          expect(output).toBe(reference_.join(''));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('values that a batch match overlaps', () => {
  it('redacts a value alone when the context of its match lies in a neighbouring value', () => {
    // The batch scan sees `pin` within 8 characters of 24680; the value alone holds no keyword.
    const input = '["pin","24680",{"a":"pin","b":"24680"}]';
    const json = createJsonRedactor(redactor());
    const ndjson = createNdjsonRedactor(redactor());
    expect(json.push(input) + json.end()).toBe(input);
    expect(ndjson.push(`${input}\n${input}`) + ndjson.end()).toBe(`${input}\n${input}`);
  });

  it('takes the matches of a value from the batch scan when they depend on the value only', () => {
    const json = createJsonRedactor(redactor());
    expect(json.push('["mail jane@example.com now, ssn 123-45-6789 then more words"]') + json.end()).toBe(
      '["mail [EMAIL] now, ssn [US_SSN] then more words"]',
    );
  });
});
