import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { chooseRuleSet } from '../../../functions/core/redaction/scope-match.ts';
import { callerFromUserIdentity } from '../../../functions/object-lambda/caller-from-user-identity.ts';
import {
  type ObjectLambdaEvent,
  parseObjectLambdaEvent,
} from '../../../functions/object-lambda/object-lambda-event.ts';

type UserIdentity = ObjectLambdaEvent['userIdentity'];

function fixtureIdentity(name: string): UserIdentity {
  const event = JSON.parse(
    readFileSync(new URL(`../../fixtures/object-lambda/${name}`, import.meta.url), 'utf8'),
  );
  return parseObjectLambdaEvent({ ...event, configuration: { ...event.configuration, payload: '' } })
    .userIdentity;
}

function ruleSet(name: string, callers: string[], priority: number) {
  return ruleSetSchema.parse({ name, priority, scope: { callers } });
}

/** The rule set chosen for `identity` when `default` serves everyone and `scoped` is written for some callers. */
function chosenFor(
  identity: UserIdentity,
  scopedCallers: string[],
  others: string[][] = [],
): string | undefined {
  const sets = [
    ruleSet('default', ['*'], 0),
    ruleSet('scoped', scopedCallers, 10),
    ...others.map((callers, i) => ruleSet(`other-${i}`, callers, 10)),
  ];
  return chooseRuleSet(sets, { bucket: 'b', key: 'k', caller: callerFromUserIdentity(identity) })?.name;
}

interface Role {
  readonly partition: string;
  readonly account: string;
  readonly path: string;
  readonly name: string;
}

const roleArn = (role: Role) => `arn:${role.partition}:iam::${role.account}:role/${role.path}${role.name}`;
const sessionArn = (role: Role, session: string) =>
  `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/${session}`;
const rootArn = (role: Pick<Role, 'partition' | 'account'>) =>
  `arn:${role.partition}:iam::${role.account}:root`;

