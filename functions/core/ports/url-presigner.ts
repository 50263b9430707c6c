/** What to presign: a GET of one object, valid for `expiresSeconds` from `signingDate`. */
export interface PresignGetObject {
  readonly bucket: string;
  readonly key: string;
  readonly expiresSeconds: number;
  readonly signingDate: Date;
}

/** Port: signs GET URLs for a front door (the gateway, an Object Lambda access point). */
export interface UrlPresigner {
  /** Returns the URL; it carries a signature and must never be logged. */
  presignGetObject(request: PresignGetObject): Promise<string>;
}
