import { describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../../functions/core/errors.ts';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import { createCustomDetector } from '../../../functions/core/redaction/detectors/custom-detector.ts';
import { detectorRuleSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { findAll } from './find-all.ts';

const where = 'redaction-rules/acme.yaml:14:7';

function custom(rule: Record<string, unknown>): Detector {
  return createCustomDetector(detectorRuleSchema.parse(rule), where);
}

function failure(rule: Record<string, unknown>): RuleValidationError {
  try {
    custom(rule);
  } catch (error) {
    if (error instanceof RuleValidationError) return error;
    throw error;
  }
  throw new Error('expected a RuleValidationError');
}

describe('createCustomDetector', () => {
  it('finds matches of a bounded pattern with bounds from the pattern', () => {
    const detector = custom({ id: 'employee-id', pattern: '\\bEMP-[0-9]{6}\\b' });
    expect(detector).toMatchObject({
      id: 'employee-id',
      label: 'EMPLOYEE_ID',
      maxLength: 10,
      lookbehind: 1,
      lookahead: 1,
    });
    expect(findAll(detector, 'EMP-123456, xEMP-654321, EMP-1234567, EMP-000001')).toEqual([
      'EMP-123456',
      'EMP-000001',
    ]);
  });

  it('uses the label the rule names', () => {
    expect(custom({ id: 'employee-id', pattern: 'E[0-9]{3}', label: 'STAFF' }).label).toBe('STAFF');
  });

  it('honours the flags', () => {
    expect(findAll(custom({ id: 'code', pattern: 'abc-[0-9]{2}', flags: 'i' }), 'ABC-12 abc-34')).toEqual([
      'ABC-12',
      'abc-34',
    ]);
    expect(findAll(custom({ id: 'code', pattern: 'abc-[0-9]{2}' }), 'ABC-12 abc-34')).toEqual(['abc-34']);
    expect(findAll(custom({ id: 'line', pattern: '^K[0-9]{2}$', flags: 'm' }), 'K12\nxK34\nK56')).toEqual([
      'K12',
      'K56',
    ]);
    expect(findAll(custom({ id: 'emoji', pattern: '😀{2}', flags: 'u' }), 'a😀😀b😀')).toEqual(['😀😀']);
  });

  it('keeps only matches that pass the luhn validator', () => {
    const detector = custom({
      id: 'loyalty-card',
      pattern: '(?<![0-9])[0-9]{16}(?![0-9])',
      validator: 'luhn',
    });
    expect(findAll(detector, '4111111111111111 4111111111111112')).toEqual(['4111111111111111']);
  });

  it('keeps only matches that pass the iban validator, ignoring spaces and case', () => {
    const detector = custom({
      id: 'account',
      pattern: '[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]{4}){4}(?: ?[0-9]{2})',
      validator: 'iban',
    });
    expect(
      findAll(detector, 'DE89 3704 0044 0532 0130 00, de89370400440532013000, DE88 3704 0044 0532 0130 00'),
    ).toEqual(['DE89 3704 0044 0532 0130 00', 'de89370400440532013000']);
  });

  it('requires a context keyword before a match when the rule lists some', () => {
    const detector = custom({ id: 'badge', pattern: '[0-9]{5}', context: ['badge'], contextWindow: 10 });
    expect(detector.lookbehind).toBe(10);
    expect(findAll(detector, '12345 Badge: 23456 and 34567')).toEqual(['23456']);
  });

  it('retries one position later after a rejected candidate, not after its end', () => {
    const detector = custom({ id: 'card-ish', pattern: '[0-9]{16}', validator: 'luhn' });
    expect(findAll(detector, '94111111111111111')).toEqual(['4111111111111111']);
  });

  it('rejects an unbounded pattern, naming the location, rule, pattern, problem and what is allowed', () => {
    const error = failure({ id: 'employee-id', pattern: 'EMP-[0-9]+' });
    expect(error.code).toBe('InvalidRuleSet');
    expect(error.message).toContain(where);
    expect(error.message).toContain('"employee-id"');
    expect(error.message).toContain('/EMP-[0-9]+/');
    expect(error.message).toContain('unbounded quantifier `+` at offset 9');
    expect(error.message).toContain('allowed: ');
  });

  it('rejects backreferences, empty matches and window anchors', () => {
    expect(failure({ id: 'r', pattern: '(a)\\1' }).message).toContain('backreferences are not allowed');
    expect(failure({ id: 'r', pattern: 'a{0,2}' }).message).toContain('can match the empty string');
    expect(failure({ id: 'r', pattern: '^a' }).message).toContain('anchors to the scanned window');
  });

  it('rejects a pattern whose longest match exceeds the limit', () => {
    expect(failure({ id: 'r', pattern: '[a-z]{5000}' }).message).toContain('more than 4096');
  });

  it('rejects a bounded pattern that backtracks catastrophically', () => {
    expect(failure({ id: 'nested', pattern: '(a{1,30}){1,30}b' }).message).toMatch(
      /acme\.yaml:14:7: detector "nested": pattern \/\(a\{1,30\}\)\{1,30\}b\/ is not allowed: catastrophic backtracking/,
    );
  });

  it('rejects a rule without a pattern', () => {
    expect(failure({ id: 'email' }).message).toContain('has no pattern');
  });
});
