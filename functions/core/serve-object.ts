import {
  allowsPassthrough,
  type ByteBudget,
  checkGeoFence,
  checkRateLimits,
  grantFor,
  openByteBudget,
  UNCHARGED_BYTE_BUDGET,
} from './access-policy.ts';
import { type ByteRange, parseByteRange, sliceRange } from './byte-range.ts';
import type { Caller } from './caller.ts';
import { checkPreconditions, sourceConditionsFor, type Validators } from './check-preconditions.ts';
import {
  AccessDeniedError,
  ClientDisconnectedError,
  DeadlineExceededError,
  ServiceUnavailableError,
} from './errors.ts';
import { openRedactedObject } from './open-redacted-object.ts';
import type { AuditEvent, AuditLog } from './ports/audit-log.ts';
import type { GeoLookup } from './ports/geo-lookup.ts';
import type { ObjectSource, SourceObject } from './ports/object-source.ts';
import type { RateLimiter } from './ports/rate-limiter.ts';
import type { OpenRedaction, RedactionStream } from './ports/redaction-engine.ts';
import type { ViewMetadata } from './ports/view-store.ts';
import { type RangeBufferPool, sharedRangeBufferPool } from './range-buffer-pool.ts';
import { streamedEtag, viewEtag } from './redacted-etag.ts';
import type { RuleRegistry } from './rule-registry.ts';
import { errorReason } from './s3-error-map.ts';
import { type BodyEnd, createServedBody } from './served-body.ts';
import { type ObjectView, objectView } from './views/object-views.ts';
import { resolveViewRange } from './views/resolve-view-range.ts';
import { type ServedViews, viewWithin } from './views/served-views.ts';
import type { OpenViewSource, ViewSource } from './views/view-materializer.ts';

/**
 * Largest byte range served without a stored view (a passthrough object, or a gateway without a
 * view store): the range is collected from the redacted stream before it is sent.
 */
export const MAX_RANGE_BYTES = 64 * 1024 * 1024;

/**
 * Redacted bytes produced before the status line is sent: an error in them (malformed content
 * near the start, or anywhere in a smaller object) becomes an S3 error response with one audit
 * event, instead of a connection closed without an answer, which SDKs retry.
 */
export const HELD_HEAD_BYTES = 64 * 1024;

/** The status audited for a request whose client left before it was answered (nginx's "client closed request"). */
const CLIENT_CLOSED_REQUEST = 499;

/** What a front door hands the core; shared by GET, HEAD and LIST. */
export interface ServeDependencies {
  readonly source: ObjectSource;
  readonly rules: RuleRegistry;
  readonly rateLimiter: RateLimiter;
  readonly geo?: GeoLookup | undefined;
  readonly audit: AuditLog;
  readonly openRedaction: OpenRedaction;
  readonly now?: () => number;
  /** Caps the memory of range answers in progress. @default - sharedRangeBufferPool, one per process */
  readonly rangeBuffers?: RangeBufferPool | undefined;
  /**
   * What stands for the token keys the rules were compiled with (`viewKeyIds`): part of every view
   * identity and streamed ETag, so that other keys (other tokens) never share a view or an ETag.
   * @default [] - views and ETags then change with the object and the rule set only
   */
  readonly tokenKeyIds?: readonly string[] | undefined;
  /**
   * Stored redacted views: HEAD and LIST get exact sizes and MD5 ETags, ranges of any size are read
   * from the view, and a GET that finds none streams the redaction while it keeps it.
   * @default - none: a HEAD counts a redaction, a GET streams, a LIST has no sizes
   */
  readonly views?: ServedViews | undefined;
}

/** A read of one object, as both front doors describe it. */
export interface ObjectRequest {
  readonly requestId: string;
  readonly caller: Caller;
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string | undefined;
  readonly range?: string | undefined;
  readonly ifMatch?: string | undefined;
  readonly ifNoneMatch?: string | undefined;
  readonly ifModifiedSince?: Date | undefined;
  readonly ifUnmodifiedSince?: Date | undefined;
  /** Epoch ms after which the transfer is aborted rather than truncated (Object Lambda: 60 s). */
  readonly deadlineMs?: number | undefined;
  /** Fired by the front door when the client goes away: redaction stops and the source is released. */
  readonly signal?: AbortSignal | undefined;
}

/** Headers of the redacted view: never the stored object's length, ETag or checksums. */
export interface ObjectHeaders {
  readonly contentType: string;
  readonly contentEncoding?: string | undefined;
  readonly etag?: string | undefined;
  readonly lastModified?: Date | undefined;
  readonly contentLength?: number | undefined;
  readonly contentRange?: string | undefined;
}

