import { createPresignedUrlSource } from '../adapters/presigned-url-source.ts';
import { createWriteGetObjectResponseSink } from '../adapters/write-get-object-response-sink.ts';
import type { Caller } from '../core/caller.ts';
import { describeObject } from '../core/describe-object.ts';
import { MaskpointError, NoSuchBucketError, NotImplementedError, NotModifiedError } from '../core/errors.ts';
import { listObjects } from '../core/list-objects.ts';
import type { AuditEvent } from '../core/ports/audit-log.ts';
import { errorReason } from '../core/s3-error-map.ts';
import {
  type ObjectHeaders,
  type ObjectRequest,
  type ObjectResponse,
  type ServeDependencies,
  serveObject,
  startAudit,
} from '../core/serve-object.ts';
import { callerFromUserIdentity } from './caller-from-user-identity.ts';
import type { ObjectLambdaDependencies } from './dependencies.ts';
import { listQueryOf, listResultXml } from './list-result.ts';
import { objectLambdaError } from './object-lambda-error.ts';
import {
  type ObjectLambdaEvent,
  parseObjectLambdaEvent,
  userRequestHeader,
  userRequestUrl,
} from './object-lambda-event.ts';
import { trustedViewer } from './trusted-viewer.ts';

/**
 * S3 Object Lambda allows up to 60 seconds to stream a complete response to its caller, whatever
 * the function's timeout (https://docs.aws.amazon.com/AmazonS3/latest/userguide/olap-best-practices.html).
 */
const OBJECT_LAMBDA_RESPONSE_MS = 60_000;

/** Time kept back from the deadline to finish or abort the response. */
const DEADLINE_MARGIN_MS = 5_000;

/** The invocation facts the handler needs from the Lambda context. */
export interface Invocation {
  readonly remainingTimeMs: number;
}

/**
 * HEAD and LIST are answered by the function's return value (reference §2.6; HEAD's
 * `Content-Length` is a number); GET by WriteGetObjectResponse.
 */
export type ObjectLambdaResult =
  | { readonly statusCode: number; readonly errorCode?: string; readonly errorMessage?: string }
  | { readonly statusCode: 200 | 304; readonly headers: Readonly<Record<string, string | number>> }
  | { readonly statusCode: 200; readonly listResultXml: string };

/** Who asks for what, common to the three operations. */
interface RequestBasics {
  readonly requestId: string;
  readonly caller: Caller;
  readonly bucket: string;
  readonly url: URL;
}

/**
 * Answers one S3 Object Lambda invocation through the core: GetObject streams the redacted
 * object to WriteGetObjectResponse (errors before the first byte become an S3 error there, an
 * error after it aborts the upload and rejects); HeadObject and ListObjects(V2) return their
 * answer. Range applies to the redacted bytes (enable `GetObject-Range` on the access point);
 * `partNumber`, several ranges and ranges over the cap are 400 InvalidArgument (see
 * object-lambda-error.ts). The response must be complete 60 s after the invocation started, or
 * earlier when the function times out first: past that deadline (less a margin) the transfer is
 * aborted.
 *
 * With a view store (`deps.views`), GetObject answers from the object's redacted view (exact
 * `Content-Length`, MD5 ETag, ranges of any size) or streams the redaction and keeps it; a range
 * without a view makes it first, until the deadline. HeadObject and ListObjects cannot read the
 * object: they answer lengths and ETags from the views, asking the materializer for missing ones
 * (see `describeObject`, `listObjects`).
 *
 * @throws Error when the event is not an Object Lambda event, or when a GetObject response
 *   fails after its first byte (the message names the error code only, never content).
 */
