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

const request = { bucket: 'data-eu', key: 'exports/2024/05/orders.csv', caller: { id: 'partner-a' } };

function covers(scope: { buckets?: string[]; keys?: string[]; callers?: string[] }, overrides = {}): boolean {
  return ruleSetCovers(ruleSet('x', scope), { ...request, ...overrides });
}

describe('ruleSetCovers', () => {
  it('covers every request with the default scope', () => {
    expect(covers({})).toBe(true);
    expect(covers({}, { key: '', bucket: 'b', caller: { id: 'arn:aws:iam::1:role/x' } })).toBe(true);
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
    const caller = { id: 'arn:aws:iam::123456789012:role/reader-eu' };

    expect(covers({ callers: ['arn:aws:iam::123456789012:role/reader-*'] }, { caller })).toBe(true);
    expect(covers({ callers: ['arn:aws:iam::*:role/reader-??'] }, { caller })).toBe(true);
    expect(covers({ callers: ['arn:aws:iam::123456789012:role/writer-*'] }, { caller })).toBe(false);
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

describe('chooseRuleSet for a caller the front door doubts', () => {
  const partnerRole = 'arn:aws:iam::111122223333:role/partners/Partner';
  const sets = [
    ruleSet('default', {}, 0),
    ruleSet('partner', { keys: ['exports/'], callers: [partnerRole] }, 10),
  ];
  const unknownShape = { id: 'odd', doubt: { kind: 'unknown-shape' as const } };
  const pathless = (roleName: string) => ({
    id: `arn:aws:iam::111122223333:role/${roleName}`,
    names: [`arn:aws:iam::111122223333:role/${roleName}`],
    doubt: { kind: 'role-path' as const, roleArnPrefix: 'arn:aws:iam::111122223333:role/', roleName },
  });

  it('denies an identity of unknown shape where a scoped rule set outranks the default', () => {
    expect(chooseRuleSet(sets, { ...request, caller: unknownShape })).toBeUndefined();
  });

  it('serves an identity of unknown shape where only the default covers the key', () => {
    expect(chooseRuleSet(sets, { ...request, key: 'imports/a.csv', caller: unknownShape })?.name).toBe(
      'default',
    );
  });

  it('serves an identity of unknown shape by a rule set that names it, when nothing it might be outranks it', () => {
    const named = [...sets, ruleSet('named', { callers: ['odd'] }, 20)];

    expect(chooseRuleSet(named, { ...request, caller: unknownShape })?.name).toBe('named');
  });

  it('denies a role of unknown path that a path-scoped rule set might name', () => {
    expect(chooseRuleSet(sets, { ...request, caller: pathless('Partner') })).toBeUndefined();
  });

  it('serves a role of unknown path by the default when no path could make a scoped pattern name it', () => {
    expect(chooseRuleSet(sets, { ...request, caller: pathless('Other') })?.name).toBe('default');
  });

  it('considers every path a wildcard pattern allows, and only those', () => {
    const under = (callers: string[]) => [ruleSet('default', {}, 0), ruleSet('scoped', { callers }, 10)];
    const choose = (callers: string[]) =>
      chooseRuleSet(under(callers), { ...request, caller: pathless('Partner') })?.name;

    expect(choose(['arn:aws:iam::111122223333:role/*/Partner'])).toBeUndefined();
    expect(choose(['arn:aws:iam::111122223333:role/p?rtners/Part*'])).toBeUndefined();
    // `*` crosses `/`: this one names a role Partner under /partners/Partner-x/.
    expect(choose(['arn:aws:iam::111122223333:role/partners/Partner-*'])).toBeUndefined();
    expect(choose(['arn:aws:iam::111122223333:role/partners/Partner-?'])).toBe('default');
    expect(choose(['arn:aws:iam::111122223333:role/partners/Reader'])).toBe('default');
    expect(choose(['arn:aws:iam::444455556666:role/partners/Partner'])).toBe('default');
    expect(choose(['arn:aws:iam::111122223333:user/partners/Partner'])).toBe('default');
  });

  it('denies when a doubted match could make a rule set more specific than the one surely matched', () => {
    const tied = [
      ruleSet('broad', { callers: ['arn:aws:iam::111122223333:role/*', partnerRole] }, 10),
      ruleSet('narrow', { callers: ['arn:aws:iam::111122223333:role/P*'] }, 10),
    ];

    // Surely: broad 31 characters, narrow 32. If the path were partners/: broad 46.
    expect(chooseRuleSet(tied, { ...request, caller: pathless('Partner') })).toBeUndefined();
  });

  it('chooses as before for a caller without doubt', () => {
    const caller = {
      id: 'arn:aws:iam::111122223333:role/Partner',
      names: ['arn:aws:iam::111122223333:role/Partner'],
    };

    expect(chooseRuleSet(sets, { ...request, caller })?.name).toBe('default');
  });
});
