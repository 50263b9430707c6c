import { randomBytes } from 'node:crypto';
import type { Caller } from '../core/caller.ts';
import { describeObject } from '../core/describe-object.ts';
import {
  AccessDeniedError,
  NoSuchBucketError,
  NotImplementedError,
  NotModifiedError,
  SlowDownError,
} from '../core/errors.ts';
import { listObjects } from '../core/list-objects.ts';
import { type CredentialStore, type GatewayKey, isBucketAllowed } from '../core/ports/credential-store.ts';
import { type ErrorReason, errorReason } from '../core/s3-error-map.ts';
import {
  type ObjectHeaders,
  type ObjectRequest,
  type ServeDependencies,
  serveObject,
  startAudit,
} from '../core/serve-object.ts';
import {
  checkReadMethod,
  type HttpRequest,
  identifyS3Request,
  type ListBucketsOperation,
  parseS3Request,
  type S3Operation,
} from './s3-request.ts';
import {
  type BucketListing,
  errorXml,
  listAllMyBucketsResultXml,
  listBucketResultXml,
  locationConstraintXml,
} from './s3-xml.ts';
import { verifySigV4 } from './sigv4-verifier.ts';
import { type OriginSecret, viewerHeaders } from './trusted-client-ip.ts';

/** What the gateway needs besides the core's dependencies. */
export interface GatewayDependencies extends ServeDependencies {
  readonly credentials: CredentialStore;
  /** The region clients sign for (`us-east-1` locally). */
  readonly region: string;
  /** Buckets this gateway serves; any other is NoSuchBucket. */
  readonly buckets: ReadonlySet<string>;
  /** Hosts under which `bucket.<host>` is virtual-hosted addressing (`localhost`, a custom domain). */
  readonly baseHosts: readonly string[];
  /**
   * What proves a request came through CloudFront, which then vouches for the viewer's host.
   * @default - no CloudFront in front: the viewer host header is dropped, never trusted
   */
  readonly originSecret?: OriginSecret | undefined;
  /**
   * Whether ListBuckets is answered, with only the buckets the caller's key may read that this
   * gateway serves. Listing is how attackers find data, so it is off unless an operator turns it on.
   * @default false - ListBuckets is refused with NotImplemented
   */
  readonly allowListBuckets?: boolean | undefined;
}

/** An HTTP request with the caller's location established by a trusted source (see trusted-client-ip.ts). */
export interface GatewayRequest extends HttpRequest {
  readonly sourceIp?: string | undefined;
  readonly country?: string | undefined;
  /** Fired by the transport when the client goes away: the work for the request stops. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The transport's answer. A body that throws while iterating means: abort the transfer
 * (destroy the socket), never end it normally.
 */
export interface GatewayResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: AsyncIterable<Uint8Array> | Uint8Array;
}

const EMPTY = new Uint8Array(0);
const REQUEST_ID_BYTES = 8;
const HOST_ID_BYTES = 24;
/** Random bytes drawn per request id pair; fetched many at a time, as crypto.randomUUID does. */
const ID_POOL_REQUESTS = 128;
let idPool = Buffer.alloc(0);
let idPoolOffset = 0;

/**
 * Serves one S3 request: read method (any write is 405 before its signature or body hash is
 * looked at) → SigV4 (against the viewer's host behind CloudFront, see `viewerHeaders`)
 * → bucket allowed for the key → caller → GetObject / HeadObject / ListObjects (v1 and v2)
 * through the core, or HeadBucket / GetBucketLocation / ListBuckets answered here.
 * It never throws: a refusal before the first byte is an S3 XML error carrying the request id; an
 * error while streaming surfaces from `body`.
 *
 * @example
 * const response = await handleGatewayRequest({ method: 'GET', rawPath: '/example/a.csv', rawQuery: '', headers, sourceIp }, deps);
 */
