/** Where an object lives. */
export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string | undefined;
}

/** Conditions passed to the source, which answers 304 / 412 as S3 does. */
export interface SourceConditions {
  readonly ifModifiedSince?: Date | undefined;
  readonly ifUnmodifiedSince?: Date | undefined;
  /**
   * The stored object's own ETag (never a caller's, which names a redacted view): 412 when the
   * object now has another. A source that cannot send it ignores it, so a caller that needs the
   * guarantee still compares the ETag it gets back.
   */
  readonly ifMatch?: string | undefined;
}

/** Metadata of a stored (raw) object; never forwarded as is for a transformed body. */
export interface SourceObjectHead {
  readonly contentType?: string | undefined;
  readonly contentEncoding?: string | undefined;
  readonly lastModified?: Date | undefined;
  /** The stored object's ETag, used only to derive the redacted view's ETag. */
  readonly etag?: string | undefined;
  readonly versionId?: string | undefined;
}

export interface SourceObject extends SourceObjectHead {
  readonly body: AsyncIterable<Uint8Array>;
}

export interface ListObjectsRequest {
  readonly bucket: string;
  readonly prefix?: string | undefined;
  readonly delimiter?: string | undefined;
  readonly continuationToken?: string | undefined;
  readonly startAfter?: string | undefined;
  readonly maxKeys: number;
}

export interface ListedObject {
  readonly key: string;
  readonly lastModified?: Date | undefined;
  readonly etag?: string | undefined;
  /**
   * Byte length. From a source: the stored length, which the core serves only for an object that
   * passes through unredacted (a redacted object's stored length is not the served one). In a
   * listing the core answers (`<Size>`): the served length, from the object's redacted view.
   */
  readonly size?: number | undefined;
}

export interface ListObjectsPage {
  readonly objects: readonly ListedObject[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  readonly nextContinuationToken?: string | undefined;
}

/**
 * Port: reads the protected bucket (S3 GetObject, a presigned `inputS3Url`, a local directory).
 * Throws `NoSuchKeyError`, `NotModifiedError`, `PreconditionFailedError`, `AccessDeniedError`, or
 * `ServiceUnavailableError` when the store cannot be reached. A `versionId` is served from that
 * version or refused (`InvalidArgumentError`, `NotImplementedError`), never answered with another.
 * A body fails (`ServiceUnavailableError`) rather than ends when it is shorter than its object.
 */
export interface ObjectSource {
  /**
   * `true` when `listObjects` answers one listing fixed outside the core, whatever it is asked
   * (Object Lambda's presigned `inputS3Url`, whose query S3 signed): the core can neither choose
   * where a page starts nor read on, and the client's next request goes to the store itself, so
   * it pages with the store's own continuation token.
   * @default false
   */
  readonly hasFixedListing?: boolean | undefined;
  getObject(location: ObjectLocation, conditions: SourceConditions): Promise<SourceObject>;
  headObject(location: ObjectLocation, conditions: SourceConditions): Promise<SourceObjectHead>;
  listObjects(request: ListObjectsRequest): Promise<ListObjectsPage>;
}
