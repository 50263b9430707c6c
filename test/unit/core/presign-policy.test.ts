import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccessDeniedError, InvalidArgumentError } from '../../../functions/core/errors.ts';
import {
  checkPresignRequest,
  type PresignPolicy,
  type PresignRequest,
  presignPolicySchema,
} from '../../../functions/core/presign-policy.ts';

const PARTNER = 'arn:aws:sts::111122223333:assumed-role/partner-reader/session-1';

const policy: PresignPolicy = {
  callers: [
    {
      principal: 'arn:aws:sts::111122223333:assumed-role/partner-*/*',
      prefixes: ['exports/', 'shared/'],
      maxExpiresSeconds: 86_400,
    },
    { principal: 'arn:aws:iam::111122223333:user/ops', prefixes: [''], maxExpiresSeconds: 10_000_000 },
    {
      principal: 'arn:aws:iam::111122223333:user/auditor-?',
      prefixes: ['audit/'],
      maxExpiresSeconds: 3_600,
      buckets: ['reports'],
    },
  ],
};

function request(overrides: Partial<PresignRequest> = {}): PresignRequest {
  return {
    callerArn: PARTNER,
    bucket: 'reports',
    key: 'exports/q1.csv',
    expiresSeconds: 3_600,
    ...overrides,
  };
}

describe('checkPresignRequest', () => {
  it('allows a matching caller to presign a key under one of its prefixes', () => {
    expect(() => checkPresignRequest(request(), policy)).not.toThrow();
    expect(() => checkPresignRequest(request({ key: 'shared/a/b.json' }), policy)).not.toThrow();
  });

  it('matches the principal glob across ":" and "/" with "*" and one character with "?"', () => {
    expect(() =>
      checkPresignRequest(
        request({ callerArn: 'arn:aws:iam::111122223333:user/auditor-1', key: 'audit/x.log' }),
        policy,
      ),
    ).not.toThrow();
    expect(() =>
      checkPresignRequest(
        request({ callerArn: 'arn:aws:iam::111122223333:user/auditor-12', key: 'audit/x.log' }),
        policy,
      ),
    ).toThrow(AccessDeniedError);
  });

  it('treats regex characters in a principal literally', () => {
    const dotted: PresignPolicy = {
      callers: [{ principal: 'arn:aws:iam::1:user/a.b', prefixes: [''], maxExpiresSeconds: 60 }],
    };
    expect(() =>
      checkPresignRequest(request({ callerArn: 'arn:aws:iam::1:user/axb', expiresSeconds: 60 }), dotted),
    ).toThrow(AccessDeniedError);
  });

  it('rejects a caller no entry names, naming the caller', () => {
    expect(() =>
      checkPresignRequest(request({ callerArn: 'arn:aws:iam::999999999999:user/mallory' }), policy),
    ).toThrow(new AccessDeniedError('caller arn:aws:iam::999999999999:user/mallory may not presign URLs'));
  });

  it('rejects a key outside the caller’s prefixes, listing the allowed ones', () => {
    expect(() => checkPresignRequest(request({ key: 'raw/q1.csv' }), policy)).toThrow(AccessDeniedError);
    expect(() => checkPresignRequest(request({ key: 'raw/q1.csv' }), policy)).toThrow(
      /may not presign reports\/raw\/q1\.csv: allowed are keys under \*\/exports\/, \*\/shared\//,
    );
  });

  it('rejects a key that only contains an allowed prefix further in', () => {
    expect(() => checkPresignRequest(request({ key: 'raw/exports/q1.csv' }), policy)).toThrow(
      AccessDeniedError,
    );
  });

  it('rejects a bucket the caller’s entry does not list', () => {
    expect(() =>
      checkPresignRequest(
        request({
          callerArn: 'arn:aws:iam::111122223333:user/auditor-1',
          bucket: 'other',
          key: 'audit/x.log',
        }),
        policy,
      ),
    ).toThrow(AccessDeniedError);
  });

  it('allows exactly the entry’s maximum and rejects one second more', () => {
    expect(() => checkPresignRequest(request({ expiresSeconds: 86_400 }), policy)).not.toThrow();
    expect(() => checkPresignRequest(request({ expiresSeconds: 86_401 }), policy)).toThrow(
      new InvalidArgumentError(
        `expiresSeconds 86401 exceeds the 86400 seconds caller ${PARTNER} may ask for reports/exports/q1.csv`,
      ),
    );
  });

  it('allows 7 days and rejects 7 days + 1 s even when the entry allows more', () => {
    const ops = request({ callerArn: 'arn:aws:iam::111122223333:user/ops', key: 'anything' });
    expect(() => checkPresignRequest({ ...ops, expiresSeconds: 604_800 }, policy)).not.toThrow();
    expect(() => checkPresignRequest({ ...ops, expiresSeconds: 604_801 }, policy)).toThrow(
      InvalidArgumentError,
    );
    expect(() => checkPresignRequest({ ...ops, expiresSeconds: 604_801 }, policy)).toThrow(/7 days/);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects expiresSeconds %d', (expiresSeconds) => {
    expect(() => checkPresignRequest(request({ expiresSeconds }), policy)).toThrow(InvalidArgumentError);
  });

  it('rejects an unknown caller before any expiry cap of theirs could be told', () => {
    expect(() =>
      checkPresignRequest(request({ callerArn: 'arn:aws:iam::1:user/x', expiresSeconds: 604_800 }), policy),
    ).toThrow(AccessDeniedError);
  });
});