export async function handleObjectLambdaEvent(
  input: unknown,
  invocation: Invocation,
  deps: ObjectLambdaDependencies,
): Promise<ObjectLambdaResult | undefined> {
  const event = parseObjectLambdaEvent(input);
  const now = deps.now ?? Date.now;
  const budgetMs = Math.max(
    0,
    Math.min(invocation.remainingTimeMs, OBJECT_LAMBDA_RESPONSE_MS) - DEADLINE_MARGIN_MS,
  );
  const deadlineMs = now() + budgetMs;
  const contextUrl = (
    event.getObjectContext ??
    event.headObjectContext ??
    event.listObjectsV2Context ??
    event.listObjectsContext
  )?.inputS3Url;
  if (contextUrl === undefined) throw new Error('the event names no operation context');
  const isGet = event.getObjectContext !== undefined;
  const serveDeps: ServeDependencies = {
    ...deps,
    // A GET makes a missing view it needs (a range) until the deadline; HEAD and LIST, which
    // cannot read the object, wait for the materializer within the configured budget.
    views: deps.views && {
      ...deps.views,
      budgetMs: isGet ? budgetMs : Math.min(deps.views.budgetMs, budgetMs),
    },
    source: createPresignedUrlSource({
      inputS3Url: contextUrl,
      userHeaders: event.userRequest.headers,
      // A stalled source is cut at the deadline, which aborts the response instead of hanging.
      signal: AbortSignal.timeout(budgetMs),
    }),
  };
  if (event.getObjectContext !== undefined) {
    await answerGetObject(event, event.getObjectContext, deadlineMs, serveDeps, deps);
    return undefined;
  }
  if (event.headObjectContext !== undefined) return answerHeadObject(event, serveDeps, deps);
  return answerListObjects(event, new URL(contextUrl), serveDeps, deps);
}

async function answerGetObject(
  event: ObjectLambdaEvent,
  context: { outputRoute: string; outputToken: string },
  deadlineMs: number,
  serveDeps: ServeDependencies,
  deps: ObjectLambdaDependencies,
): Promise<void> {
  const sink = createWriteGetObjectResponseSink(deps.responses, {
    route: context.outputRoute,
    token: context.outputToken,
  });
  let response: ObjectResponse;
  try {
    const request = objectRequest(event, deps, deadlineMs);
    if (request.url.searchParams.has('partNumber')) {
      refuseBeforeCore(
        new NotImplementedError('GetObject with partNumber is not supported; use a Range header'),
        request,
        'GetObject',
        deps,
      );
    }
    response = await serveObject(request, serveDeps);
  } catch (error) {
    logIfInternal(error, event, deps);
    await sink.sendError(objectLambdaError(error));
    return;
  }
  try {
    await sink.sendObject(response);
  } catch (error) {
    const { code } = errorReason(error);
    deps.logger.error('GetObject response aborted after the first byte', {
      requestId: event.xAmzRequestId,
      code,
      ...safeErrorFields(error),
    });
    throw new Error(`GetObject response aborted after the first byte (${code})`);
  }
}

async function answerHeadObject(
  event: ObjectLambdaEvent,
  serveDeps: ServeDependencies,
  deps: ObjectLambdaDependencies,
): Promise<ObjectLambdaResult> {
  try {
    const request = objectRequest(event, deps, undefined);
    if (request.url.searchParams.has('partNumber')) {
      refuseBeforeCore(
        new NotImplementedError('HeadObject with partNumber is not supported'),
        request,
        'HeadObject',
        deps,
      );
    }
    // The HEAD inputS3Url is presigned for HEAD (SigV4 signs the method): the body cannot be read.
    const headers = await describeObject(request, serveDeps, { isBodyReadable: false });
    return { statusCode: 200, headers: headObjectHeaders(headers) };
  } catch (error) {
    logIfInternal(error, event, deps);
    return errorResult(error);
  }
}

async function answerListObjects(
  event: ObjectLambdaEvent,
  inputS3Url: URL,
  serveDeps: ServeDependencies,
  deps: ObjectLambdaDependencies,
): Promise<ObjectLambdaResult> {
  try {
    const basics = requestBasics(event, deps);
    const version = event.listObjectsV2Context !== undefined ? 2 : 1;
    let query: ReturnType<typeof listQueryOf>;
    try {
      query = listQueryOf(inputS3Url, version);
    } catch (error) {
      refuseBeforeCore(error, basics, 'ListObjectsV2', deps);
    }
    // The LIST inputS3Url lists only: missing views are asked of the materializer.
    const page = await listObjects({ ...basics, ...query }, serveDeps, { isBodyReadable: false });
    return { statusCode: 200, listResultXml: listResultXml(basics.bucket, query, page) };
  } catch (error) {
    logIfInternal(error, event, deps);
    return errorResult(error);
  }
}

