import { timingSafeEqual } from 'node:crypto';
import { getCanonicalHeaders, SignatureV4 } from '@smithy/signature-v4';
import {
  AccessDeniedError,
  AuthorizationMalformedError,
  AuthorizationQueryParametersError,
  InvalidAccessKeyIdError,
  InvalidRequestError,
  NotImplementedError,
  RequestTimeTooSkewedError,
  SignatureDoesNotMatchError,
} from '../core/errors.ts';
import type { CredentialStore, GatewayKey } from '../core/ports/credential-store.ts';
import { NodeSha256 } from './node-sha256.ts';

/** A request as the gateway received it, before any decoding. */
export interface SignedRequest {
  readonly method: string;
  /** The path as received, still percent-encoded (`/bucket/a%20b.csv`). */
  readonly rawPath: string;
  /** The query as received, without the leading `?`. */
  readonly rawQuery: string;
  /** Lower-case names; repeated headers joined with `,`. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** Where and when the gateway verifies. */
export interface VerifyOptions {
  /** The region clients must sign for (the credential scope's region). */
  readonly region: string;
  /** @default - the current time */
  readonly now?: Date | undefined;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 's3';
const SCOPE_TERMINATOR = 'aws4_request';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const PRESIGNED_MARKERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature'];
/**
 * The query-string authentication parameters, spelled as S3 reads them: case-sensitive, and the
 * canonical query holds every parameter but exactly `X-Amz-Signature`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html). Any other
 * spelling is refused: smithy's canonicalisation drops `x-amz-signature` in every case, so one
 * would otherwise be ignored silently.
 */
const AUTH_QUERY_PARAMETERS = new Map(
  [
    'X-Amz-Algorithm',
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'X-Amz-Signature',
    'X-Amz-Security-Token',
  ].map((name) => [name.toLowerCase(), name]),
);
/** S3's answer to Signature Version 2, in the Authorization header (`AWS id:signature`) or a URL (`AWSAccessKeyId=`). */
const SIGV2_REFUSAL =
  'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';
/**
 * `x-amz-*` headers a request may carry unsigned. S3 requires every other `x-amz-*` header to be
 * signed (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html) and
 * refuses with AccessDenied "There were headers present in the request which were not signed".
 * CloudFront adds `x-amz-cf-id` to every origin request
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html);
 * a presigned URL never covers the body, so its `x-amz-content-sha256` is not signed either.
 */
const UNSIGNED_AMZ_HEADERS_ALLOWED = new Set(['x-amz-cf-id']);
const UNSIGNED_AMZ_HEADERS_ALLOWED_PRESIGNED = new Set([
  ...UNSIGNED_AMZ_HEADERS_ALLOWED,
  'x-amz-content-sha256',
]);

type Query = Record<string, string | string[]>;

/** What either form of SigV4 says about itself, before any check. */
interface Authorization {
  readonly isPresigned: boolean;
  readonly accessKeyId: string;
  readonly scope: { readonly date: string; readonly region: string; readonly service: string };
  readonly longDate: string;
  readonly signingDate: Date;
  readonly expiresSeconds: number;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly payloadHash: string;
  readonly canonicalQuery: Query;
}

/**
 * Verifies an AWS Signature Version 4 request to the S3-compatible gateway, signed in the
 * `Authorization` header or as a presigned URL, and returns the gateway key that signed it.
 * The key's buckets are not checked here: the HTTP layer calls `isBucketAllowed` with the bucket
 * it resolved.
 *
 * Throws `AccessDeniedError` (anonymous, expired or not yet valid presigned URL, an `x-amz-*`
 * header that is not signed), `InvalidRequestError` (Signature Version 2),
 * `AuthorizationQueryParametersError` (an authentication query parameter spelled in another case),
 * `AuthorizationMalformedError` (wrong algorithm, region, service, scope date, missing `host`,
 * session token, X-Amz-Expires over 7 days), `RequestTimeTooSkewedError` (header form more than
 * 15 minutes off), `InvalidAccessKeyIdError` (unknown or revoked key), `NotImplementedError`
 * (streaming payload signatures) or `SignatureDoesNotMatchError`.
 *
 * @example
 * ```ts
 * const key = await verifySigV4(
 *   { method: 'GET', rawPath: '/reports/q1.csv', rawQuery: '', headers },
 *   store,
 *   { region: 'us-east-1' },
 * );
 * if (!isBucketAllowed(key, 'reports')) throw new AccessDeniedError('Access Denied');
 * ```
 */
export async function verifySigV4(
  request: SignedRequest,
  store: CredentialStore,
  options: VerifyOptions,
): Promise<GatewayKey> {
  const authorization = parseAuthorization(request);
  checkScope(authorization, options.region);
  checkTime(authorization, options.now ?? new Date());
  const key = await store.find(authorization.accessKeyId);
  if (key === undefined) throw new InvalidAccessKeyIdError();
  const expected = await computeSignature(request, authorization, key, options.region);
  if (!isSameSignature(expected, authorization.signature)) throw new SignatureDoesNotMatchError();
  return key;
}

function parseAuthorization(request: SignedRequest): Authorization {
  const query = parseQuery(request.rawQuery);
  checkAuthQuerySpelling(query);
  const header = request.headers.authorization;
  if (header?.startsWith('AWS ') || (header === undefined && query.AWSAccessKeyId !== undefined)) {
    throw new InvalidRequestError(SIGV2_REFUSAL);
  }
  const isPresigned = PRESIGNED_MARKERS.some((name) => query[name] !== undefined);
  if (header === undefined && !isPresigned) {
    throw new AccessDeniedError('Anonymous requests are not allowed: sign requests with a gateway key.');
  }
  if (header !== undefined && isPresigned) {
    throw new AuthorizationMalformedError(
      'Only one authentication mechanism is allowed: the Authorization header or X-Amz-* query parameters.',
    );
  }
  const authorization =
    header === undefined ? parsePresignedQuery(query) : parseAuthorizationHeader(header, request, query);
  checkUnsignedAmzHeaders(request, authorization);
  return authorization;
}

function checkAuthQuerySpelling(query: Query): void {
  for (const name of Object.keys(query)) {
    const spelling = AUTH_QUERY_PARAMETERS.get(name.toLowerCase());
    if (spelling !== undefined && spelling !== name) {
      throw new AuthorizationQueryParametersError(
        `Query-string authentication parameters are case-sensitive: "${name}" is not "${spelling}".`,
      );
    }
  }
}

function checkUnsignedAmzHeaders(request: SignedRequest, authorization: Authorization): void {
  const allowed = authorization.isPresigned
    ? UNSIGNED_AMZ_HEADERS_ALLOWED_PRESIGNED
    : UNSIGNED_AMZ_HEADERS_ALLOWED;
  const unsigned = Object.keys(request.headers).filter(
    (name) =>
      name.startsWith('x-amz-') &&
      request.headers[name] !== undefined &&
      !authorization.signedHeaders.includes(name) &&
      !allowed.has(name),
  );
  if (unsigned.length > 0) {
    throw new AccessDeniedError(
      `There were headers present in the request which were not signed (HeadersNotSigned: ${unsigned.join(', ')})`,
    );
  }
}

function parseAuthorizationHeader(header: string, request: SignedRequest, query: Query): Authorization {
  const separator = header.indexOf(' ');
  const algorithm = separator === -1 ? header : header.slice(0, separator);
  checkAlgorithm(algorithm);
  const fields = new Map<string, string>();
  for (const part of header.slice(separator + 1).split(',')) {
    const equals = part.indexOf('=');
    const name = part.slice(0, Math.max(equals, 0)).trim();
    if (equals === -1 || fields.has(name)) throw malformedHeader();
    fields.set(name, part.slice(equals + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw malformedHeader();
  }
  if (request.headers['x-amz-security-token'] !== undefined) throw sessionTokenRefused();
  const longDate = request.headers['x-amz-date'];
  if (longDate === undefined) {
    throw new AuthorizationMalformedError('Header authentication requires an x-amz-date header.');
  }
  return {
    isPresigned: false,
    ...parseCredential(credential),
    longDate,
    signingDate: parseAmzDate(longDate),
    expiresSeconds: 0,
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
    payloadHash: checkPayloadHash(request.headers['x-amz-content-sha256']),
    canonicalQuery: query,
  };
}

function parsePresignedQuery(query: Query): Authorization {
  const single = (name: string): string => {
    const value = query[name];
    if (typeof value !== 'string') {
      throw new AuthorizationMalformedError(
        `A presigned URL needs exactly one ${name} query parameter (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature).`,
      );
    }
    return value;
  };
  if (query['X-Amz-Security-Token'] !== undefined) throw sessionTokenRefused();
  checkAlgorithm(single('X-Amz-Algorithm'));
  const expires = single('X-Amz-Expires');
  if (!/^\d{1,7}$/.test(expires) || Number(expires) > MAX_PRESIGNED_EXPIRES_SECONDS) {
    throw new AuthorizationMalformedError(
      `X-Amz-Expires must be a number of seconds from 0 to ${MAX_PRESIGNED_EXPIRES_SECONDS} (7 days).`,
    );
  }
  const longDate = single('X-Amz-Date');
  const signature = single('X-Amz-Signature');
  const canonicalQuery = { ...query };
  delete canonicalQuery['X-Amz-Signature'];
  return {
    isPresigned: true,
    ...parseCredential(single('X-Amz-Credential')),
    longDate,
    signingDate: parseAmzDate(longDate),
    expiresSeconds: Number(expires),
    signedHeaders: parseSignedHeaders(single('X-Amz-SignedHeaders')),
    signature,
    // S3 presigned URLs never cover the body.
    payloadHash: UNSIGNED_PAYLOAD,
    canonicalQuery,
  };
}

/** Decodes as WHATWG URLSearchParams does, so the signed query means what the HTTP layer reads. */
function parseQuery(rawQuery: string): Query {
  // No prototype: a parameter named __proto__ or constructor is just a parameter.
  const query: Query = Object.create(null);
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else if (typeof existing === 'string') query[name] = [existing, value];
    else existing.push(value);
  }
  return query;
}

function checkAlgorithm(algorithm: string): void {
  if (algorithm !== ALGORITHM) {
    throw new AuthorizationMalformedError(`The authorization algorithm must be ${ALGORITHM}.`);
  }
}

function parseCredential(credential: string): Pick<Authorization, 'accessKeyId' | 'scope'> {
  const [accessKeyId, date, region, service, terminator, ...rest] = credential.split('/');
  if (
    accessKeyId === undefined ||
    accessKeyId === '' ||
    date === undefined ||
    region === undefined ||
    service === undefined ||
    terminator !== SCOPE_TERMINATOR ||
    rest.length > 0
  ) {
    throw new AuthorizationMalformedError(
      `The credential must be <access key id>/<yyyymmdd>/<region>/${SERVICE}/${SCOPE_TERMINATOR}.`,
    );
  }
  return { accessKeyId, scope: { date, region, service } };
}

function parseAmzDate(longDate: string): Date {
  const match = AMZ_DATE_PATTERN.exec(longDate);
  const date =
    match === null
      ? undefined
      : new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`);
  // Round-tripping rejects dates that parse but do not exist (20260231T…).
  if (date === undefined || Number.isNaN(date.getTime()) || formatAmzDate(date) !== longDate) {
    throw new AuthorizationMalformedError('X-Amz-Date must be an ISO 8601 basic UTC time: yyyymmddThhmmssZ.');
  }
  return date;
}

function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function parseSignedHeaders(signedHeaders: string): string[] {
  const names = signedHeaders.split(';');
  if (names.some((name) => name === '' || name !== name.toLowerCase())) {
    throw new AuthorizationMalformedError('SignedHeaders must be lower-case header names separated by ";".');
  }
  if (!names.includes('host')) {
    throw new AuthorizationMalformedError('SignedHeaders must include host.');
  }
  return names;
}

function checkPayloadHash(payloadHash: string | undefined): string {
  if (payloadHash === undefined) {
    throw new AuthorizationMalformedError('Header authentication requires an x-amz-content-sha256 header.');
  }
  if (payloadHash.startsWith('STREAMING-')) {
    throw new NotImplementedError(
      'Streaming payload signatures are for uploads; the gateway serves GET and HEAD only.',
    );
  }
  if (payloadHash !== UNSIGNED_PAYLOAD && payloadHash !== EMPTY_BODY_SHA256) {
    throw new AuthorizationMalformedError(
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the SHA-256 of an empty body; the gateway serves GET and HEAD only.',
    );
  }
  return payloadHash;
}

function checkScope(authorization: Authorization, region: string): void {
  const { scope } = authorization;
  if (scope.region !== region) {
    throw new AuthorizationMalformedError(`The credential scope must name region ${region}.`);
  }
  if (scope.service !== SERVICE) {
    throw new AuthorizationMalformedError(`The credential scope must name service ${SERVICE}.`);
  }
  if (scope.date !== authorization.longDate.slice(0, 8)) {
    throw new AuthorizationMalformedError('The credential scope date must be the day of X-Amz-Date.');
  }
}

function checkTime(authorization: Authorization, now: Date): void {
  const aheadMs = authorization.signingDate.getTime() - now.getTime();
  if (!authorization.isPresigned) {
    if (Math.abs(aheadMs) > MAX_SKEW_MS) throw new RequestTimeTooSkewedError();
    return;
  }
  // S3 answers a presigned URL from the future with AccessDenied, not RequestTimeTooSkewed.
  if (aheadMs > MAX_SKEW_MS) throw new AccessDeniedError('Request is not valid yet');
  if (-aheadMs > authorization.expiresSeconds * 1000) throw new AccessDeniedError('Request has expired');
}

/**
 * Re-signs the received request with smithy's canonicalisation: the path exactly as received
 * (S3 encodes once and never normalises), the query decoded and re-encoded with RFC 3986 rules,
 * and exactly the headers the client listed as signed.
 */
async function computeSignature(
  request: SignedRequest,
  authorization: Authorization,
  key: GatewayKey,
  region: string,
): Promise<string> {
  const headers: Record<string, string> = Object.create(null);
  for (const name of authorization.signedHeaders) {
    const value = Object.hasOwn(request.headers, name) ? request.headers[name] : undefined;
    // A signed header that is absent is canonicalised empty, as S3 does; skipping it would let
    // anyone append names to SignedHeaders of a valid signature.
    headers[name] = typeof value === 'string' ? value : '';
  }
  return signerFor(key, region).signReceived(
    {
      method: request.method,
      protocol: 'https:',
      hostname: headers.host ?? '',
      path: request.rawPath,
      query: authorization.canonicalQuery,
      headers,
    },
    authorization,
  );
}

/**
 * Signers by the key the store returned: a store hands out the same object until the key file
 * changes, so a rotated or revoked key never reuses a signer, and a dropped one frees it.
 */
const signers = new WeakMap<
  GatewayKey,
  { readonly region: string; readonly signer: ReceivedRequestSigner }
>();

function signerFor(key: GatewayKey, region: string): ReceivedRequestSigner {
  const cached = signers.get(key);
  if (cached?.region === region) return cached.signer;
  const signer = new ReceivedRequestSigner({
    service: SERVICE,
    region,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  signers.set(key, { region, signer });
  return signer;
}

/**
 * `SignatureV4` with access to its canonical request and string to sign. Its public `sign` and
 * `presign` rewrite the request first (drop `date`, set `x-amz-date`, hoist `x-amz-*` headers
 * into the query, overwrite X-Amz-Expires), which would change what the client signed.
 */
class ReceivedRequestSigner extends SignatureV4 {
  async signReceived(
    request: Parameters<typeof getCanonicalHeaders>[0],
    authorization: Authorization,
  ): Promise<string> {
    // Listing every signed header as signable keeps ones smithy never signs itself (user-agent).
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(authorization.signedHeaders));
    const canonicalRequest = this.createCanonicalRequest(
      request,
      canonicalHeaders,
      authorization.payloadHash,
    );
    const scope = [authorization.scope.date, authorization.scope.region, SERVICE, SCOPE_TERMINATOR].join('/');
    const stringToSign = await this.createStringToSign(
      authorization.longDate,
      scope,
      canonicalRequest,
      ALGORITHM,
    );
    return this.sign(stringToSign, { signingDate: authorization.signingDate });
  }
}

function isSameSignature(expected: string, provided: string): boolean {
  const expectedBytes = Buffer.from(expected, 'utf8');
  const providedBytes = Buffer.from(provided, 'utf8');
  return expectedBytes.length === providedBytes.length && timingSafeEqual(expectedBytes, providedBytes);
}

function malformedHeader(): AuthorizationMalformedError {
  return new AuthorizationMalformedError(
    `The Authorization header must be "${ALGORITHM} Credential=…, SignedHeaders=…, Signature=…".`,
  );
}

function sessionTokenRefused(): AuthorizationMalformedError {
  return new AuthorizationMalformedError('Gateway keys have no session tokens; remove X-Amz-Security-Token.');
}
