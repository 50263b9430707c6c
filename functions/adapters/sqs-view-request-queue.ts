import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ServiceUnavailableError } from '../core/errors.ts';
import type { ObjectLocation } from '../core/ports/object-source.ts';
import type { ViewRequestQueue } from '../core/ports/view-request-queue.ts';
import { AWS_CLIENT_TIMEOUTS } from './aws-client-timeouts.ts';

/** SendMessageBatch takes at most 10 messages (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html). */
const MESSAGES_PER_BATCH = 10;
/** SendMessageBatch calls in flight at once. */
const BATCHES_IN_PARALLEL = 4;

export interface SqsViewRequestQueueOptions {
  readonly client: SQSClient;
  /** The materializer's queue, the one S3 event notifications feed. */
  readonly queueUrl: string;
}

/** The SQS client for view requests, with bounded timeouts; it sends to the queue URL's host (the SDK's default). */
export function createSqsClient(): SQSClient {
  return new SQSClient({ ...AWS_CLIENT_TIMEOUTS });
}

/**
 * A `ViewRequestQueue` on the materializer's SQS queue: one message per object, shaped as the S3
 * `ObjectCreated` event notification the materializer handles
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html),
 * sent in batches of ten. A message names the bucket and key only, never content.
 *
 * @example
 * const queue = createSqsViewRequestQueue({ client: createSqsClient(), queueUrl });
 * await queue.request([{ bucket: 'data', key: 'people.csv' }]);
 */
export function createSqsViewRequestQueue(options: SqsViewRequestQueueOptions): ViewRequestQueue {
  async function send(objects: readonly Pick<ObjectLocation, 'bucket' | 'key'>[]): Promise<void> {
    let failed: number;
    try {
      const result = await options.client.send(
        new SendMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: objects.map((object, index) => ({
            Id: String(index),
            MessageBody: viewRequestMessage(object),
          })),
        }),
      );
      failed = result.Failed?.length ?? 0;
    } catch (error) {
      throw new ServiceUnavailableError('the redacted views could not be requested', { cause: error });
    }
    if (failed > 0) {
      throw new ServiceUnavailableError(`${failed} of ${objects.length} view requests were not queued`);
    }
  }

  return {
    async request(objects) {
      const batches: (typeof objects)[] = [];
      for (let at = 0; at < objects.length; at += MESSAGES_PER_BATCH) {
        batches.push(objects.slice(at, at + MESSAGES_PER_BATCH));
      }
      for (let at = 0; at < batches.length; at += BATCHES_IN_PARALLEL) {
        await Promise.all(batches.slice(at, at + BATCHES_IN_PARALLEL).map(send));
      }
    },
  };
}

/**
 * The body of one view request: an S3 event notification with one `ObjectCreated` record, the key
 * URL-encoded form style as S3 writes it (a space as `+`, a `+` as `%2B`, `/` kept). Its
 * `eventSource` and `eventName` say that maskpoint, not S3, sent it.
 */
export function viewRequestMessage(object: Pick<ObjectLocation, 'bucket' | 'key'>): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'maskpoint:object-lambda',
        eventName: 'ObjectCreated:ViewRequested',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: object.bucket },
          object: { key: encodeURIComponent(object.key).replaceAll('%2F', '/').replaceAll('%20', '+') },
        },
      },
    ],
  });
}
