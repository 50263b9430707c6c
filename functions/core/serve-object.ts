import {
  allowsPassthrough,
  checkGeoFence,
  checkRateLimits,
  grantFor,
  recordBytesServed,
} from './access-policy.ts';
import { parseByteRange, sliceRange } from './byte-range.ts';
import type { Caller } from './caller.ts';
import { checkPreconditions, sourceConditionsFor } from './check-preconditions.ts';
import { AccessDeniedError, DeadlineExceededError } from './errors.ts';
import type { AuditEvent, AuditLog } from './ports/audit-log.ts';
import type { GeoLookup } from './ports/geo-lookup.ts';
import type { ObjectSource, SourceObject } from './ports/object-source.ts';
import type { RateLimiter } from './ports/rate-limiter.ts';
import type { OpenRedaction, RedactionStream } from './ports/redaction-engine.ts';
import { redactedEtag } from './redacted-etag.ts';
import type { TextFormat } from './redaction/formats/format-redactor.ts';
import type { RuleRegistry } from './rule-registry.ts';
import { errorReason } from './s3-error-map.ts';

/** Largest byte range served; the range is collected from the redacted stream before it is sent. */
export const MAX_RANGE_BYTES = 64 * 1024 * 1024;

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
  /** Redacted bytes; an error while iterating means: abort the transfer. */
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * GET: caller → rule set → rate limit → geo fence → source → conditions → format → redaction →
 * (range). Every refusal before the first byte throws a domain error (see s3-error-map.ts); errors
 * while streaming surface from `body`. One audit event is recorded per request, when it ends.
 * `HeadObject` (see describe-object.ts) takes the same path and is audited as such; its body is
 * counted, not sent, so it is not charged to the byte budget.
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
  let source: SourceObject | undefined;
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
    const headers: ObjectHeaders = {
      contentType:
        source.contentType ??
        (redaction.format ? CONTENT_TYPES[redaction.format.format] : 'application/octet-stream'),
      contentEncoding: source.contentEncoding,
      etag,
      lastModified: source.lastModified,
    };
    const served = async (bytes: number, status: number) => {
      if (operation === 'GetObject')
        await recordBytesServed(grant.ruleSet, request.caller, deps.rateLimiter, bytes);
      audit.succeed(redaction, status);
    };
    const now = deps.now ?? Date.now;
    if (range === undefined) {
      const body = guardBody(redaction, request, audit, now, () => served(redaction.bytes.out, 200));
      return { status: 200, ...headers, body };
    }
    const slice = await sliceRange(guardBody(redaction, request, audit, now), range, MAX_RANGE_BYTES);
    await served(slice.bytes.byteLength, 206);
    return {
      status: 206,
      ...headers,
      contentLength: slice.bytes.byteLength,
      contentRange: slice.contentRange,
      body: (async function* () {
        yield slice.bytes;
      })(),
    };
  } catch (error) {
    await discard(source?.body);
    audit.fail(error);
    throw error;
  }
}

/**
 * Wraps the redacted body: enforces the deadline, records a failure in the audit event, and
 * calls `onEnd` (bytes served, audit) once the whole body has been read.
 */
async function* guardBody(
  redaction: RedactionStream,
  request: ObjectRequest,
  audit: AuditRecorder,
  now: () => number,
  onEnd?: () => Promise<void>,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of redaction.body) {
      if (request.deadlineMs !== undefined && now() > request.deadlineMs) {
        throw new DeadlineExceededError('the response could not be completed in time and was aborted');
      }
      yield chunk;
    }
    await onEnd?.();
  } catch (error) {
    audit.fail(error, redaction);
    throw error;
  }
}

/** Collects what one request's audit event needs and records it exactly once. */
export interface AuditRecorder {
  ruleSet(name: string, version: string): void;
  succeed(redaction: RedactionStream | undefined, status: number): void;
  fail(error: unknown, redaction?: RedactionStream): void;
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
  function record(fields: Pick<AuditEvent, 'decision' | 'status' | 'reason'>, redaction?: RedactionStream) {
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
      bytesOut: redaction?.bytes.out ?? 0,
      counts: Object.fromEntries(redaction?.redactor.counts ?? []),
      durationMs: now() - startedAt,
    });
  }
  return {
    ruleSet(name, version) {
      ruleSet = { name, version };
    },
    succeed(redaction, status) {
      record(
        {
          decision: redaction !== undefined && redaction.format === undefined ? 'passthrough' : 'allow',
          status,
        },
        redaction,
      );
    },
    fail(error, redaction) {
      const reason = errorReason(error);
      const decision = reason.status < 400 ? 'allow' : reason.status < 500 ? 'deny' : 'error';
      record({ decision, status: reason.status, reason: `${reason.code}: ${reason.message}` }, redaction);
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