function requestBasics(event: ObjectLambdaEvent, deps: ObjectLambdaDependencies): RequestBasics {
  const bucket = event.configuration.payload.bucket ?? deps.defaultBucket;
  if (bucket === undefined) {
    throw new NoSuchBucketError(
      'this access point names no protected bucket (payload {"bucket":"…"} or MASKPOINT_BUCKET)',
    );
  }
  const viewer = trustedViewer(event.userRequest.headers, deps.originSecret);
  return {
    requestId: event.xAmzRequestId,
    caller: { ...callerFromUserIdentity(event.userIdentity), ip: viewer.ip, country: viewer.country },
    bucket,
    url: userRequestUrl(event),
  };
}

function objectRequest(
  event: ObjectLambdaEvent,
  deps: ObjectLambdaDependencies,
  deadlineMs: number | undefined,
): ObjectRequest & RequestBasics {
  const basics = requestBasics(event, deps);
  const header = (name: string) => userRequestHeader(event, name);
  return {
    ...basics,
    key: objectKey(basics.url),
    versionId: basics.url.searchParams.get('versionId') ?? undefined,
    range: header('Range') ?? basics.url.searchParams.get('Range') ?? undefined,
    ifMatch: header('If-Match'),
    ifNoneMatch: header('If-None-Match'),
    ifModifiedSince: httpDate(header('If-Modified-Since')),
    ifUnmodifiedSince: httpDate(header('If-Unmodified-Since')),
    deadlineMs,
  };
}

/**
 * The object key from the request path. AWS documents `userRequest.url` as decoded, while
 * clients send it percent-encoded: a path that does not decode is taken as already decoded.
 */
function objectKey(url: URL): string {
  const path = url.pathname.replace(/^\//, '');
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** An unparsable date condition is ignored, as RFC 9110 requires. */
function httpDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Records the audit line for a refusal the core never saw, then throws it. */
function refuseBeforeCore(
  error: unknown,
  basics: RequestBasics & { key?: string },
  operation: AuditEvent['operation'],
  deps: ObjectLambdaDependencies,
): never {
  startAudit(basics, operation, deps).fail(error);
  throw error;
}

/**
 * HEAD's answer: the redacted view's headers. Content-Length only when the core knows the
 * redacted length: the stored length is not the served one.
 */
function headObjectHeaders(headers: ObjectHeaders): Record<string, string | number> {
  const result: Record<string, string | number> = {
    'Content-Type': headers.contentType,
    'Accept-Ranges': 'bytes',
  };
  if (headers.contentLength !== undefined) result['Content-Length'] = headers.contentLength;
  if (headers.contentEncoding !== undefined) result['Content-Encoding'] = headers.contentEncoding;
  if (headers.etag !== undefined) result.ETag = headers.etag;
  if (headers.lastModified !== undefined) result['Last-Modified'] = headers.lastModified.toUTCString();
  return result;
}

function errorResult(error: unknown): ObjectLambdaResult {
  const reason = errorReason(objectLambdaError(error));
  // A 304 sends the validators a 200 would have sent (RFC 9110 §15.4.5).
  if (error instanceof NotModifiedError) {
    const headers: Record<string, string> = {};
    if (error.etag !== undefined) headers.ETag = error.etag;
    if (error.lastModified !== undefined) headers['Last-Modified'] = error.lastModified.toUTCString();
    return { statusCode: 304, headers };
  }
  if (reason.status < 400) return { statusCode: reason.status };
  return { statusCode: reason.status, errorCode: reason.code, errorMessage: reason.message };
}

/** Server-side failures are logged for operators; refusals are already in the audit line. */
function logIfInternal(error: unknown, event: ObjectLambdaEvent, deps: ObjectLambdaDependencies): void {
  const reason = errorReason(error);
  if (reason.status < 500) return;
  deps.logger.error('request failed', {
    requestId: event.xAmzRequestId,
    code: reason.code,
    ...safeErrorFields(error),
  });
}

/**
 * What of an error may be logged: domain errors' messages never hold content; other errors'
 * messages might (a parser quoting its input), so only their name is kept.
 */
function safeErrorFields(error: unknown): Record<string, string> {
  if (error instanceof MaskpointError) return { errorName: error.name, errorMessage: error.message };
  return { errorName: error instanceof Error ? error.name : typeof error };
}
