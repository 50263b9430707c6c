import { InvalidArgumentError, MethodNotAllowedError, NotImplementedError } from '../core/errors.ts';
import type { AuditOperation } from '../core/ports/audit-log.ts';
import type { ListObjectsRequest } from '../core/ports/object-source.ts';

/** An HTTP request as any transport sees it: the path and query still percent-encoded, headers lower-case. */
export interface HttpRequest {
  readonly method: string;
  /** Path as sent, percent-encoded, without the query. */
  readonly rawPath: string;
  /** Query string as sent, without the leading `?`. */
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** Response header overrides a GET may ask for (`response-content-type=…`), as S3 allows. */
export type ResponseHeaderOverrides = Readonly<Record<string, string>>;

/** The S3 operations the read-only gateway serves. */
export type S3Operation =
  | {
      readonly name: 'GetObject' | 'HeadObject';
      readonly bucket: string;
      readonly key: string;
      readonly versionId?: string | undefined;
      readonly responseHeaders: ResponseHeaderOverrides;
    }
  | ListOperation
  | { readonly name: 'HeadBucket' | 'GetBucketLocation'; readonly bucket: string }
  | ListBucketsOperation;

/**
 * ListObjects (v1) or ListObjectsV2: one source listing either way. v1's `marker` is the
 * request's `startAfter` (both list the keys after it); v1 has no continuation token.
 */
export interface ListOperation {
  readonly name: 'ListObjects' | 'ListObjectsV2';
  readonly bucket: string;
  readonly list: ListObjectsRequest;
  readonly isUrlEncoded: boolean;
}

/** ListBuckets, with the filters and paging S3 added to it in 2024. */
export interface ListBucketsOperation {
  readonly name: 'ListBuckets';
  readonly prefix?: string | undefined;
  /** Bucket names after this one (the last name of the previous page). */
  readonly continuationToken?: string | undefined;
  readonly bucketRegion?: string | undefined;
  readonly maxBuckets: number;
}

/** What a request addresses, as an audit line names it, whether it is served or refused. */
export interface S3RequestTarget {
  readonly operation: AuditOperation;
  /** Empty when the request names no bucket (ListBuckets). */
  readonly bucket: string;
  readonly key?: string | undefined;
}

/** Largest page ListObjects and ListObjectsV2 return, as in S3. */
export const MAX_LIST_KEYS = 1000;

/**
 * Largest page ListBuckets returns, and its default when `prefix`, `bucket-region` or
 * `continuation-token` is given (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
 */
export const MAX_LIST_BUCKETS = 10_000;

/** Sub-resources of objects and buckets that S3 serves but this read-only proxy does not. */
const UNSUPPORTED_SUBRESOURCES = [
  'acl',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'legal-hold',
  'lifecycle',
  'logging',
  'notification',
  'object-lock',
  'partNumber',
  'policy',
  'policyStatus',
  'replication',
  'restore',
  'retention',
  'select',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versioning',
  'versions',
  'website',
];

const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
  'response-content-language': 'content-language',
  'response-content-type': 'content-type',
  'response-expires': 'expires',
};

/**
 * Parses an HTTP request into the S3 operation it asks for. Addressing is virtual-hosted
 * (`bucket.<base host>`) when the Host header ends in `.` + one of `baseHosts`, otherwise
 * path-style (`/bucket/key`).
 *
 * @throws MethodNotAllowedError for methods that write (PUT, POST, DELETE, …)
 * @throws NotImplementedError for reads this proxy does not serve (?acl, ?versions, ?uploads, …)
 * @throws InvalidArgumentError for a malformed key or list parameter
 * @example
 * parseS3Request({ method: 'GET', rawPath: '/example/customers.csv', rawQuery: '', headers }, { baseHosts: [] });
 * // { name: 'GetObject', bucket: 'example', key: 'customers.csv', responseHeaders: {} }
 */
export function parseS3Request(request: HttpRequest, options: { baseHosts: readonly string[] }): S3Operation {
  checkReadMethod(request.method);
  const isHead = request.method.toUpperCase() === 'HEAD';
  const { bucket, key } = address(request, options.baseHosts, decodeKey);
  const query = new URLSearchParams(request.rawQuery);
  const subresource = unsupportedSubresource(query, key);
  if (subresource !== undefined)
    throw new NotImplementedError(`the "${subresource}" sub-resource is not supported`);
  if (bucket === undefined) {
    if (isHead) throw new NotImplementedError('HEAD on the service endpoint is not an S3 operation');
    return listBucketsOperation(query);
  }
  if (key === '') {
    if (isHead) return { name: 'HeadBucket', bucket };
    if (query.has('location')) return { name: 'GetBucketLocation', bucket };
    return listOperation(bucket, query);
  }
  return {
    name: isHead ? 'HeadObject' : 'GetObject',
    bucket,
    key,
    versionId: query.get('versionId') ?? undefined,
    responseHeaders: responseOverrides(query),
  };
}

/**
 * Refuses every method but GET and HEAD. The gateway calls it before verifying the signature, so
 * a write is answered 405 whatever its body hash or authentication.
 *
 * @throws MethodNotAllowedError for methods that write (PUT, POST, DELETE, …)
 */
export function checkReadMethod(method: string): void {
  const upper = method.toUpperCase();
  if (upper !== 'GET' && upper !== 'HEAD') {
    throw new MethodNotAllowedError(`${upper} is not allowed: this endpoint serves reads only`);
  }
}