/** A role session's identity; `issuer: null` leaves out the session issuer. */
function sessionIdentity(role: Role, session: string, issuer: string | null = roleArn(role)): UserIdentity {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${session}`,
    arn: sessionArn(role, session),
    accountId: role.account,
    sessionContext: {
      attributes: { mfaAuthenticated: 'false', creationDate: '2026-01-02T03:04:05Z' },
      ...(issuer === null ? {} : { sessionIssuer: { type: 'Role', arn: issuer, accountId: role.account } }),
    },
  };
}

const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso-b');
const account = fc.stringMatching(/^\d{12}$/);
const iamName = fc.stringMatching(/^[\w+=,.@-]{1,24}$/);
const sessionName = fc.stringMatching(/^[\w+=,.@-]{2,32}$/);
const path = fc
  .array(fc.stringMatching(/^[\w.-]{1,8}$/), { maxLength: 3 })
  .map((segments) => segments.map((segment) => `${segment}/`).join(''));
const role = fc.record({ partition, account, path, name: iamName });

/** Patterns an operator writes for a role: its ARN, its sessions, every role under its path. */
const rolePattern = (r: Role) =>
  fc.constantFrom(roleArn(r), `arn:${r.partition}:sts::${r.account}:assumed-role/${r.name}/*`);

/** Identities whose shape is not one the proxy knows. */
const oddIdentity: fc.Arbitrary<UserIdentity> = fc.oneof(
  fc.constantFrom<UserIdentity>(
    { type: 'AWSService', principalId: 'AWSService', invokedBy: 's3.amazonaws.com' },
    { type: 'AWSAccount', principalId: 'AIDAEXAMPLE', accountId: '444455556666' },
    { type: 'IdentityCenterUser', principalId: 'identity-center-user', accountId: '111122223333' },
    { type: 'Unknown', principalId: 'anonymous' },
  ),
  fc.record({
    type: fc.string(),
    principalId: fc.string({ minLength: 1 }),
    arn: fc.string({ minLength: 1 }),
  }),
  // A role session whose issuer is another role: which of the two is it?
  fc
    .tuple(role, role, sessionName)
    .filter(([a, b]) => roleArn(a) !== roleArn(b) && a.name !== b.name)
    .map(([a, b, session]) => sessionIdentity(a, session, roleArn(b))),
  // Near misses of the known shapes.
  fc
    .tuple(role, sessionName)
    .chain(([r, session]) =>
      fc.constantFrom(
        `${sessionArn(r, session)}/extra`,
        sessionArn(r, session).replace(':sts::', ':iam::'),
        `${roleArn(r)} `,
        sessionArn(r, session).replace(`:${r.account}:`, `:${r.account.slice(1)}:`),
      ),
    )
    .map((arn) => ({ type: 'AssumedRole', principalId: 'AROAEXAMPLE:x', arn })),
);

describe('callerFromUserIdentity', () => {
  it('makes the role the caller of the AWS documentation GetObject event, with its session and account as names', () => {
    expect(callerFromUserIdentity(fixtureIdentity('get-object.json'))).toEqual({
      id: 'arn:aws:iam::111122223333:role/Admin',
      kind: 'iam',
      names: [
        'arn:aws:iam::111122223333:role/Admin',
        'arn:aws:sts::111122223333:assumed-role/Admin/example',
        'arn:aws:iam::111122223333:root',
      ],
    });
  });

  it('names an IAM user by its ARN and its account', () => {
    expect(callerFromUserIdentity(fixtureIdentity('head-object-iam-user.json'))).toEqual({
      id: 'arn:aws:iam::111122223333:user/reader',
      kind: 'iam',
      names: ['arn:aws:iam::111122223333:user/reader', 'arn:aws:iam::111122223333:root'],
    });
  });

  it('names the account root by its ARN, whatever the type says (the Powertools sample event)', () => {
    expect(callerFromUserIdentity(fixtureIdentity('get-object-powertools-sample.json'))).toEqual({
      id: 'arn:aws:iam::123412341234:root',
      kind: 'iam',
      names: ['arn:aws:iam::123412341234:root'],
    });
  });

  it('keeps the role path from the session issuer (CloudTrail userIdentity example)', () => {
    const caller = callerFromUserIdentity({
      type: 'AssumedRole',
      principalId: 'AROAIDPPEZS35WEXAMPLE:AssumedRoleSessionName',
      arn: 'arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName',
      accountId: '123456789012',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAIDPPEZS35WEXAMPLE',
          arn: 'arn:aws:iam::123456789012:role/partners/eu/RoleToBeAssumed',
          accountId: '123456789012',
          userName: 'RoleToBeAssumed',
        },
        attributes: { mfaAuthenticated: 'false', creationDate: '20131102T010628Z' },
      },
    });

    expect(caller.id).toBe('arn:aws:iam::123456789012:role/partners/eu/RoleToBeAssumed');
    expect(caller.doubt).toBeUndefined();
  });

  it('rebuilds the role from the session ARN when the issuer is missing, and doubts its path', () => {
    const caller = callerFromUserIdentity({
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:s',
      arn: 'arn:aws:sts::123456789012:assumed-role/Reader/s-1',
    });

    expect(caller).toEqual({
      id: 'arn:aws:iam::123456789012:role/Reader',
      kind: 'iam',
      names: [
        'arn:aws:iam::123456789012:role/Reader',
        'arn:aws:sts::123456789012:assumed-role/Reader/s-1',
        'arn:aws:iam::123456789012:root',
      ],
      doubt: { kind: 'role-path', roleArnPrefix: 'arn:aws:iam::123456789012:role/', roleName: 'Reader' },
    });
  });

  it('makes the issuing IAM user the caller of its federated users', () => {
    const caller = callerFromUserIdentity({
      type: 'FederatedUser',
      principalId: '123456789012:bob',
      arn: 'arn:aws:sts::123456789012:federated-user/bob',
      sessionContext: {
        sessionIssuer: {
          type: 'IAMUser',
          arn: 'arn:aws:iam::123456789012:user/broker',
          accountId: '123456789012',
        },
      },
    });

    expect(caller).toEqual({
      id: 'arn:aws:iam::123456789012:user/broker',
      kind: 'iam',
      names: [
        'arn:aws:iam::123456789012:user/broker',
        'arn:aws:sts::123456789012:federated-user/bob',
        'arn:aws:iam::123456789012:root',
      ],
    });
  });

  it('doubts an identity without an ARN, and counts it by its principal id', () => {
    expect(
      callerFromUserIdentity({
        type: 'AWSService',
        principalId: 'AWSService',
        invokedBy: 's3.amazonaws.com',
      }),
    ).toEqual({ id: 'AWSService', kind: 'iam', names: ['AWSService'], doubt: { kind: 'unknown-shape' } });
  });

  it('gives every session of a role the same caller id, so a new session does not reset rate limits', () => {
    fc.assert(
      fc.property(role, sessionName, sessionName, fc.boolean(), (r, first, second, hasIssuer) => {
        const issuer = hasIssuer ? roleArn(r) : null;
        expect(callerFromUserIdentity(sessionIdentity(r, first, issuer)).id).toBe(
          callerFromUserIdentity(sessionIdentity(r, second, issuer)).id,
        );
      }),
    );
  });
});

