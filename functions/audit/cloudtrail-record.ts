import { z } from 'zod';
import { AuditInputError } from './audit-input-error.ts';
import { actionOfRecord, S3_OBJECT_ACTIONS } from './cloudtrail-action.ts';

// Fields of a CloudTrail record this audit reads
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html);
// every other field is let through untouched.
const recordSchema = z
  .object({
    eventTime: z.string(),
    eventSource: z.string(),
    eventName: z.string(),
    eventCategory: z.string().optional(),
    managementEvent: z.boolean().optional(),
    userIdentity: z
      .object({
        type: z.string().optional(),
        accessKeyId: z.string().optional(),
        userName: z.string().optional(),
        arn: z.string().optional(),
      })
      .loose()
      .optional(),
    sourceIPAddress: z.string().optional(),
    vpcEndpointId: z.string().optional(),
    errorCode: z.string().optional(),
    requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
    resources: z
      .array(z.object({ ARN: z.string().optional(), type: z.string().optional() }).loose())
      .optional(),
  })
  .loose();

/** One CloudTrail record, as delivered to S3 or as LookupEvents' `CloudTrailEvent`. */
export type CloudTrailRecord = z.output<typeof recordSchema>;

const logFileSchema = z.object({ Records: z.array(z.unknown()) }).loose();

/**
 * Reads a CloudTrail log file (`{"Records":[…]}`). Records that do not have the documented fields
 * are an error, not skipped: a silently smaller trail would make used rights look unused.
 *
 * @throws AuditInputError naming `source` and the record index.
 */
export function parseCloudTrailLogFile(text: string, source: string): CloudTrailRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AuditInputError(`${source}: not JSON`, { cause: error });
  }
  const file = logFileSchema.safeParse(json);
  if (!file.success) throw new AuditInputError(`${source}: not a CloudTrail log file ({"Records":[…]})`);
  return file.data.Records.map((record, index) =>
    parseCloudTrailRecord(record, `${source}: record ${index}`),
  );
}

/**
 * Reads one CloudTrail record (an object, or the JSON string LookupEvents returns).
 *
 * @throws AuditInputError naming `source` and the first field that is wrong.
 */
export function parseCloudTrailRecord(value: unknown, source: string): CloudTrailRecord {
  let json = value;
  if (typeof value === 'string') {
    try {
      json = JSON.parse(value);
    } catch (error) {
      throw new AuditInputError(`${source}: not JSON`, { cause: error });
    }
  }
  const record = recordSchema.safeParse(json);
  if (!record.success) {
    const issue = record.error.issues[0];
    throw new AuditInputError(`${source}: ${issue?.path.join('.') || '(record)'}: ${issue?.message}`);
  }
  return record.data;
}

/** Whether the record is a data event (S3 object-level, Lambda Invoke, …), not a management event. */
export function isDataEvent(record: CloudTrailRecord): boolean {
  if (record.eventCategory !== undefined) return record.eventCategory === 'Data';
  if (record.managementEvent !== undefined) return !record.managementEvent;
  // Records older than eventVersion 1.06 carry neither field: known data-plane calls decide.
  const action = actionOfRecord(record).toLowerCase();
  return S3_OBJECT_ACTIONS.has(action) || action === 'lambda:invokefunction';
}