/**
 * Names the operation, bucket and key of any request, including those the gateway refuses
 * (writes, ListBuckets when it is not enabled, sub-resources), for its audit line. It never throws: a path
 * that is not valid percent-encoding is named as sent.
 *
 * @example
 * identifyS3Request({ method: 'PUT', rawPath: '/example/new.csv', rawQuery: '', headers }, { baseHosts: [] });
 * // { operation: 'PutObject', bucket: 'example', key: 'new.csv' }
 */
export function identifyS3Request(
  request: HttpRequest,
  options: { baseHosts: readonly string[] },
): S3RequestTarget {
  const { bucket, key } = address(request, options.baseHosts, decodeOrKeep);
  const query = new URLSearchParams(request.rawQuery);
  const hasSubresource = unsupportedSubresource(query, key) !== undefined;
  return {
    operation: hasSubresource ? 'Unknown' : operationName(request.method.toUpperCase(), bucket, key, query),
    bucket: bucket ?? '',
    key: key === '' ? undefined : key,
  };
}

function operationName(
  method: string,
  bucket: string | undefined,
  key: string,
  query: URLSearchParams,
): AuditOperation {
  if (bucket === undefined) return method === 'GET' ? 'ListBuckets' : 'Unknown';
  const isObject = key !== '';
  switch (method) {
    case 'GET':
      if (isObject) return 'GetObject';
      if (query.has('location')) return 'GetBucketLocation';
      return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    case 'HEAD':
      return isObject ? 'HeadObject' : 'HeadBucket';
    case 'PUT':
      return isObject ? 'PutObject' : 'CreateBucket';
    case 'POST':
      // A POST to a bucket is a browser-form upload; to an object, only multipart sub-resources exist.
      return isObject ? 'Unknown' : 'PostObject';
    case 'DELETE':
      return isObject ? 'DeleteObject' : 'DeleteBucket';
    default:
      return 'Unknown';
  }
}

/** The first sub-resource the query asks for that is not served; `location` is one only on an object. */
function unsupportedSubresource(query: URLSearchParams, key: string): string | undefined {
  const found = UNSUPPORTED_SUBRESOURCES.find((name) => query.has(name));
  return found ?? (key !== '' && query.has('location') ? 'location' : undefined);
}

function address(
  request: HttpRequest,
  baseHosts: readonly string[],
  decode: (raw: string) => string,
): { bucket?: string; key: string } {
  const host = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const base = baseHosts.find((candidate) => host.endsWith(`.${candidate.toLowerCase()}`));
  const path = request.rawPath.startsWith('/') ? request.rawPath.slice(1) : request.rawPath;
  if (base !== undefined) {
    return { bucket: host.slice(0, -(base.length + 1)), key: decode(path) };
  }
  const slash = path.indexOf('/');
  const bucket = slash < 0 ? path : path.slice(0, slash);
  if (bucket === '') return { key: '' };
  return { bucket: decode(bucket), key: slash < 0 ? '' : decode(path.slice(slash + 1)) };
}

function decodeOrKeep(raw: string): string {
  try {
    return decodeKey(raw);
  } catch {
    return raw;
  }
}

/**
 * Percent-decodes a path part. S3 reads `+` in a path as a space (a legacy of form encoding);
 * SDKs always send `%2B` for a literal plus, so both agree.
 */
function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch (error) {
    throw new InvalidArgumentError('the request path is not valid percent-encoded UTF-8', { cause: error });
  }
}

/**
 * ListObjectsV2 with `list-type=2`, ListObjects (v1) without it. v1's `marker` becomes the
 * listing's `startAfter`: both name the key the listing starts after.
 */
function listOperation(bucket: string, query: URLSearchParams): ListOperation {
  const listType = query.get('list-type');
  if (listType !== null && listType !== '2') {
    throw new InvalidArgumentError(`invalid list-type "${listType}": the only allowed value is 2`);
  }
  const isV2 = listType === '2';
  const encodingType = query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw new InvalidArgumentError(
      `invalid encoding-type "${encodingType}": the only allowed value is "url"`,
    );
  }
  return {
    name: isV2 ? 'ListObjectsV2' : 'ListObjects',
    bucket,
    isUrlEncoded: encodingType === 'url',
    list: {
      bucket,
      prefix: nonEmpty(query.get('prefix')),
      delimiter: nonEmpty(query.get('delimiter')),
      continuationToken: isV2 ? nonEmpty(query.get('continuation-token')) : undefined,
      startAfter: nonEmpty(query.get(isV2 ? 'start-after' : 'marker')),
      maxKeys: pageSize('max-keys', query.get('max-keys'), { min: 0, max: MAX_LIST_KEYS }),
    },
  };
}

function listBucketsOperation(query: URLSearchParams): ListBucketsOperation {
  return {
    name: 'ListBuckets',
    prefix: nonEmpty(query.get('prefix')),
    continuationToken: nonEmpty(query.get('continuation-token')),
    bucketRegion: nonEmpty(query.get('bucket-region')),
    maxBuckets: pageSize('max-buckets', query.get('max-buckets'), { min: 1, max: MAX_LIST_BUCKETS }),
  };
}

/** A page size parameter: `max` when absent, larger values capped at `max`. */
function pageSize(parameter: string, raw: string | null, range: { min: number; max: number }): number {
  if (raw === null) return range.max;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < range.min) {
    throw new InvalidArgumentError(
      `invalid ${parameter} "${raw}": expected an integer from ${range.min} to ${range.max}`,
    );
  }
  return Math.min(Number(raw), range.max);
}

function nonEmpty(value: string | null): string | undefined {
  return value === null || value === '' ? undefined : value;
}

function responseOverrides(query: URLSearchParams): ResponseHeaderOverrides {
  const overrides: Record<string, string> = {};
  for (const [parameter, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = query.get(parameter);
    if (value !== null) overrides[header] = value;
  }
  return overrides;
}