export async function handleGatewayRequest(
  received: GatewayRequest,
  deps: GatewayDependencies,
): Promise<GatewayResponse> {
  const request = { ...received, headers: viewerHeaders(received.headers, deps.originSecret) };
  const { requestId, hostId } = newRequestIds();
  const ids = { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId };
  const isHead = request.method.toUpperCase() === 'HEAD';
  const startedAt = (deps.now ?? Date.now)();
  let key: GatewayKey | undefined;
  let isInCore = false;
  try {
    checkReadMethod(request.method);
    key = await verifySigV4(request, deps.credentials, {
      region: deps.region,
      now: deps.now ? new Date(deps.now()) : undefined,
    });
    const operation = parseS3Request(request, { baseHosts: deps.baseHosts });
    admit(operation, key, deps);
    const caller: Caller = {
      id: key.name,
      kind: 'gateway-key',
      ip: request.sourceIp,
      country: request.country,
    };
    // Past the door, every operation records its own audit line.
    isInCore = true;
    const response = await perform(operation, { requestId, caller, key }, request, deps);
    return { ...response, headers: { ...response.headers, ...ids } };
  } catch (error) {
    const reason = errorReason(error);
    // The core records its own refusals; these happened before it was reached.
    if (!isInCore) auditRefusal(request, requestId, reason, key, startedAt, deps);
    const hasBody = !isHead && reason.status !== 304;
    return {
      status: reason.status,
      headers: {
        ...(hasBody ? { 'content-type': 'application/xml' } : {}),
        ...validatorHeaders(error),
        ...retryAfterHeader(error),
        ...ids,
      },
      body: hasBody ? Buffer.from(errorXml(reason, request.rawPath, requestId)) : EMPTY,
    };
  }
}

/** A 304 sends the validators a 200 would have sent (RFC 9110 §15.4.5): ETag and Last-Modified. */
function validatorHeaders(error: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!(error instanceof NotModifiedError)) return headers;
  if (error.etag !== undefined) headers.etag = error.etag;
  if (error.lastModified !== undefined) headers['last-modified'] = error.lastModified.toUTCString();
  return headers;
}

/** A 503 that knows when a retry may succeed says so (RFC 9110 §10.2.3); the JavaScript SDK waits for it. */
function retryAfterHeader(error: unknown): Record<string, string> {
  if (!(error instanceof SlowDownError) || error.retryAfterSeconds === undefined) return {};
  return { 'retry-after': String(error.retryAfterSeconds) };
}

/** S3's request id (16 upper-case hex digits) and extended request id (32 base64 characters). */
function newRequestIds(): { requestId: string; hostId: string } {
  const size = REQUEST_ID_BYTES + HOST_ID_BYTES;
  if (idPoolOffset === idPool.byteLength) {
    idPool = randomBytes(size * ID_POOL_REQUESTS);
    idPoolOffset = 0;
  }
  const bytes = idPool.subarray(idPoolOffset, idPoolOffset + size);
  idPoolOffset += size;
  return {
    requestId: bytes.toString('hex', 0, REQUEST_ID_BYTES).toUpperCase(),
    hostId: bytes.toString('base64', REQUEST_ID_BYTES),
  };
}

/**
 * One audit event for a request refused at the door (method, signature, key, bucket, unsupported
 * operation), naming the operation, bucket and key the request addressed.
 */
function auditRefusal(
  request: GatewayRequest,
  requestId: string,
  reason: ErrorReason,
  key: GatewayKey | undefined,
  startedAt: number,
  deps: GatewayDependencies,
): void {
  const target = identifyS3Request(request, { baseHosts: deps.baseHosts });
  deps.audit.record({
    requestId,
    operation: target.operation,
    caller: { id: key?.name ?? 'unauthenticated', kind: 'gateway-key', ip: request.sourceIp },
    bucket: target.bucket,
    key: target.key,
    // 501 NotImplemented is a deliberate refusal (ListBuckets, sub-resources), not a failure.
    decision: reason.status < 500 || reason.status === 501 ? 'deny' : 'error',
    status: reason.status,
    reason: `${reason.code}: ${reason.message}`,
    bytesIn: 0,
    bytesOut: 0,
    counts: {},
    durationMs: (deps.now ?? Date.now)() - startedAt,
  });
}

/**
 * The door's checks after the signature: ListBuckets only when enabled; any other operation only
 * on a bucket the key may read (AccessDenied first, so a key cannot probe which buckets exist)
 * and this gateway serves (NoSuchBucket).
 */
function admit(operation: S3Operation, key: GatewayKey, deps: GatewayDependencies): void {
  if (operation.name === 'ListBuckets') {
    if (deps.allowListBuckets !== true)
      throw new NotImplementedError('ListBuckets is not enabled on this gateway');
    return;
  }
  if (!isBucketAllowed(key, operation.bucket)) {
    throw new AccessDeniedError(`gateway key "${key.name}" may not read bucket "${operation.bucket}"`);
  }
  if (!deps.buckets.has(operation.bucket)) throw new NoSuchBucketError();
}

type PerformedResponse = Omit<GatewayResponse, 'headers'> & { headers: Record<string, string> };

interface Asker {
  readonly requestId: string;
  readonly caller: Caller;
  readonly key: GatewayKey;
}

