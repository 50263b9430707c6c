import { z } from 'zod';

/**
 * An SQS event as Lambda delivers it (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html):
 * only what the materializer reads; other fields are dropped.
 */
const sqsEventSchema = z.object({
  Records: z
    .array(z.object({ eventSource: z.literal('aws:sqs'), messageId: z.string().min(1), body: z.string() }))
    .min(1),
});

/**
 * An S3 Batch Operations `LambdaInvoke` invocation, schema 1.0 (`s3BucketArn`) or 2.0 (`s3Bucket`,
 * `job.userArguments`): https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_LambdaInvokeOperation.html.
 */
const batchEventSchema = z.object({
  invocationSchemaVersion: z.enum(['1.0', '2.0']),
  invocationId: z.string().min(1),
  job: z.object({ id: z.string() }),
  tasks: z
    .array(
      z.object({
        taskId: z.string().min(1),
        s3Key: z.string(),
        s3VersionId: z.string().nullish(),
        s3BucketArn: z.string().optional(),
        s3Bucket: z.string().optional(),
      }),
    )
    .min(1),
});

/**
 * The body of an S3 event notification message
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html):
 * records, or the `s3:TestEvent` S3 sends once a notification is configured.
 */
const s3NotificationSchema = z.union([
  z.object({
    Records: z.array(
      z.object({
        eventName: z.string(),
        s3: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
      }),
    ),
  }),
  z.object({ Event: z.literal('s3:TestEvent') }),
]);

export type SqsEvent = z.infer<typeof sqsEventSchema>;
export type BatchEvent = z.infer<typeof batchEventSchema>;

/** What the materializer was invoked with. */
export type MaterializerEvent =
  | { readonly kind: 'sqs'; readonly event: SqsEvent }
  | { readonly kind: 'batch'; readonly event: BatchEvent };

/** One object event of an S3 notification, its key decoded. */
export interface S3ObjectEvent {
  /** `ObjectCreated:Put`, `ObjectRemoved:Delete`, … (no `s3:` prefix). */
  readonly eventName: string;
  readonly bucket: string;
  readonly key: string;
}

/**
 * Parses an invocation: an SQS event, else a Batch Operations invocation.
 *
 * @throws Error naming what the event was not.
 */
export function parseMaterializerEvent(event: unknown): MaterializerEvent {
  const sqs = sqsEventSchema.safeParse(event);
  if (sqs.success) return { kind: 'sqs', event: sqs.data };
  const batch = batchEventSchema.safeParse(event);
  if (batch.success) return { kind: 'batch', event: batch.data };
  throw new Error(
    'the event is neither an SQS event nor an S3 Batch Operations invocation (schema 1.0 or 2.0)',
  );
}

/**
 * The object events of an SQS message body holding an S3 notification; none for the test event.
 *
 * @throws Error when the body is not an S3 notification or a key is not valid URL encoding.
 */
export function parseS3Notification(body: string): S3ObjectEvent[] {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new Error('the message body is not JSON', { cause: error });
  }
  const parsed = s3NotificationSchema.safeParse(document);
  if (!parsed.success) throw new Error('the message body is not an S3 event notification');
  if (!('Records' in parsed.data)) return [];
  return parsed.data.Records.map((record) => ({
    eventName: record.eventName,
    bucket: record.s3.bucket.name,
    key: decodeEventKey(record.s3.object.key),
  }));
}

/**
 * The bucket a Batch Operations task names: `s3Bucket` (schema 2.0) or the name in `s3BucketArn`
 * (schema 1.0, `arn:aws:s3:::NAME`).
 */
export function taskBucket(task: BatchEvent['tasks'][number]): string | undefined {
  if (task.s3Bucket !== undefined) return task.s3Bucket;
  return task.s3BucketArn?.split(':::')[1];
}

/**
 * An object key as S3 event notifications and Batch Operations tasks carry it: URL-encoded form
 * style, a space written `+` ("red flower.jpg" becomes "red+flower.jpg",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html), a
 * `+` of the key written `%2B`.
 *
 * @throws URIError when the text is not valid percent-encoding.
 */
export function decodeEventKey(encoded: string): string {
  return decodeURIComponent(encoded.replaceAll('+', ' '));
}
