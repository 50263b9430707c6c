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
  | {
      readonly name: 'ListObjectsV2';
      readonly bucket: string;
      readonly list: ListObjectsRequest;
      readonly isUrlEncoded: boolean;
    };

/** What a request addresses, as an audit line names it, whether it is served or refused. */
export interface S3RequestTarget {
  readonly operation: AuditOperation;
  /** Empty when the request names no bucket (ListBuckets). */
  readonly bucket: string;
  readonly key?: string | undefined;
}

/** Largest page ListObjectsV2 returns, as in S3. */
export const MAX_LIST_KEYS = 1000;

/** Sub-resources of objects and buckets that S3 serves but this read-only proxy does not. */
const UNSUPPORTED_SUBRESOURCES = [
  'acl',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'legal-hold',
  'lifecycle',
  'location',
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
 * @throws NotImplementedError for reads this proxy does not serve (ListBuckets, ListObjects v1, ?acl, …)
 * @throws InvalidArgumentError for a malformed key or list parameter
 * @example
 * parseS3Request({ method: 'GET', rawPath: '/example/customers.csv', rawQuery: '', headers }, { baseHosts: [] });
 * // { name: 'GetObject', bucket: 'example', key: 'customers.csv', responseHeaders: {} }
 */
export function parseS3Request(request: HttpRequest, options: { baseHosts: readonly string[] }): S3Operation {
  checkReadMethod(request.method);
  const method = request.method.toUpperCase();
  const { bucket, key } = address(request, options.baseHosts, decodeKey);
  const query = new URLSearchParams(request.rawQuery);
  const subresource = UNSUPPORTED_SUBRESOURCES.find((name) => query.has(name));
  if (bucket === undefined) throw new NotImplementedError('ListBuckets is not supported');
  if (subresource !== undefined)
    throw new NotImplementedError(`the "${subresource}" sub-resource is not supported`);
  if (key === '') {
    if (method === 'HEAD') throw new NotImplementedError('HeadBucket is not supported');
    if (query.get('list-type') !== '2')
      throw new NotImplementedError('only ListObjectsV2 (list-type=2) is supported');
    return listOperation(bucket, query);
  }
  return {
    name: method === 'GET' ? 'GetObject' : 'HeadObject',
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
 * (writes, v1 listing, ListBuckets, sub-resources), for its audit line. It never throws: a path
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
  const hasSubresource = UNSUPPORTED_SUBRESOURCES.some((name) => query.has(name));
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

function listOperation(bucket: string, query: URLSearchParams): S3Operation {
  const encodingType = query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw new InvalidArgumentError(
      `invalid encoding-type "${encodingType}": the only allowed value is "url"`,
    );
  }
  return {
    name: 'ListObjectsV2',
    bucket,
    isUrlEncoded: encodingType === 'url',
    list: {
      bucket,
      prefix: nonEmpty(query.get('prefix')),
      delimiter: nonEmpty(query.get('delimiter')),
      continuationToken: nonEmpty(query.get('continuation-token')),
      startAfter: nonEmpty(query.get('start-after')),
      maxKeys: maxKeys(query.get('max-keys')),
    },
  };
}

function maxKeys(raw: string | null): number {
  if (raw === null) return MAX_LIST_KEYS;
  if (!/^\d{1,10}$/.test(raw)) {
    throw new InvalidArgumentError(
      `invalid max-keys "${raw}": expected an integer from 0 to ${MAX_LIST_KEYS}`,
    );
  }
  return Math.min(Number(raw), MAX_LIST_KEYS);
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