export interface ObjectResponse extends ObjectHeaders {
  readonly status: 200 | 206;
  /**
   * Redacted bytes; an error while iterating means: abort the transfer. Read it to the end or
   * call `return()` on its iterator: that ends the request (audit, byte budget) and releases the
   * source.
   */
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * GET: caller → rule set → rate limit → geo fence → source → conditions → format → redaction →
 * (range). Every refusal before the first byte throws a domain error (see s3-error-map.ts), and
 * so does an error within the first `HELD_HEAD_BYTES` of redacted output, which is produced
 * before this resolves; later errors surface from `body`. Bytes are counted against the daily
 * budget as the body hands them over. One audit event is recorded per request, when it ends:
 * completed, failed, or abandoned by the client (`signal`, or `return()` on the body), with the
 * bytes handed over. `HeadObject` (see describe-object.ts) takes the same path and is audited as
 * such; its body is counted, not sent, so it is not charged to the byte budget.
 *
 * With `deps.views`, after the access decision and the source's answer (its ETag names the view):
 * - a stored view answers: exact `Content-Length`, the MD5 ETag, any range read from the view
 *   (206 with the exact `Content-Range`), no redaction; a HEAD reads nothing more;
 * - a HEAD, a range or an `If-Match` without a view makes it first, within `views.budgetMs`, else
 *   503 SlowDown with `Retry-After` while it goes on being made;
 * - any other GET without a view streams the redaction, keeping it as the view as it goes
 *   (`ViewMaterializer.tee`), with the streamed ETag (`"…-1"`).
 * A passthrough object never has a view: it is served as without a store. Conditions compare
 * with the ETag of the answer; a view also matches the streamed ETag of the same bytes.
 *
 * @example
 * const response = await serveObject({ requestId, caller, bucket, key }, deps);
 * for await (const chunk of response.body) sink.write(chunk);
 */
export async function serveObject(
  request: ObjectRequest,
  deps: ServeDependencies,
  operation: 'GetObject' | 'HeadObject' = 'GetObject',
): Promise<ObjectResponse> {
  const audit = startAudit(request, operation, deps);
  const rangeLease = (deps.rangeBuffers ?? sharedRangeBufferPool).lease();
  const now = deps.now ?? Date.now;
  let source: SourceObject | undefined;
  let opened: ViewSource | undefined;
  try {
    const range = parseByteRange(request.range);
    const grant = grantFor(deps.rules, request.bucket, request.key, request.caller);
    if (grant === undefined) throw new AccessDeniedError('no rule set covers this bucket, key and caller');
    audit.ruleSet(grant.compiled.name, grant.compiled.versionHash);
    await checkRateLimits(grant.ruleSet, request.caller, deps.rateLimiter);
    checkGeoFence(grant.ruleSet, request.caller, deps.geo);
    source = await deps.source.getObject(request, sourceConditionsFor(request));
    const { etag: sourceEtag, lastModified } = source;
    const target = {
      bucket: request.bucket,
      key: request.key,
      versionId: request.versionId,
      grant,
      tokenKeyIds: deps.tokenKeyIds ?? [],
    };
    const view =
      sourceEtag === undefined ? undefined : objectView(target, { ...source, etag: sourceEtag }, deps);
    const etag = view && streamedEtag(view.identity);
    const budget =
      operation === 'GetObject'
        ? openByteBudget(grant.ruleSet, request.caller, deps.rateLimiter)
        : UNCHARGED_BYTE_BUDGET;
    const viewing: ViewRequest | undefined =
      deps.views === undefined || view === undefined
        ? undefined
        : { request, operation, range, views: deps.views, view, now };
    const answerOf = (on: ViewRequest, metadata: ViewMetadata) =>
      answerFromView(on, {
        metadata,
        validators: {
          etag: viewEtag(metadata.md5),
          equivalentEtags: etag === undefined ? [] : [etag],
          lastModified,
        },
        budget,
        onEnd: (status) => (end) => {
          rangeLease.release();
          auditEnd(audit, end, { view: metadata, redaction: opened?.redaction }, status);
        },
      });
    // The store is a cache: a lookup that fails is a miss, and a GET streams as without it.
    const stored = viewing && (await viewing.views.store.get(viewing.view.id).catch(() => undefined));
    const fromStore = viewing && stored && (await answerOf(viewing, stored));
    if (fromStore !== undefined) {
      await discard(source.body);
      return fromStore;
    }
    const isViewNeeded = operation === 'HeadObject' || range !== undefined || request.ifMatch !== undefined;
    if (viewing === undefined || !isViewNeeded) checkPreconditions(request, { etag, lastModified });
    opened = await openRedactedObject(
      source,
      {
        ruleSet: grant.compiled,
        key: request.key,
        allowPassthrough: allowsPassthrough(grant.ruleSet, request.key),
      },
      deps.openRedaction,
    );
    if (viewing !== undefined && isViewNeeded) {
      if (opened.redaction.format !== undefined) {
        const handover = handOver(opened, viewing.view.open);
        let made: ViewMetadata;
        try {
          made = await viewWithin(viewing.views, viewing.view.identity, handover.open);
        } finally {
          // The materializer owns what it took, also after this request stops waiting for it.
          if (handover.isTaken()) source = undefined;
          else await handover.close();
        }
        const fromMade = await answerOf(viewing, made);
        if (fromMade === undefined) {
          throw new ServiceUnavailableError('the redacted view was removed as soon as it was made; retry');
        }
        return fromMade;
      }
      // A passthrough object has no view: it is served as without a store.
      checkPreconditions(request, { etag, lastModified });
    }
    const redaction = opened.redaction;
    const headers: ObjectHeaders = {
      contentType: opened.contentType,
      contentEncoding: source.contentEncoding,
      etag,
      lastModified,
    };
    const streamed = viewing ? viewing.views.materializer.tee(viewing.view.identity, opened) : redaction.body;
    const body = guardBody(streamed, request, now);
    const endedWith = (status: number) => (end: BodyEnd) => {
      rangeLease.release();
      auditEnd(audit, end, redaction, status);
    };
    if (range === undefined) {
      const head = await holdHead(body, HELD_HEAD_BYTES);
      const served = createServedBody({ ...head, budget, onEnd: endedWith(200) });
      return { status: 200, ...headers, body: served };
    }
    const slice = await sliceRange(body, range, MAX_RANGE_BYTES, rangeLease);
    return {
      status: 206,
      ...headers,
      contentLength: slice.byteLength,
      contentRange: slice.contentRange,
      body: createServedBody({ held: slice.chunks, budget, onEnd: endedWith(206) }),
    };
  } catch (error) {
    rangeLease.release();
    await discard(source?.body);
    if (error instanceof ClientDisconnectedError)
      audit.disconnect(opened?.redaction, CLIENT_CLOSED_REQUEST, 0);
    else audit.fail(error, opened?.redaction);
    throw error;
  }
}

/** One request that a stored view may answer. */
interface ViewRequest {
  readonly request: ObjectRequest;
  readonly operation: 'GetObject' | 'HeadObject';
  readonly range: ByteRange | undefined;
  readonly views: ServedViews;
  readonly view: ObjectView;
  readonly now: () => number;
}

/**
 * The answer from the committed view `metadata` describes, after the conditions; `undefined`
 * when the view is gone (evicted since it was looked up).
 */
async function answerFromView(
  { request, operation, range, views, view, now }: ViewRequest,
  answer: {
    readonly metadata: ViewMetadata;
    readonly validators: Validators;
    readonly budget: ByteBudget;
    readonly onEnd: (status: number) => (end: BodyEnd) => void;
  },
): Promise<ObjectResponse | undefined> {
  const { metadata, validators, budget, onEnd } = answer;
  checkPreconditions(request, validators);
  const headers: ObjectHeaders = {
    contentType: metadata.contentType,
    contentEncoding: metadata.contentEncoding,
    etag: validators.etag,
    lastModified: validators.lastModified ?? metadata.sourceLastModified,
    contentLength: metadata.redactedBytes,
  };
  if (operation === 'HeadObject') {
    return { status: 200, ...headers, body: createServedBody({ held: [], budget, onEnd: onEnd(200) }) };
  }
  const resolved = range && resolveViewRange(range, metadata.redactedBytes);
  const bytes = await views.store.read(view.id, resolved);
  if (bytes === undefined) return undefined;
  const status = resolved === undefined ? 200 : 206;
  const head = await holdHead(guardBody(bytes, request, now), HELD_HEAD_BYTES);
  const body = createServedBody({ ...head, budget, onEnd: onEnd(status) });
  if (resolved === undefined) return { status, ...headers, body };
  return {
    status,
    ...headers,
    contentLength: resolved.contentLength,
    contentRange: resolved.contentRange,
    body,
  };
}

/**
 * Lends the redaction this request opened to the materializer, so that making the view reads the
 * object once: `open` hands it over the first time. When it was not taken by the time the request
 * stops waiting, `close` closes it, and a later `open` (the view is made in the background) reads
 * the object again with `reopen`.
 */
function handOver(
  mine: ViewSource,
  reopen: OpenViewSource,
): { open: OpenViewSource; isTaken(): boolean; close(): Promise<void> } {
  let lent: ViewSource | undefined = mine;
  let isTaken = false;
  return {
    async open() {
      const taken = lent;
      lent = undefined;
      if (taken === undefined) return reopen();
      isTaken = true;
      return taken;
    },
    isTaken: () => isTaken,
    async close() {
      const left = lent;
      lent = undefined;
      if (left === undefined) return;
      for (const body of [left.redaction.body, left.source.body]) await discard(body);
    },
  };
}

/** Stops the redacted body when the client has gone or the deadline has passed. */
async function* guardBody(
  body: AsyncIterable<Uint8Array>,
  request: ObjectRequest,
  now: () => number,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    if (request.signal?.aborted) throw new ClientDisconnectedError();
    if (request.deadlineMs !== undefined && now() > request.deadlineMs) {
      throw new DeadlineExceededError('the response could not be completed in time and was aborted');
    }
    yield chunk;
  }
}

