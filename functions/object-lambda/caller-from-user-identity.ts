import type { Caller } from '../core/caller.ts';
import type { ObjectLambdaEvent } from './object-lambda-event.ts';

/** Who an Object Lambda caller is, before a trusted edge adds where it is. */
export type IamCaller = Pick<Caller, 'id' | 'kind' | 'names' | 'doubt'>;

// ARN shapes from https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns:
// partitions aws, aws-cn, aws-us-gov, aws-iso-b, …; IAM names and STS session names use [\w+=,.@-];
// a path is printable ASCII between slashes, written between `role/` (or `user/`) and the name.
const PARTITION = '(aws(?:-[a-z]+)*)';
const ACCOUNT = '(\\d{12})';
const NAME = '([\\w+=,.@-]+)';
const PATH = '((?:[\\x21-\\x2e\\x30-\\x7e]+/)*)';
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:role/${PATH}${NAME}$`);
const USER_ARN = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:user/${PATH}${NAME}$`);
const ROOT_ARN = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:root$`);
// The STS ARN of a role session names the role without its path (see the AWS documentation
// above and hashicorp/terraform-provider-aws#19957).
const SESSION_ARN = new RegExp(`^arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${NAME}/${NAME}$`);
const FEDERATED_ARN = new RegExp(`^arn:${PARTITION}:sts::${ACCOUNT}:federated-user/${NAME}$`);

/**
 * The caller of an S3 Object Lambda request, from the event's `userIdentity` (CloudTrail's
 * element: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html ;
 * the event carries it as documented at
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/olap-event-context.html). The shape is
 * read from the ARNs, never from `type`:
 *
 * - role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`): the caller is the role,
 *   `sessionContext.sessionIssuer.arn` (`arn:aws:iam::ACCOUNT:role/PATH/ROLE`); names: role ARN,
 *   session ARN, account root. Without a session issuer the role ARN is rebuilt from the session
 *   ARN without its path, and the caller carries a `role-path` doubt. An issuer that is not
 *   that role makes the identity of unknown shape;
 * - IAM user: names user ARN, account root; account root: its ARN;
 * - federated user (`arn:aws:sts::ACCOUNT:federated-user/NAME`): the caller is the IAM user
 *   (or root) that issued it; names: issuer ARN, federated user ARN, account root;
 * - anything else (no ARN, as for AWSAccount, AWSService or Identity Center users; another
 *   partition layout; a mismatched issuer): the ARN or principal id, with an `unknown-shape`
 *   doubt, so it never gets a broader rule set than one that might have been written for it.
 *
 * @example
 * callerFromUserIdentity(event.userIdentity);
 * // { id: 'arn:aws:iam::111122223333:role/Admin', kind: 'iam',
 * //   names: ['arn:aws:iam::111122223333:role/Admin', 'arn:aws:sts::111122223333:assumed-role/Admin/example',
 * //           'arn:aws:iam::111122223333:root'] }
 */
export function callerFromUserIdentity(identity: ObjectLambdaEvent['userIdentity']): IamCaller {
  const { arn } = identity;
  const issuer = identity.sessionContext?.sessionIssuer?.arn;
  const session = arn === undefined ? null : SESSION_ARN.exec(arn);
  if (arn !== undefined && session !== null) {
    const [, partition = '', account = '', roleName = ''] = session;
    const roleArnPrefix = `arn:${partition}:iam::${account}:role/`;
    if (issuer === undefined) {
      const role = `${roleArnPrefix}${roleName}`;
      return iam(role, [role, arn, rootArn(partition, account)], {
        kind: 'role-path',
        roleArnPrefix,
        roleName,
      });
    }
    const role = ROLE_ARN.exec(issuer);
    if (role !== null && role[1] === partition && role[2] === account && role[4] === roleName) {
      return iam(issuer, [issuer, arn, rootArn(partition, account)]);
    }
    return unknownShape(identity);
  }
  const federated = arn === undefined ? null : FEDERATED_ARN.exec(arn);
  if (arn !== undefined && federated !== null && issuer !== undefined) {
    const [, partition = '', account = ''] = federated;
    const user = USER_ARN.exec(issuer) ?? ROOT_ARN.exec(issuer);
    if (user !== null && user[1] === partition && user[2] === account) {
      return iam(issuer, [...new Set([issuer, arn, rootArn(partition, account)])]);
    }
    return unknownShape(identity);
  }
  const user = arn === undefined ? null : USER_ARN.exec(arn);
  if (arn !== undefined && user !== null) return iam(arn, [arn, rootArn(user[1] ?? '', user[2] ?? '')]);
  if (arn !== undefined && ROOT_ARN.test(arn)) return iam(arn, [arn]);
  return unknownShape(identity);
}

function iam(id: string, names: readonly string[], doubt?: Caller['doubt']): IamCaller {
  return { id, kind: 'iam', names, doubt };
}

function unknownShape(identity: ObjectLambdaEvent['userIdentity']): IamCaller {
  const id = identity.arn ?? identity.principalId;
  return iam(id, [id], { kind: 'unknown-shape' });
}

function rootArn(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:root`;
}
