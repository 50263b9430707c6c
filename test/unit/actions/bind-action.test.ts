import { describe, expect, it } from 'vitest';
import { KeyringError } from '../../../functions/core/errors.ts';
import { bindAction } from '../../../functions/core/redaction/actions/bind-action.ts';
import { detokenizeDigits, detokenizeText } from '../../../functions/core/redaction/actions/detokenize.ts';
import { hashAction } from '../../../functions/core/redaction/actions/hash-action.ts';
import { tokenSubkeys } from '../../../functions/core/redaction/actions/token-subkeys.ts';
import { type Action, actionSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { testTokenKeys } from './test-token-keys.ts';

const rule = { id: 'email', label: 'EMAIL' };
const keys = testTokenKeys('k1', 'k2');
const bind = (action: unknown) => bindAction(actionSchema.parse(action), rule, keys);

describe('bindAction', () => {
  it('redacts with the rule label, or the action label when given', () => {
    expect(bind({ type: 'redact' })('alice@example.com')).toBe('[EMAIL]');
    expect(bind({ type: 'redact', label: 'CONTACT' })('alice@example.com')).toBe('[CONTACT]');
  });

  it('declares the label of redact as its result for every value, and no such result for the others', () => {
    expect(bind({ type: 'redact', label: 'CONTACT' }).constant).toBe('[CONTACT]');
    for (const type of ['drop', 'keep', 'mask', 'hash']) expect(bind({ type }).constant).toBeUndefined();
  });

  it('drops the value', () => {
    expect(bind({ type: 'drop' })('alice@example.com')).toBeUndefined();
  });

  it('keeps the value', () => {
    expect(bind({ type: 'keep' })('alice@example.com')).toBe('alice@example.com');
  });

  it('masks with the schema defaults', () => {
    expect(bind({ type: 'mask' })('4111 1111 1111 1111')).toBe('**** **** **** 1111');
  });

  it('hashes with the current key', () => {
    const expected = hashAction({ type: 'hash', bytes: 8 }, tokenSubkeys(keys, 'k2').hmac)('alice');

    expect(bind({ type: 'hash' })('alice')).toBe(expected);
  });

  it('tokenizes with SIV under the current key id, reversibly', () => {
    const token = bind({ type: 'tokenize' })('alice@example.com') as string;

    expect(token).toMatch(/^tok:k2:/);
    expect(detokenizeText(token, keys)).toEqual({ text: 'alice@example.com', count: 1 });
  });

  it('tokenizes digits with FF1 under the current key id, reversibly', () => {
    const token = bind({ type: 'tokenize', mode: 'ff1' })('+1 (555) 010-2345') as string;

    expect(token).toMatch(/^\+\d \(\d{3}\) \d{3}-\d{4}$/);
    expect(detokenizeDigits(token, 'k2', keys)).toBe('+1 (555) 010-2345');
  });

  it('never lets a planted value through redact, mask with keepLast 0, hash or tokenize', () => {
    const actions: unknown[] = [
      { type: 'redact' },
      { type: 'mask', keepLast: 0 },
      { type: 'hash', bytes: 32 },
      { type: 'tokenize', mode: 'siv' },
      { type: 'tokenize', mode: 'ff1' },
    ];
    for (const action of actions) {
      for (const planted of ['planted-4111111111111111', '4111111111111111', 'planted@example.com']) {
        const output = bind(action)(planted) as string;
        expect(output, JSON.stringify(action)).not.toContain(planted);
        expect(output, JSON.stringify(action)).not.toContain('planted');
      }
    }
  });

  it('fails when the current key id has no key', () => {
    const broken = { currentKeyId: 'k3', keys: keys.keys };
    const tokenize: Action = { type: 'tokenize', mode: 'siv' };

    expect(() => bindAction(tokenize, rule, broken)).toThrow(KeyringError);
    expect(() => bindAction(tokenize, rule, broken)).toThrow(/rule "email": current token key id "k3"/);
    expect(bindAction({ type: 'drop' }, rule, broken)('x')).toBeUndefined();
  });
});
