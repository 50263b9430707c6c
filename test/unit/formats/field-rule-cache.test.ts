import { describe, expect, it } from 'vitest';
import { createFieldMatcher, namesArrayIndex } from '../../../functions/core/redaction/field-matcher.ts';
import { createJsonRedactor } from '../../../functions/core/redaction/formats/json-redactor.ts';
import { createNdjsonRedactor } from '../../../functions/core/redaction/formats/ndjson-redactor.ts';
import {
  type CompiledFieldRule,
  type CompiledRuleSet,
  Redactor,
} from '../../../functions/core/redaction/redactor.ts';
import { compiledRuleSetOf, nameFieldRule } from '../support/compiled-rule-set.ts';

function pathRule(id: string, paths: string[]): CompiledFieldRule {
  return {
    id,
    isKeep: false,
    isIndexSensitive: namesArrayIndex(paths),
    isPathSensitive: true,
    apply: () => `[${id.toUpperCase()}]`,
    matches: createFieldMatcher({ paths }),
  };
}

describe('field rules on array elements', () => {
  it('applies a rule naming one index to that element only, in every record', () => {
    const redactor = new Redactor(compiledRuleSetOf([], [pathRule('first-card', ['*.items.0.card'])]));
    const json = createJsonRedactor(redactor);
    const input = JSON.stringify([
      { items: [{ card: 'a' }, { card: 'b' }] },
      { items: [{ card: 'c' }, { card: 'd' }] },
    ]);
    const output = JSON.parse(json.push(input) + json.end());
    expect(output).toEqual([
      { items: [{ card: '[FIRST-CARD]' }, { card: 'b' }] },
      { items: [{ card: '[FIRST-CARD]' }, { card: 'd' }] },
    ]);
  });

  it('applies a wildcard rule to every element of every line', () => {
    const redactor = new Redactor(compiledRuleSetOf([], [pathRule('card', ['items.*.card'])]));
    const ndjson = createNdjsonRedactor(redactor);
    const line = JSON.stringify({ items: [{ card: 'a' }, { card: 'b' }, { card: 'c' }] });
    const output = ndjson.push(`${line}\n${line}\n`) + ndjson.end();
    for (const row of output.trim().split('\n')) {
      expect(JSON.parse(row).items.map((item: { card: string }) => item.card)).toEqual([
        '[CARD]',
        '[CARD]',
        '[CARD]',
      ]);
    }
  });

  it('tells index paths from wildcard and name paths', () => {
    expect(namesArrayIndex(['items.0.card'])).toBe(true);
    expect(namesArrayIndex(['items.*.card', '**.iban'])).toBe(false);
  });
});

describe('field rules of keys met under many paths', () => {
  /** A JSON map keyed by ids, each holding a record of one shape; and the rule lookups it took. */
  function redactMap(
    rules: CompiledFieldRule[] | CompiledRuleSet,
    records: number,
  ): { output: unknown; lookups: number } {
    const redactor = new Redactor(Array.isArray(rules) ? compiledRuleSetOf([], rules) : rules);
    let lookups = 0;
    const fieldRule = redactor.fieldRule.bind(redactor);
    redactor.fieldRule = (path) => {
      lookups++;
      return fieldRule(path);
    };
    const json = createJsonRedactor(redactor);
    const input = Object.fromEntries(
      Array.from({ length: records }, (_, i) => [`id-${i}`, { email: `a${i}@b.c`, n: i }]),
    );
    return { output: JSON.parse(json.push(JSON.stringify(input)) + json.end()), lookups };
  }

  it('looks up the rule of a key once per scanner above it when no rule has paths', () => {
    const { output, lookups } = redactMap([nameFieldRule('email', ['email'])], 50);
    expect(Object.values(output as object)).toEqual(
      Array.from({ length: 50 }, (_, n) => ({ email: '[EMAIL]', n })),
    );
    // The 50 ids, then `email` and `n` once: under every id the scanner is the same.
    expect(lookups).toBe(52);
  });

  it('looks up the rule of a key met in an earlier run of the rule set (an earlier object) no more', () => {
    const ruleSet = compiledRuleSetOf([], [nameFieldRule('email', ['email'])]);
    expect(redactMap(ruleSet, 50).lookups).toBe(52);
    const { output, lookups } = redactMap(ruleSet, 60);
    expect(Object.values(output as object)).toEqual(
      Array.from({ length: 60 }, (_, n) => ({ email: '[EMAIL]', n })),
    );
    // The 10 new ids only.
    expect(lookups).toBe(10);
  });

  it('looks up every path when a rule has paths, which name more than the key', () => {
    const { output, lookups } = redactMap([pathRule('seventh', ['id-7.email'])], 50);
    expect((output as Record<string, { email: string }>)['id-7']?.email).toBe('[SEVENTH]');
    expect((output as Record<string, { email: string }>)['id-8']?.email).toBe('a8@b.c');
    expect(lookups).toBe(150);
  });
});