/** Pulls the first `bytes` of `body` (or all of it, when shorter) before the status line is sent. */
async function holdHead(
  body: AsyncIterable<Uint8Array>,
  bytes: number,
): Promise<{ held: Uint8Array[]; rest: AsyncIterator<Uint8Array> | undefined }> {
  const rest = body[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  for (let length = 0; length < bytes; ) {
    const next = await rest.next();
    if (next.done) return { held, rest: undefined };
    held.push(next.value);
    length += next.value.byteLength;
  }
  return { held, rest };
}

function auditEnd(audit: AuditRecorder, end: BodyEnd, redaction: AuditedContent, status: number): void {
  if (end.outcome === 'completed') audit.succeed(redaction, status, end.bytesOut);
  else if (end.outcome === 'disconnected') audit.disconnect(redaction, status, end.bytesOut);
  else audit.fail(end.error, redaction, end.bytesOut);
}

/**
 * What an audit event reports of the content: the redaction a read ran (bytes read, counts per
 * rule id, passthrough or not), or the stored view it was answered from (the counts recorded
 * when the view was made) with the redaction this request ran to make it, if it did.
 */
export type AuditedContent =
  | RedactionStream
  | { readonly view: ViewMetadata; readonly redaction?: RedactionStream | undefined };

/** Collects what one request's audit event needs and records it exactly once. */
export interface AuditRecorder {
  ruleSet(name: string, version: string): void;
  /** Answered in full; `bytesOut` is what was handed to the transport. */
  succeed(content: AuditedContent | undefined, status: number, bytesOut?: number): void;
  /** Refused, or failed after `bytesOut` bytes were handed to the transport. */
  fail(error: unknown, content?: AuditedContent, bytesOut?: number): void;
  /** The client left (closed the connection, stopped reading) after `bytesOut` bytes of a `status` answer. */
  disconnect(content: AuditedContent | undefined, status: number, bytesOut: number): void;
}

export function startAudit(
  request: { requestId: string; caller: Caller; bucket: string; key?: string | undefined },
  operation: AuditEvent['operation'],
  deps: Pick<ServeDependencies, 'audit' | 'now'>,
): AuditRecorder {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  let ruleSet: { name: string; version: string } | undefined;
  let isRecorded = false;
  function record(
    fields: Pick<AuditEvent, 'decision' | 'status' | 'reason'>,
    content: AuditedContent | undefined,
    bytesOut: number,
  ) {
    if (isRecorded) return;
    isRecorded = true;
    const redaction = content !== undefined && 'view' in content ? content.redaction : content;
    deps.audit.record({
      requestId: request.requestId,
      operation,
      caller: { id: request.caller.id, kind: request.caller.kind, ip: request.caller.ip },
      bucket: request.bucket,
      key: request.key,
      ruleSet: ruleSet?.name,
      ruleSetVersion: ruleSet?.version,
      ...fields,
      bytesIn: redaction?.bytes.in ?? 0,
      bytesOut,
      counts:
        content !== undefined && 'view' in content
          ? { ...content.view.counts }
          : Object.fromEntries(redaction?.redactor.counts ?? []),
      durationMs: now() - startedAt,
    });
  }
  // A view is never made of a passthrough object.
  const allowed = (content: AuditedContent | undefined) =>
    content !== undefined && !('view' in content) && content.format === undefined ? 'passthrough' : 'allow';
  return {
    ruleSet(name, version) {
      ruleSet = { name, version };
    },
    succeed(content, status, bytesOut = 0) {
      record({ decision: allowed(content), status }, content, bytesOut);
    },
    fail(error, content, bytesOut = 0) {
      const reason = errorReason(error);
      const decision = reason.status < 400 ? 'allow' : reason.status < 500 ? 'deny' : 'error';
      record(
        { decision, status: reason.status, reason: `${reason.code}: ${reason.message}` },
        content,
        bytesOut,
      );
    },
    disconnect(content, status, bytesOut) {
      const error = new ClientDisconnectedError();
      record(
        { decision: allowed(content), status, reason: `${error.code}: ${error.message}` },
        content,
        bytesOut,
      );
    },
  };
}

/** Releases a source body that will not be read (closes the socket or file). */
async function discard(body: AsyncIterable<Uint8Array> | undefined): Promise<void> {
  if (body === undefined) return;
  try {
    await body[Symbol.asyncIterator]().return?.();
  } catch {
    // Closing an abandoned source can fail; nothing of it is sent either way.
  }
}
