import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** The origin secret CloudFront adds to every origin request: a header name and its value. */
export interface OriginSecret {
  /** Lower-case header name, such as `x-origin-verify`. */
  readonly header: string;
  readonly value: string;
}

/**
 * The header in which CloudFront (a viewer-request function) passes on the Host the viewer
 * addressed, and signed, before CloudFront replaced it with the origin's.
 */
export const VIEWER_HOST_HEADER = 'x-maskpoint-viewer-host';

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

/**
 * What stands between the client and the gateway and says who the client is: `none` (the socket's
 * peer is the client) or `alb`, an Application Load Balancer that the gateway's network admits
 * alone (the deployed security group lets only the load balancer in).
 */
export type TrustedProxy = 'none' | 'alb';

/**
 * The caller's IP behind an Application Load Balancer (`TrustedProxy` `alb`). In its default
 * `append` mode the load balancer adds the address of the peer that connected to it as the last
 * `X-Forwarded-For` entry, after whatever the client sent
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html),
 * so only the last entry is trusted; earlier ones are the client's claims. No header, or a last
 * entry that is no address, gives no IP (a geo fence then denies): never the load balancer's own.
 *
 * @example
 * clientBehindLoadBalancer({ 'x-forwarded-for': '10.9.9.9, 198.51.100.7' }) // { ip: '198.51.100.7' }
 */
export function clientBehindLoadBalancer(
  headers: Readonly<Record<string, string | undefined>>,
): TrustedClient {
  const last = headers['x-forwarded-for']?.split(',').at(-1)?.trim();
  if (last === undefined) return {};
  // With the load balancer's client-port option on, the entry is `198.51.100.7:46532` or `[2001:db8::1]:46532`.
  const withoutPort = /^\[(.+)\]:\d+$/.exec(last)?.[1] ?? /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(last)?.[1];
  return { ip: normalizeIp(last) ?? normalizeIp(withoutPort) };
}

/**
 * The headers with `host` as the viewer sent it, for SigV4 verification and virtual-hosted
 * addressing: behind CloudFront, whose origin request carries the function URL's host, the
 * viewer's host comes from `x-maskpoint-viewer-host`, trusted only when the request carries the
 * configured origin secret. Without it the header is just a client's claim: ignored. The header
 * itself is dropped either way.
 *
 * @example
 * viewerHeaders({ host: 'abc.lambda-url.eu-west-1.on.aws', 'x-maskpoint-viewer-host': 'd111.cloudfront.net', 'x-origin-verify': secret.value }, secret)
 * // { host: 'd111.cloudfront.net', 'x-origin-verify': secret.value }
 */
export function viewerHeaders(
  headers: Readonly<Record<string, string | undefined>>,
  originSecret?: OriginSecret,
): Readonly<Record<string, string | undefined>> {
  const { [VIEWER_HOST_HEADER]: viewerHost, ...rest } = headers;
  if (viewerHost === undefined) return headers;
  const isTrusted =
    originSecret !== undefined && hasOriginSecret(headers, originSecret) && HOST_PATTERN.test(viewerHost);
  return isTrusted ? { ...rest, host: viewerHost } : rest;
}

/** A DNS name with an optional port: what CloudFront passes on as the viewer's Host. */
const HOST_PATTERN = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?$/i;

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
