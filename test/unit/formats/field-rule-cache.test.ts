import { describe, expect, it } from 'vitest';
import { createFieldMatcher, namesArrayIndex } from '../../../functions/core/redaction/field-matcher.ts';
import { createJsonRedactor } from '../../../functions/core/redaction/formats/json-redactor.ts';
import { createNdjsonRedactor } from '../../../functions/core/redaction/formats/ndjson-redactor.ts';
import { type CompiledFieldRule, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { compiledRuleSetOf } from '../support/compiled-rule-set.ts';

function pathRule(id: string, paths: string[]): CompiledFieldRule {
  return {
    id,
    isKeep: false,
    isIndexSensitive: namesArrayIndex(paths),
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
