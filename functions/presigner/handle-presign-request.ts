import { z } from 'zod';
import { AccessDeniedError, InvalidArgumentError, MethodNotAllowedError } from '../core/errors.ts';
import { checkPresignRequest } from '../core/presign-policy.ts';
import { errorReason } from '../core/s3-error-map.ts';
import type { PresignerDependencies } from './dependencies.ts';

/** The parts of a function URL event (payload format 2.0, auth type `AWS_IAM`) the presigner reads. */
export interface PresignFunctionUrlEvent {
  readonly body?: string | undefined;
  readonly isBase64Encoded?: boolean | undefined;
  readonly requestContext: {
    readonly http: { readonly method: string };
    /** Set by Lambda after it verified the caller's SigV4 signature. */
    readonly authorizer?:
      | { readonly iam?: { readonly userArn?: string | undefined } | undefined }
      | undefined;
  };
}

/** A function URL response (payload format 2.0). */
export interface PresignFunctionUrlResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The audit fields of one presign decision; never the URL, whose query carries the signature. */
interface PresignAudit {
  caller?: string | undefined;
  bucket?: string | undefined;
  key?: string | undefined;
  expiresSeconds?: number | undefined;
  decision: 'issued' | 'refused' | 'error';
  reason?: string | undefined;
  expiresAt?: string | undefined;
}

const requestSchema = z.strictObject({
  bucket: z.string().min(1),
  key: z.string().min(1).max(1024),
  expiresSeconds: z.number().int(),
});

/**
 * Answers one `POST { bucket, key, expiresSeconds }` with `{ url, expiresAt }` when the policy lets
 * the IAM caller presign that key for that long, else with `{ code, message }` and the status of
 * the S3 error map (400 InvalidArgument, 403 AccessDenied, 405, 500). Writes one audit line per
 * request, `{"message":"presign","presign":{caller, bucket, key, expiresSeconds, decision, …}}`,
 * at INFO whatever the log level.
 */
export async function handlePresignRequest(
  event: PresignFunctionUrlEvent,
  deps: PresignerDependencies,
): Promise<PresignFunctionUrlResult> {
  const audit: PresignAudit = { caller: event.requestContext.authorizer?.iam?.userArn, decision: 'refused' };
  try {
    if (event.requestContext.http.method !== 'POST') {
      throw new MethodNotAllowedError('The presigner takes POST { "bucket", "key", "expiresSeconds" }.');
    }
    const caller = audit.caller;
    // The function URL's AWS_IAM auth sets this; without it nobody vouched for the caller.
    if (caller === undefined) throw new AccessDeniedError('The presigner requires an IAM-signed request.');
    const request = parseBody(event);
    Object.assign(audit, request);
    checkPresignRequest({ callerArn: caller, ...request }, deps.policy);
    const signingDate = new Date();
    const url = await deps.presigner.presignGetObject({ ...request, signingDate });
    const expiresAt = new Date(signingDate.getTime() + request.expiresSeconds * 1000).toISOString();
    Object.assign(audit, { decision: 'issued', expiresAt });
    return json(200, { url, expiresAt });
  } catch (error) {
    const reason = errorReason(error);
    audit.decision = reason.status >= 500 ? 'error' : 'refused';
    // For internal errors the answer is generic; the error's type is kept for the operator.
    audit.reason =
      reason.status >= 500
        ? `${reason.code} (${error instanceof Error ? error.name : typeof error})`
        : `${reason.code}: ${reason.message}`;
    return json(reason.status, { code: reason.code, message: reason.message });
  } finally {
    deps.auditLogger.info('presign', { presign: audit });
  }
}

function parseBody(event: PresignFunctionUrlEvent): z.infer<typeof requestSchema> {
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
  let document: unknown;
  try {
    document = JSON.parse(text ?? '');
  } catch {
    throw new InvalidArgumentError('The body must be JSON: { "bucket", "key", "expiresSeconds" }.');
  }
  const result = requestSchema.safeParse(document);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`,
    );
    throw new InvalidArgumentError(
      `The body must be { "bucket": string, "key": string, "expiresSeconds": integer }: ${problems.join('; ')}`,
    );
  }
  return result.data;
}

function json(statusCode: number, body: unknown): PresignFunctionUrlResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
