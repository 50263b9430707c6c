import { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { rateLimitTableProps } from './defaults.ts';

/**
 * The rate limiter's shared counters: on-demand, partition key `key`, TTL on `expire`,
 * point-in-time recovery; the table `createDynamoRateLimiter` expects.
 */
export class RateLimitTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', rateLimitTableProps());
  }

  /** Lets `grantee` read and count (`GetItem`, `UpdateItem`): all rate-limiter-flexible's consume needs. */
  grantConsume(grantee: IGrantable): Grant {
    return this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  }
}
