/**
 * Who is reading, as established by a front door. `ip` and `country` are set only from trusted
 * sources (the socket, a function URL's `requestContext`, CloudFront with the origin secret),
 * never from a header the client controls.
 */
export interface Caller {
  /** IAM principal ARN (Object Lambda) or gateway key name. */
  readonly id: string;
  readonly kind: 'iam' | 'gateway-key';
  readonly ip?: string | undefined;
  /** ISO country code from a trusted edge (CloudFront-Viewer-Country), if any. */
  readonly country?: string | undefined;
}
