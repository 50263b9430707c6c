import { type OriginSecret, type TrustedClient, trustedClient } from '../gateway/trusted-client-ip.ts';

/**
 * Where an Object Lambda caller is, as far as a trusted edge says. The event carries no source
 * IP, so there is a location only in trusted-header mode: CloudFront in front of the access
 * point adds `CloudFront-Viewer-Address` / `CloudFront-Viewer-Country` and the origin secret;
 * the headers count only when `userRequest.headers` carries that secret (constant-time compare).
 * `X-Forwarded-For` and every other client-controlled header are ignored. Without an origin
 * secret configured, the location is always unknown, so geo-fenced rule sets deny.
 *
 * @example
 * trustedViewer({ 'X-Origin-Verify': secret, 'CloudFront-Viewer-Country': 'DE' }, { header: 'x-origin-verify', value: secret })
 * // { ip: undefined, country: 'DE' }
 */
export function trustedViewer(
  headers: Readonly<Record<string, string>>,
  originSecret: OriginSecret | undefined,
): TrustedClient {
  if (originSecret === undefined) return {};
  // S3 keeps the header case the client used; the trusted-header check works on lower-case names.
  const lowerCased = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return trustedClient({ headers: lowerCased }, originSecret);
}
