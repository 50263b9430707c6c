import type { CloudTrailRecord } from './cloudtrail-record.ts';

// eventSource hosts whose IAM service prefix differs from the host name.
const SERVICE_PREFIXES: Readonly<Record<string, string>> = {
  monitoring: 'cloudwatch',
  email: 'ses',
  tagging: 'tag',
};

// S3 operations logged under a name that is not the IAM action they need (Amazon S3 API operations
// → actions: https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html;
// ListObjectsV2 is logged as ListObjects and ListBuckets needs s3:ListAllMyBuckets).
const S3_ACTIONS: Readonly<Record<string, string>> = {
  ListObjects: 'ListBucket',
  ListObjectsV2: 'ListBucket',
  HeadBucket: 'ListBucket',
  ListObjectVersions: 'ListBucketVersions',
  ListBuckets: 'ListAllMyBuckets',
  HeadObject: 'GetObject',
  SelectObjectContent: 'GetObject',
  GetObjectAttributes: 'GetObject',
  CopyObject: 'PutObject',
  CreateMultipartUpload: 'PutObject',
  UploadPart: 'PutObject',
  UploadPartCopy: 'PutObject',
  CompleteMultipartUpload: 'PutObject',
  DeleteObjects: 'DeleteObject',
  ListMultipartUploads: 'ListBucketMultipartUploads',
  ListParts: 'ListMultipartUploadParts',
  GetBucketLifecycle: 'GetLifecycleConfiguration',
  PutBucketLifecycle: 'PutLifecycleConfiguration',
};

/**
 * S3 object-level operations: CloudTrail logs them only as data events, which trails do not log
 * unless configured to (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html).
 */
export const S3_OBJECT_ACTIONS: ReadonlySet<string> = new Set([
  's3:getobject',
  's3:getobjectversion',
  's3:putobject',
  's3:deleteobject',
  's3:deleteobjectversion',
  's3:listbucket',
  's3:listbucketversions',
  's3:listmultipartuploadparts',
  's3:abortmultipartupload',
  's3:restoreobject',
  's3:getobjectacl',
  's3:putobjectacl',
  's3:getobjecttagging',
  's3:putobjecttagging',
]);

/** The IAM action (`s3:GetObject`) that the call a record logs needs. */
export function actionOfRecord(record: Pick<CloudTrailRecord, 'eventSource' | 'eventName'>): string {
  const host = record.eventSource.replace(/\.amazonaws\.com$/, '');
  const service = SERVICE_PREFIXES[host] ?? host;
  let name = record.eventName;
  if (service === 's3') name = S3_ACTIONS[name] ?? name;
  if (service === 'lambda') {
    // Lambda logs API versions in the name (CreateFunction20150331, UpdateFunctionCode20150331v2).
    name = name.replace(/\d{8}(v\d+)?$/, '');
    if (name === 'Invoke') name = 'InvokeFunction';
  }
  return `${service}:${name}`;
}

/**
 * The resources a record's call touched, as ARNs: the object or bucket for S3 (from `resources`, or
 * from `requestParameters.bucketName`/`key` when a record has no `resources`), the `resources` ARNs
 * otherwise; `*` when the record names none.
 */
export function resourcesOfRecord(record: CloudTrailRecord, action: string): string[] {
  const arns = (record.resources ?? []).flatMap((resource) => (resource.ARN ? [resource.ARN] : []));
  if (action.startsWith('s3:')) {
    const isObjectLevel = S3_OBJECT_ACTIONS.has(action.toLowerCase()) && !/^s3:listbucket/i.test(action);
    const objects = arns.filter((arn) => /^arn:[^:]+:s3:::[^/]+\/.+/.test(arn));
    const buckets = arns.filter((arn) => /^arn:[^:]+:s3:::[^/]+$/.test(arn));
    const fromParameters = s3ArnFromParameters(record.requestParameters ?? undefined, isObjectLevel);
    const chosen = isObjectLevel ? objects : buckets;
    if (chosen.length > 0) return chosen;
    if (fromParameters !== undefined) return [fromParameters];
    return arns.length > 0 ? arns : ['*'];
  }
  return arns.length > 0 ? arns : ['*'];
}

function s3ArnFromParameters(
  parameters: Record<string, unknown> | undefined,
  isObjectLevel: boolean,
): string | undefined {
  const bucket = parameters?.bucketName;
  if (typeof bucket !== 'string') return undefined;
  const key = parameters?.key;
  if (!isObjectLevel) return `arn:aws:s3:::${bucket}`;
  return typeof key === 'string' ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}/*`;
}