describe('presignPolicySchema', () => {
  it('accepts entries with and without a bucket list', () => {
    const valid = {
      callers: [
        { principal: 'arn:aws:iam::1:user/*', prefixes: [''], maxExpiresSeconds: 604_800 },
        { principal: 'arn:aws:iam::1:user/a', prefixes: ['a/'], maxExpiresSeconds: 60, buckets: ['reports'] },
      ],
    };
    expect(presignPolicySchema.parse(valid)).toEqual(valid);
  });

  it('rejects a misspelt field, an empty prefix list and a maximum over 7 days', () => {
    const grant = { principal: 'arn:aws:iam::1:user/a', prefixes: ['a/'], maxExpiresSeconds: 60 };
    expect(presignPolicySchema.safeParse({ callers: [{ ...grant, maxExpiresSecond: 60 }] }).success).toBe(
      false,
    );
    expect(presignPolicySchema.safeParse({ callers: [{ ...grant, prefixes: [] }] }).success).toBe(false);
    expect(
      presignPolicySchema.safeParse({ callers: [{ ...grant, maxExpiresSeconds: 604_801 }] }).success,
    ).toBe(false);
    expect(presignPolicySchema.safeParse({ callers: [] }).success).toBe(false);
  });
});

describe('checkPresignRequest for role sessions', () => {
  const roleName = fc.stringMatching(/^[\w+=,.@-]{1,20}$/);
  const sessionName = fc.stringMatching(/^[\w+=,.@-]{2,20}$/);
  const rolePath = fc.constantFrom('', 'partners/', 'a/b/');
  const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov');
  const grantFor = (principal: string): PresignPolicy => ({
    callers: [{ principal, prefixes: ['exports/'], maxExpiresSeconds: 3_600 }],
  });
  const allows = (principal: string, callerArn: string): boolean => {
    try {
      checkPresignRequest(request({ callerArn }), grantFor(principal));
      return true;
    } catch (error) {
      if (error instanceof AccessDeniedError) return false;
      throw error;
    }
  };

  it('lets a grant to a role ARN, with or without a path, cover every session of that role (generated)', () => {
    fc.assert(
      fc.property(partition, rolePath, roleName, sessionName, (p, path, role, session) => {
        const principal = `arn:${p}:iam::111122223333:role/${path}${role}`;
        const caller = `arn:${p}:sts::111122223333:assumed-role/${role}/${session}`;

        expect(allows(principal, caller)).toBe(true);
      }),
    );
  });

  it('never lets a role grant cover another role, account, partition or kind of caller (generated near misses)', () => {
    fc.assert(
      fc.property(partition, rolePath, roleName, sessionName, fc.nat(5), (p, path, role, session, miss) => {
        const principal = `arn:${p}:iam::111122223333:role/${path}${role}`;
        const callers = [
          `arn:${p}:sts::111122223333:assumed-role/${role}x/${session}`,
          `arn:${p}:sts::111122223333:assumed-role/x${role}/${session}`,
          `arn:${p}:sts::444455556666:assumed-role/${role}/${session}`,
          `arn:${p === 'aws' ? 'aws-cn' : 'aws'}:sts::111122223333:assumed-role/${role}/${session}`,
          `arn:${p}:sts::111122223333:federated-user/${role}`,
          `arn:${p}:iam::111122223333:user/${role}`,
        ];

        expect(allows(principal, callers[miss] as string)).toBe(false);
      }),
    );
  });

  it('matches a glob against the session role ARN without a path', () => {
    const caller = 'arn:aws:sts::111122223333:assumed-role/partner-a/job-7';

    expect(allows('arn:aws:iam::111122223333:role/partner-*', caller)).toBe(true);
    expect(allows('arn:aws:iam::111122223333:role/partners/partner-*', caller)).toBe(false);
    expect(allows('arn:aws:iam::111122223333:role/other-*', caller)).toBe(false);
  });
});
