import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** The origin secret CloudFront adds to every origin request: a header name and its value. */
export interface OriginSecret {
  /** Lower-case header name, such as `x-origin-verify`. */
  readonly header: string;
  readonly value: string;
}

/** Where a request came from, as far as trusted sources say. */
export interface TrustedClient {
  readonly ip?: string | undefined;
  /** ISO country code, only from CloudFront with the origin secret. */
  readonly country?: string | undefined;
}

/**
 * The caller's IP (and country) from trusted sources only: the peer address (the socket locally,
 * `requestContext.http.sourceIp` on a function URL), or, when the request carries the configured
 * origin secret, CloudFront's `CloudFront-Viewer-Address` and `CloudFront-Viewer-Country`.
 * `X-Forwarded-For` and every other client-controlled header are ignored.
 *
 * @example
 * trustedClient({ peerIp: '::ffff:192.0.2.7', headers: {} }) // { ip: '192.0.2.7' }
 */
export function trustedClient(
  input: { peerIp?: string | undefined; headers: Readonly<Record<string, string | undefined>> },
  originSecret?: OriginSecret,
): TrustedClient {
  const peer = { ip: normalizeIp(input.peerIp) };
  if (originSecret === undefined || !hasOriginSecret(input.headers, originSecret)) return peer;
  const viewerIp = normalizeIp(viewerAddressIp(input.headers['cloudfront-viewer-address']));
  const country = input.headers['cloudfront-viewer-country']?.trim().toUpperCase();
  return {
    ip: viewerIp ?? peer.ip,
    country: country !== undefined && /^[A-Z]{2}$/.test(country) ? country : undefined,
  };
}

function hasOriginSecret(
  headers: Readonly<Record<string, string | undefined>>,
  secret: OriginSecret,
): boolean {
  const given = headers[secret.header.toLowerCase()];
  if (given === undefined) return false;
  // Hashing first gives equal lengths, so the comparison takes the same time whatever was sent.
  return timingSafeEqual(digest(given), digest(secret.value));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** `198.51.100.10:46532` or `2001:db8::1:46532`: the address, without the trailing source port. */
function viewerAddressIp(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const at = value.lastIndexOf(':');
  return at < 0 ? undefined : value.slice(0, at).replace(/^\[(.*)\]$/, '$1');
}

/** A valid address without the IPv4-mapped prefix (`::ffff:192.0.2.7` → `192.0.2.7`), else `undefined`. */
function normalizeIp(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed)?.[1];
  const ip = mapped ?? trimmed;
  return isIP(ip) === 0 ? undefined : ip;
}