describe('rule set for an Object Lambda caller (callerFromUserIdentity then chooseRuleSet)', () => {
  it("gives a role's sessions the rule set scoped to that role, whatever the session name", () => {
    fc.assert(
      fc.property(
        role.chain((r) => fc.tuple(fc.constant(r), rolePattern(r), sessionName)),
        role,
        ([r, pattern, session], other) => {
          fc.pre(other.name !== r.name);

          expect(chosenFor(sessionIdentity(r, session), [pattern], [[roleArn(other)]])).toBe('scoped');
        },
      ),
    );
  });

  it("gives a role's sessions without a session issuer the role's rule set or a denial, never the default", () => {
    fc.assert(
      fc.property(
        role.chain((r) => fc.tuple(fc.constant(r), rolePattern(r), sessionName)),
        ([r, pattern, session]) => {
          const chosen = chosenFor(sessionIdentity(r, session, null), [pattern]);

          // The session ARN leaves out the path: a pattern naming the role under a path can only be a maybe.
          const isPathNamed = r.path !== '' && pattern === roleArn(r);
          expect(chosen).toBe(isPathNamed ? undefined : 'scoped');
        },
      ),
    );
  });

  it('gives every principal of an account the rule set scoped to its account root, and none of another account', () => {
    fc.assert(
      fc.property(role, sessionName, account, fc.boolean(), (r, session, otherAccount, isUser) => {
        fc.pre(otherAccount !== r.account);
        const identity: UserIdentity = isUser
          ? {
              type: 'IAMUser',
              principalId: 'AIDA',
              arn: `arn:${r.partition}:iam::${r.account}:user/${r.path}${r.name}`,
            }
          : sessionIdentity(r, session);

        expect(chosenFor(identity, [rootArn(r)])).toBe('scoped');
        expect(chosenFor(identity, [rootArn({ ...r, account: otherAccount })])).toBe('default');
      }),
    );
  });

  it('never gives an identity of unknown shape the default when a scoped rule set could serve it', () => {
    const scopedPattern = fc.oneof(
      role.map(roleArn),
      role.map(rootArn),
      role.map((r) => `arn:${r.partition}:iam::${r.account}:*`),
      role.chain((r) => sessionName.map((s) => sessionArn(r, s))),
      fc.constantFrom('partner-a', 'arn:aws:*'),
    );
    fc.assert(
      fc.property(oddIdentity, scopedPattern, (identity, pattern) => {
        expect(['scoped', undefined]).toContain(chosenFor(identity, [pattern]));
      }),
    );
  });

  it('serves an identity of unknown shape by the default where no scoped rule set covers the request', () => {
    fc.assert(
      fc.property(oddIdentity, (identity) => {
        const sets = [ruleSet('default', ['*'], 0)];
        expect(
          chooseRuleSet(sets, { bucket: 'b', key: 'k', caller: callerFromUserIdentity(identity) })?.name,
        ).toBe('default');
      }),
    );
  });
});
