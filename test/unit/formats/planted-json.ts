import fc from 'fast-check';
import type { CompiledFieldRule } from '../../../functions/core/redaction/redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import {
  compiledRuleSetOf,
  nameFieldRule,
  regexDetector,
  sampleDetectors,
} from '../support/compiled-rule-set.ts';

/** Sensitive values planted in generated documents; none may survive redaction. */
export const PLANTED_EMAIL = 'jane.doe@example.com';
export const PLANTED_SSN = '123-45-6789';
export const PLANTED_CARD = '4111111111111111';
/** A 19-digit number: as a JavaScript number its last digits would change. */
export const PLANTED_LONG_NUMBER = '1234567890123456999';

/** The planted values hidden: percent-encoded, as an HTML entity, full-width, with invisible characters. */
export const PLANTED_HIDDEN = [
  'jane.doe%40example.com',
  'jane.doe&#64;example&period;com',
  'ｊａｎｅ．ｄｏｅ＠ｅｘａｍｐｌｅ．ｃｏｍ',
  'jane.d\u200boe@exa\u2060mple.com',
  '123\u201145\u20116789',
];

/** The planted card number as a JSON number with an exponent. */
export const PLANTED_EXPONENT_CARD = '4.111111111111111e15';

/** Replaces `"__LONG__"` placeholders with the raw 19-digit number, which `JSON.stringify` cannot write. */
const LONG_PLACEHOLDER = '__LONG__';
const EXPONENT_PLACEHOLDER = '__EXPONENT__';

/** The sample detectors plus one that matches the 19-digit number only when every digit is kept. */
export function plantedDetectors() {
  return [...sampleDetectors(), regexDetector('long-number', /(?<!\d)\d{16}999(?!\d)/, 19)];
}

/** A keep rule matching key names, for tests: `nameFieldRule` never keeps. */
export function keepFieldRule(id: string, names: string[]): CompiledFieldRule {
  return { ...nameFieldRule(id, names, (value) => value), isKeep: true };
}

/** Field rules for generated documents: `name` redacts, `secret` drops, `raw` keeps. */
export function plantedFieldRules(): CompiledFieldRule[] {
  return [
    nameFieldRule('name', ['name']),
    nameFieldRule('secret', ['secret'], () => undefined),
    keepFieldRule('raw', ['raw']),
  ];
}

export function plantedRedactor(limits: { maxRecordBytes?: number } = {}): Redactor {
  return new Redactor(compiledRuleSetOf(plantedDetectors(), plantedFieldRules(), limits));
}

const key = fc.constantFrom('name', 'secret', 'raw', 'id', 'note', 'list', 'a', PLANTED_EMAIL);
const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    PLANTED_EMAIL,
    `mail ${PLANTED_EMAIL} x`,
    PLANTED_SSN,
    'plain',
    'é😀\n"\\',
    ...PLANTED_HIDDEN,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(Number(PLANTED_CARD), LONG_PLACEHOLDER, EXPONENT_PLACEHOLDER, true, false, null),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));

/** Serializes with optional indentation and `@` written as `\u0040` (it only occurs inside strings). */
export function serialize(json: unknown, indent: number, escapeAt: boolean): string {
  const text = JSON.stringify(json, null, indent)
    .replaceAll(`"${LONG_PLACEHOLDER}"`, PLANTED_LONG_NUMBER)
    .replaceAll(`"${EXPONENT_PLACEHOLDER}"`, PLANTED_EXPONENT_CARD);
  return escapeAt ? text.replaceAll('@', '\\u0040') : text;
}

/** JSON texts built from random values with planted sensitive values, keys matched by field rules, whitespace and escapes. */
export const plantedJsonText: fc.Arbitrary<string> = fc
  .tuple(value, fc.constantFrom(0, 0, 2), fc.boolean())
  .map(([json, indent, escapeAt]) => serialize(json, indent, escapeAt));

/** One-line JSON texts, for NDJSON. */
export const plantedJsonLine: fc.Arbitrary<string> = fc
  .tuple(value, fc.boolean())
  .map(([json, escapeAt]) => serialize(json, 0, escapeAt));

/** Cuts `text` at the given positions (any order, duplicates allowed). */
export function splitAt(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(text.slice(start, point));
    start = point;
  }
  chunks.push(text.slice(start));
  return chunks;
}

/** True when `text` still holds a planted value in any spelling the detectors would catch. */
export function leaksPlanted(text: string): boolean {
  return [
    PLANTED_EMAIL,
    PLANTED_SSN,
    PLANTED_CARD,
    PLANTED_LONG_NUMBER,
    PLANTED_EXPONENT_CARD,
    ...PLANTED_HIDDEN,
  ].some((planted) => text.includes(planted));
}

/** A parsed output without the subtrees the `raw` keep rule passed through. */
export function withoutKept(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutKept);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'raw')
      .map(([key, member]) => [key, withoutKept(member)]),
  );
}
