import { describe, expect, it } from 'vitest';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { chooseRuleSet, ruleSetCovers } from '../../../functions/core/redaction/scope-match.ts';

function ruleSet(
  name: string,
  scope: { buckets?: string[]; keys?: string[]; callers?: string[] },
  priority = 0,
) {
  return ruleSetSchema.parse({ name, priority, scope });
}

const request = { bucket: 'data-eu', key: 'exports/2024/05/orders.csv', callerId: 'partner-a' };

function covers(scope: { buckets?: string[]; keys?: string[]; callers?: string[] }, overrides = {}): boolean {
  return ruleSetCovers(ruleSet('x', scope), { ...request, ...overrides });
}

describe('ruleSetCovers', () => {
  it('covers every request with the default scope', () => {
    expect(covers({})).toBe(true);
    expect(covers({}, { key: '', bucket: 'b', callerId: 'arn:aws:iam::1:role/x' })).toBe(true);
  });

  it('matches bucket globs with * and ?', () => {
    expect(covers({ buckets: ['data-*'] })).toBe(true);
    expect(covers({ buckets: ['data-??'] })).toBe(true);
    expect(covers({ buckets: ['data-?'] })).toBe(false);
    expect(covers({ buckets: ['logs-*', 'data-eu'] })).toBe(true);
    expect(covers({ buckets: ['data'] })).toBe(false);
  });

  it('keeps * within one key segment and lets ** cross segments', () => {
    expect(covers({ keys: ['exports/*'] })).toBe(false);
    expect(covers({ keys: ['exports/*/*/*.csv'] })).toBe(true);
    expect(covers({ keys: ['exports/**'] })).toBe(true);
    expect(covers({ keys: ['exports/**/*.csv'] })).toBe(true);
    expect(covers({ keys: ['exports/**/*.json'] })).toBe(false);
    expect(covers({ keys: ['**/orders.csv'] })).toBe(true);
  });

  it('lets **/ match no segment at all', () => {
    expect(covers({ keys: ['exports/**/orders.csv'] }, { key: 'exports/orders.csv' })).toBe(true);
    expect(covers({ keys: ['**/orders.csv'] }, { key: 'orders.csv' })).toBe(true);
  });

  it('keeps ? within one key segment', () => {
    expect(covers({ keys: ['exports?2024/**'] })).toBe(false);
    expect(covers({ keys: ['exports/202?/**'] })).toBe(true);
  });

  it('treats a key pattern ending in / as a prefix', () => {
    expect(covers({ keys: ['exports/'] })).toBe(true);
    expect(covers({ keys: ['exports/2024/'] })).toBe(true);
    expect(covers({ keys: ['exports/2023/'] })).toBe(false);
    expect(covers({ keys: ['export/'] })).toBe(false);
  });

  it('matches caller ARN globs across / and :', () => {
    const callerId = 'arn:aws:iam::123456789012:role/reader-eu';

    expect(covers({ callers: ['arn:aws:iam::123456789012:role/reader-*'] }, { callerId })).toBe(true);
    expect(covers({ callers: ['arn:aws:iam::*:role/reader-??'] }, { callerId })).toBe(true);
    expect(covers({ callers: ['arn:aws:iam::123456789012:role/writer-*'] }, { callerId })).toBe(false);
    expect(covers({ callers: ['partner-a'] })).toBe(true);
  });

  it('is case-sensitive', () => {
    expect(covers({ keys: ['Exports/'] })).toBe(false);
  });

  it('requires bucket, key and caller to match', () => {
    expect(covers({ buckets: ['data-*'], keys: ['exports/'], callers: ['partner-b'] })).toBe(false);
  });

  it('matches a long key against many stars without backtracking', () => {
    const key = `${'a/'.repeat(500)}b`;
    const started = performance.now();

    expect(covers({ keys: ['**/*a*a*a*a*a*a*a*a*c'] }, { key })).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('chooseRuleSet', () => {
  it('returns undefined when no rule set covers the request', () => {
    expect(chooseRuleSet([ruleSet('logs', { buckets: ['logs'] })], request)).toBeUndefined();
  });

  it('chooses the highest priority among the rule sets that cover the request', () => {
    const chosen = chooseRuleSet(
      [
        ruleSet('default', {}, 0),
        ruleSet('partner', { callers: ['partner-*'] }, 10),
        ruleSet('other', { callers: ['other'] }, 100),
      ],
      request,
    );

    expect(chosen?.name).toBe('partner');
  });

  it('breaks a priority tie by the more specific scope', () => {
    const sets = [
      ruleSet('broad', { buckets: ['data-*'], keys: ['exports/'] }, 5),
      ruleSet('narrow', { buckets: ['data-*'], keys: ['exports/2024/'] }, 5),
    ];

    expect(chooseRuleSet(sets, request)?.name).toBe('narrow');
    expect(chooseRuleSet([...sets].reverse(), request)?.name).toBe('narrow');
  });

  it('counts the most specific matching pattern of each dimension', () => {
    const sets = [
      ruleSet('a', { keys: ['**', 'exports/2024/05/'] }),
      ruleSet('b', { keys: ['exports/2024/'], callers: ['partner-?'] }),
    ];

    // a: 16 literal key characters; b: 13 key + 8 caller characters.
    expect(chooseRuleSet(sets, request)?.name).toBe('b');
  });

  it('breaks a full tie by name in alphabetical order', () => {
    const sets = [ruleSet('zeta', { keys: ['exports/'] }), ruleSet('alpha', { keys: ['exports/'] })];

    expect(chooseRuleSet(sets, request)?.name).toBe('alpha');
    expect(chooseRuleSet([...sets].reverse(), request)?.name).toBe('alpha');
  });
});
