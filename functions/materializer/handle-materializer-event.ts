import { MaskpointError } from '../core/errors.ts';
import { objectViewsPrefix } from '../core/views/view-id.ts';
import {
  type ViewWarmOutcome,
  type WarmDependencies,
  warmObjectViews,
} from '../core/views/warm-object-views.ts';
import {
  type BatchEvent,
  decodeEventKey,
  parseMaterializerEvent,
  parseS3Notification,
  type SqsEvent,
  taskBucket,
} from './materializer-event.ts';

/** What the materializer needs besides warming: the bucket it serves and a log. */
export interface MaterializerDependencies extends WarmDependencies {
  /** The protected bucket; events and tasks for any other are refused. */
  readonly bucket: string;
  readonly logger: {
    info(message: string, fields: Record<string, unknown>): void;
    warn(message: string, fields: Record<string, unknown>): void;
  };
}

/** Lambda's partial batch response for SQS: the messages to deliver again. */
export interface SqsBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export type BatchResultCode = 'Succeeded' | 'TemporaryFailure' | 'PermanentFailure';

/**
 * The response S3 Batch Operations expects from a `LambdaInvoke` task
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html): one result
 * per task; `TemporaryFailure` is retried, `PermanentFailure` goes to the report as failed.
 */
export interface BatchOperationsResponse {
  readonly invocationSchemaVersion: string;
  readonly treatMissingKeysAs: BatchResultCode;
  readonly invocationId: string;
  readonly results: {
    readonly taskId: string;
    readonly resultCode: BatchResultCode;
    readonly resultString: string;
  }[];
}

/**
 * Handles one materializer invocation:
 *
 * - **SQS** messages of S3 event notifications: `ObjectCreated:*` warms the object's views for
 *   every rule set that can apply, `ObjectRemoved:*` deletes every view of the object, the test
 *   event and other events are ignored. A message fails (and is delivered again, then to the
 *   dead-letter queue) when a view failed for a reason worth retrying or the message is not an S3
 *   notification; refused objects (unsupported format, malformed, …) are logged, not retried.
 *   Reply: the partial batch response
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 * - **S3 Batch Operations** tasks (schema 1.0 or 2.0): each object is warmed; its result is
 *   `Succeeded` when some view is made or present (or no rule set covers it), `TemporaryFailure`
 *   when a view failed for a reason worth retrying, else `PermanentFailure`; the result string
 *   holds rule set names and reason codes, never content.
 *
 * @throws Error for an event that is neither (Lambda then reports the invocation as failed).
 */
export async function handleMaterializerEvent(
  event: unknown,
  deps: MaterializerDependencies,
): Promise<SqsBatchResponse | BatchOperationsResponse> {
  const parsed = parseMaterializerEvent(event);
  return parsed.kind === 'sqs' ? handleSqs(parsed.event, deps) : handleBatch(parsed.event, deps);
}

async function handleSqs(event: SqsEvent, deps: MaterializerDependencies): Promise<SqsBatchResponse> {
  const failed = await Promise.all(
    event.Records.map(async (record) => {
      try {
        const isDone = await handleNotification(record.body, deps);
        return isDone ? [] : [{ itemIdentifier: record.messageId }];
      } catch (error) {
        deps.logger.warn('materializer message failed', {
          messageId: record.messageId,
          reason: reasonOf(error),
        });
        return [{ itemIdentifier: record.messageId }];
      }
    }),
  );
  return { batchItemFailures: failed.flat() };
}

/** Handles every object event of one message; false when one should be tried again. */
async function handleNotification(body: string, deps: MaterializerDependencies): Promise<boolean> {
  const results = await Promise.all(
    parseS3Notification(body).map(async ({ eventName, bucket, key }) => {
      if (bucket !== deps.bucket) {
        deps.logger.warn('event for another bucket ignored', { bucket, eventName });
        return true;
      }
      if (eventName.startsWith('ObjectRemoved:')) {
        await deps.store.deleteObjectViews(objectViewsPrefix(bucket, key));
        deps.logger.info('views deleted', { bucket, key, eventName });
        return true;
      }
      if (!eventName.startsWith('ObjectCreated:')) return true;
      const outcomes = await warmObjectViews({ bucket, key }, deps);
      deps.logger.info('views warmed', { bucket, key, eventName, outcomes });
      return !outcomes.some((outcome) => outcome.kind === 'failed');
    }),
  );
  return results.every(Boolean);
}

async function handleBatch(
  event: BatchEvent,
  deps: MaterializerDependencies,
): Promise<BatchOperationsResponse> {
  const results = await Promise.all(
    event.tasks.map(async (task) => {
      const bucket = taskBucket(task);
      if (bucket !== deps.bucket) {
        return result(
          task.taskId,
          'PermanentFailure',
          `WrongBucket: this materializer warms ${deps.bucket} only`,
        );
      }
      let key: string;
      try {
        // Batch Operations passes keys URL-encoded, as the manifest holds them (batch-ops-invoke-lambda.html).
        key = decodeEventKey(task.s3Key);
      } catch {
        return result(task.taskId, 'PermanentFailure', 'InvalidKey: the key is not valid URL encoding');
      }
      const outcomes = await warmObjectViews({ bucket, key }, deps);
      deps.logger.info('views warmed', { bucket, key, jobId: event.job.id, outcomes });
      return result(task.taskId, resultCodeOf(outcomes), describeOutcomes(outcomes));
    }),
  );
  return {
    invocationSchemaVersion: event.invocationSchemaVersion,
    treatMissingKeysAs: 'PermanentFailure',
    invocationId: event.invocationId,
    results,
  };
}

function result(taskId: string, resultCode: BatchResultCode, resultString: string) {
  return { taskId, resultCode, resultString };
}

function resultCodeOf(outcomes: readonly ViewWarmOutcome[]): BatchResultCode {
  if (outcomes.some((outcome) => outcome.kind === 'failed')) return 'TemporaryFailure';
  if (
    outcomes.length === 0 ||
    outcomes.some((outcome) => outcome.kind === 'made' || outcome.kind === 'present')
  )
    return 'Succeeded';
  return 'PermanentFailure';
}

/** `default: made, partner: refused UnsupportedFormat`; `no rule set covers the key` when empty. */
function describeOutcomes(outcomes: readonly ViewWarmOutcome[]): string {
  if (outcomes.length === 0) return 'no rule set covers the key';
  return outcomes
    .map((outcome) =>
      'reason' in outcome
        ? `${outcome.ruleSet}: ${outcome.kind} ${outcome.reason}`
        : `${outcome.ruleSet}: ${outcome.kind}`,
    )
    .join(', ');
}

/** A code safe to log: domain errors by code, anything else by class name only. */
function reasonOf(error: unknown): string {
  if (error instanceof MaskpointError) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