async function perform(
  operation: S3Operation,
  asker: Asker,
  request: GatewayRequest,
  deps: GatewayDependencies,
): Promise<PerformedResponse> {
  const { requestId, caller } = asker;
  switch (operation.name) {
    case 'ListObjects':
    case 'ListObjectsV2': {
      const page = await listObjects(
        { ...operation.list, operation: operation.name, requestId, caller },
        deps,
      );
      return xmlResponse(listBucketResultXml(operation, page));
    }
    case 'HeadBucket':
      auditAnswered(asker, operation.name, operation.bucket, deps);
      return { status: 200, headers: { 'x-amz-bucket-region': deps.region }, body: EMPTY };
    case 'GetBucketLocation':
      auditAnswered(asker, operation.name, operation.bucket, deps);
      return xmlResponse(locationConstraintXml(deps.region));
    case 'ListBuckets': {
      const xml = listAllMyBucketsResultXml(bucketListing(operation, asker.key, deps));
      auditAnswered(asker, operation.name, '', deps);
      return xmlResponse(xml);
    }
    case 'HeadObject': {
      const headers = await describeObject(toObjectRequest(operation, requestId, caller, request), deps);
      return {
        status: 200,
        headers: { ...objectHeaders(headers), ...operation.responseHeaders },
        body: EMPTY,
      };
    }
    case 'GetObject': {
      const response = await serveObject(toObjectRequest(operation, requestId, caller, request), deps);
      return {
        status: response.status,
        headers: { ...objectHeaders(response), ...operation.responseHeaders },
        body: response.body,
      };
    }
  }
}

function xmlResponse(xml: string): PerformedResponse {
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: Buffer.from(xml) };
}

/** The audit line of a bucket operation answered from the gateway's own configuration, reading no object. */
function auditAnswered(
  asker: Asker,
  operation: 'HeadBucket' | 'GetBucketLocation' | 'ListBuckets',
  bucket: string,
  deps: GatewayDependencies,
): void {
  startAudit({ requestId: asker.requestId, caller: asker.caller, bucket }, operation, deps).succeed(
    undefined,
    200,
  );
}

/**
 * ListBuckets: the buckets the key may read that this gateway serves, by name, paged after the
 * continuation token (the last name of the previous page). A bucket's creation date is not known
 * here: the key's creation, from when this caller could read it, stands in for it.
 */
function bucketListing(
  operation: ListBucketsOperation,
  key: GatewayKey,
  deps: GatewayDependencies,
): BucketListing {
  const { prefix = '', continuationToken, bucketRegion, maxBuckets } = operation;
  const names = [...new Set(key.buckets)]
    .filter(
      (name) =>
        deps.buckets.has(name) &&
        name.startsWith(prefix) &&
        (continuationToken === undefined || name > continuationToken) &&
        (bucketRegion === undefined || bucketRegion === deps.region),
    )
    .sort();
  const shown = names.slice(0, maxBuckets);
  const creationDate = new Date(key.createdAt);
  return {
    buckets: shown.map((name) => ({ name, creationDate })),
    region: deps.region,
    owner: key.name,
    prefix: operation.prefix,
    continuationToken: names.length > shown.length ? shown.at(-1) : undefined,
  };
}

function toObjectRequest(
  operation: Extract<S3Operation, { name: 'GetObject' | 'HeadObject' }>,
  requestId: string,
  caller: Caller,
  { headers, signal }: GatewayRequest,
): ObjectRequest {
  return {
    requestId,
    caller,
    bucket: operation.bucket,
    key: operation.key,
    versionId: operation.versionId,
    range: operation.name === 'GetObject' ? headers.range : undefined,
    ifMatch: headers['if-match'],
    ifNoneMatch: headers['if-none-match'],
    ifModifiedSince: httpDate(headers['if-modified-since']),
    ifUnmodifiedSince: httpDate(headers['if-unmodified-since']),
    signal,
  };
}

/** An unparsable date condition is ignored, as RFC 9110 requires. */
function httpDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function objectHeaders(headers: ObjectHeaders): Record<string, string> {
  const result: Record<string, string> = { 'content-type': headers.contentType, 'accept-ranges': 'bytes' };
  if (headers.contentEncoding !== undefined) result['content-encoding'] = headers.contentEncoding;
  if (headers.etag !== undefined) result.etag = headers.etag;
  if (headers.lastModified !== undefined) result['last-modified'] = headers.lastModified.toUTCString();
  if (headers.contentLength !== undefined) result['content-length'] = String(headers.contentLength);
  if (headers.contentRange !== undefined) result['content-range'] = headers.contentRange;
  return result;
}
