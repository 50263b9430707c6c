import { describe, expect, it } from 'vitest';
import { memoizeValueAction } from '../../../functions/core/redaction/actions/memoize-value-action.ts';

function countingAction() {
  const calls: string[] = [];
  const action = (value: string) => {
    calls.push(value);
    return `<${value}>`;
  };
  return { calls, action };
}

describe('memoizeValueAction', () => {
  it('returns the action result and computes a repeated value once', () => {
    const { calls, action } = countingAction();
    const apply = memoizeValueAction(action);

    expect(apply('alice')).toBe('<alice>');
    expect(apply('alice')).toBe('<alice>');
    expect(apply('bob')).toBe('<bob>');
    expect(calls).toEqual(['alice', 'bob']);
  });

  it('does not remember long values', () => {
    const { calls, action } = countingAction();
    const apply = memoizeValueAction(action);
    const long = 'x'.repeat(65);

    apply(long);
    apply(long);
    expect(calls).toEqual([long, long]);
  });

  it('stops remembering once full, keeping what it holds', () => {
    const { calls, action } = countingAction();
    const apply = memoizeValueAction(action);
    apply('first');
    // 64-character values with 66-character results: about 4,000 of them fill 512 Ki characters.
    for (let i = 0; i < 5000; i++) apply(i.toString().padStart(64, '0'));
    calls.length = 0;

    apply('first');
    apply(`${'0'.repeat(63)}1`);
    apply((4999).toString().padStart(64, '0'));
    expect(calls).toEqual([(4999).toString().padStart(64, '0')]);
  });

  it('remembers values with unpaired surrogates exactly', () => {
    const { calls, action } = countingAction();
    const apply = memoizeValueAction(action);

    expect(apply('a\ud800')).toBe('<a\ud800>');
    expect(apply('a\udc00')).toBe('<a\udc00>');
    expect(apply('a\ud800')).toBe('<a\ud800>');
    expect(calls).toEqual(['a\ud800', 'a\udc00']);
  });

  it("takes many values through the action's own `many`, passing it only those it does not remember", () => {
    const { calls, action } = countingAction();
    const batches: string[][] = [];
    const many = (values: readonly string[]) => {
      batches.push([...values]);
      return values.map((value) => (value === 'drop' ? undefined : `<${value}>`));
    };
    const apply = memoizeValueAction(Object.assign(action, { many }));
    const long = 'x'.repeat(65);
    apply('alice');

    expect(apply.many?.(['alice', 'bob', 'drop', long, 'alice', ''])).toEqual([
      '<alice>',
      '<bob>',
      undefined,
      `<${long}>`,
      '<alice>',
      '<>',
    ]);
    expect(batches).toEqual([['bob', 'drop', long, '']]);
    expect(apply.many?.(['bob', long])).toEqual(['<bob>', `<${long}>`]);
    expect(batches).toEqual([['bob', 'drop', long, ''], [long]]);
    expect(calls).toEqual(['alice']);
  });

  it('takes many values through an action without a `many` one at a time, passing it only those it does not remember', () => {
    const { calls, action } = countingAction();
    const apply = memoizeValueAction(action);
    apply('alice');

    expect(apply.many?.(['alice', 'bob', 'alice'])).toEqual(['<alice>', '<bob>', '<alice>']);
    expect(calls).toEqual(['alice', 'bob']);
  });

  it('once full, passes a whole batch to `many` without looking up the rest when its first 4 values are not remembered', () => {
    const batches: string[][] = [];
    const many = (values: readonly string[]) => {
      batches.push([...values]);
      return values.map((value) => `<${value}>`);
    };
    const apply = memoizeValueAction(Object.assign((value: string) => `<${value}>`, { many }));
    apply('first');
    // 64-character values with 66-character results: about 4,000 of them fill 512 Ki characters.
    apply.many?.(Array.from({ length: 5000 }, (_, i) => i.toString().padStart(64, '0')));
    const unknown = Array.from({ length: 4 }, (_, i) => `new${i}`.padEnd(64, '-'));
    batches.length = 0;

    expect(apply.many?.([...unknown, 'first'])).toEqual([...unknown, 'first'].map((value) => `<${value}>`));
    expect(apply.many?.(['first', ...unknown, 'first'])).toEqual(
      ['first', ...unknown, 'first'].map((value) => `<${value}>`),
    );
    expect(batches).toEqual([[...unknown, 'first'], unknown]);
  });
});
