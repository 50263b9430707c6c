import { describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../functions/core/errors.ts';
import { compileRuleSet } from '../../functions/core/redaction/compile-rule-set.ts';
import { Redactor } from '../../functions/core/redaction/redactor.ts';
import { ruleSetSchema } from '../../functions/core/redaction/rule-schema.ts';
import { testTokenKeys } from './actions/test-token-keys.ts';

function redactWith(detectors: unknown[], text: string): string {
  const ruleSet = ruleSetSchema.parse({ name: 'test', detectors });
  return new Redactor(compileRuleSet(ruleSet, testTokenKeys('k1'))).redactText(text);
}

describe('compileRuleSet', () => {
  it('labels a built-in detector with the label its rule gives', () => {
    expect(redactWith([{ id: 'email', label: 'MAIL' }], 'to jane@example.com')).toBe('to [MAIL]');
    expect(redactWith([{ id: 'email' }], 'to jane@example.com')).toBe('to [EMAIL]');
  });

  it('requires the context keyword a rule adds to a built-in', () => {
    const rule = { id: 'us-ssn', context: ['ssn'] };
    expect(redactWith([rule], 'ssn 123-45-6789')).toBe('ssn [SSN]');
    expect(redactWith([rule], 'ref 123-45-6789')).toBe('ref 123-45-6789');
  });

  it('rejects an unknown built-in naming the place and the built-ins', () => {
    const ruleSet = ruleSetSchema.parse({ name: 'test', detectors: [{ id: 'passport' }] });
    const compile = () => compileRuleSet(ruleSet, testTokenKeys('k1'), () => 'rules/test.yaml:4:5');
    expect(compile).toThrow(RuleValidationError);
    expect(compile).toThrow(
      /rules\/test\.yaml:4:5: unknown built-in detector "passport"; built-ins are .*email/,
    );
  });
});
