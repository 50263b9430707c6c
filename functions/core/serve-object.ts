import {
  allowsPassthrough,
  checkGeoFence,
  checkRateLimits,
  grantFor,
  openByteBudget,
  UNCHARGED_BYTE_BUDGET,
} from './access-policy.ts';
import { parseByteRange, sliceRange } from './byte-range.ts';
import type { Caller } from './caller.ts';
import { checkPreconditions, sourceConditionsFor } from './check-preconditions.ts';
import { AccessDeniedError, ClientDisconnectedError, DeadlineExceededError } from './errors.ts';
import type { AuditEvent, AuditLog } from './ports/audit-log.ts';
import type { GeoLookup } from './ports/geo-lookup.ts';
import type { ObjectSource, SourceObject } from './ports/object-source.ts';
import type { RateLimiter } from './ports/rate-limiter.ts';
import type { OpenRedaction, RedactionStream } from './ports/redaction-engine.ts';
import { type RangeBufferPool, sharedRangeBufferPool } from './range-buffer-pool.ts';
import { redactedEtag } from './redacted-etag.ts';
import type { TextFormat } from './redaction/formats/format-redactor.ts';
import type { RuleRegistry } from './rule-registry.ts';
import { errorReason } from './s3-error-map.ts';
import { type BodyEnd, createServedBody } from './served-body.ts';

/** Largest byte range served; the range is collected from the redacted stream before it is sent. */
export const MAX_RANGE_BYTES = 64 * 1024 * 1024;

/**
 * Redacted bytes produced before the status line is sent: an error in them (malformed content
 * near the start, or anywhere in a smaller object) becomes an S3 error response with one audit
 * event, instead of a connection closed without an answer, which SDKs retry.
 */
export const HELD_HEAD_BYTES = 64 * 1024;

/** The status audited for a request whose client left before it was answered (nginx's "client closed request"). */
const CLIENT_CLOSED_REQUEST = 499;

const CONTENT_TYPES: Record<TextFormat, string> = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
  text: 'text/plain; charset=utf-8',
};

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
  let source: SourceObject | undefined;
  let openedRedaction: RedactionStream | undefined;
  try {
    const range = parseByteRange(request.range);
    const grant = grantFor(deps.rules, request.bucket, request.key, request.caller);
    if (grant === undefined) throw new AccessDeniedError('no rule set covers this bucket, key and caller');
    audit.ruleSet(grant.compiled.name, grant.compiled.versionHash);
    await checkRateLimits(grant.ruleSet, request.caller, deps.rateLimiter);
    checkGeoFence(grant.ruleSet, request.caller, deps.geo);
    source = await deps.source.getObject(request, sourceConditionsFor(request));
    const etag = redactedEtag(source.etag, grant.compiled.versionHash);
    checkPreconditions(request, { etag, lastModified: source.lastModified });
    const redaction = await deps.openRedaction(source.body, {
      ruleSet: grant.compiled,
      contentType: source.contentType,
      contentEncoding: source.contentEncoding,
      key: request.key,
      allowPassthrough: allowsPassthrough(grant.ruleSet, request.key),
    });
    openedRedaction = redaction;
    const headers: ObjectHeaders = {
      contentType:
        source.contentType ??
        (redaction.format ? CONTENT_TYPES[redaction.format.format] : 'application/octet-stream'),
      contentEncoding: source.contentEncoding,
      etag,
      lastModified: source.lastModified,
    };
    const budget =
      operation === 'GetObject'
        ? openByteBudget(grant.ruleSet, request.caller, deps.rateLimiter)
        : UNCHARGED_BYTE_BUDGET;
    const body = guardBody(redaction.body, request, deps.now ?? Date.now);
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
    if (error instanceof ClientDisconnectedError) audit.disconnect(openedRedaction, CLIENT_CLOSED_REQUEST, 0);
    else audit.fail(error, openedRedaction);
    throw error;
  }
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

function auditEnd(audit: AuditRecorder, end: BodyEnd, redaction: RedactionStream, status: number): void {
  if (end.outcome === 'completed') audit.succeed(redaction, status, end.bytesOut);
  else if (end.outcome === 'disconnected') audit.disconnect(redaction, status, end.bytesOut);
  else audit.fail(end.error, redaction, end.bytesOut);
}

/** Collects what one request's audit event needs and records it exactly once. */
export interface AuditRecorder {
  ruleSet(name: string, version: string): void;
  /** Answered in full; `bytesOut` is what was handed to the transport. */
  succeed(redaction: RedactionStream | undefined, status: number, bytesOut?: number): void;
  /** Refused, or failed after `bytesOut` bytes were handed to the transport. */
  fail(error: unknown, redaction?: RedactionStream, bytesOut?: number): void;
  /** The client left (closed the connection, stopped reading) after `bytesOut` bytes of a `status` answer. */
  disconnect(redaction: RedactionStream | undefined, status: number, bytesOut: number): void;
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
    redaction: RedactionStream | undefined,
    bytesOut: number,
  ) {
    if (isRecorded) return;
    isRecorded = true;
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
      counts: Object.fromEntries(redaction?.redactor.counts ?? []),
      durationMs: now() - startedAt,
    });
  }
  const allowed = (redaction: RedactionStream | undefined) =>
    redaction !== undefined && redaction.format === undefined ? 'passthrough' : 'allow';
  return {
    ruleSet(name, version) {
      ruleSet = { name, version };
    },
    succeed(redaction, status, bytesOut = 0) {
      record({ decision: allowed(redaction), status }, redaction, bytesOut);
    },
    fail(error, redaction, bytesOut = 0) {
      const reason = errorReason(error);
      const decision = reason.status < 400 ? 'allow' : reason.status < 500 ? 'deny' : 'error';
      record(
        { decision, status: reason.status, reason: `${reason.code}: ${reason.message}` },
        redaction,
        bytesOut,
      );
    },
    disconnect(redaction, status, bytesOut) {
      const error = new ClientDisconnectedError();
      record(
        { decision: allowed(redaction), status, reason: `${error.code}: ${error.message}` },
        redaction,
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
