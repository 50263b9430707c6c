import type { TextFormat } from '../redaction/formats/format-redactor.ts';

/**
 * What a stored view records besides its bytes. A view is the redacted bytes of one stored
 * object version under one rule-set version, exactly as they are served; never raw bytes.
 */
export interface ViewMetadata {
  /** Length of the redacted bytes: the exact `Content-Length` of a full GET or HEAD. */
  readonly redactedBytes: number;
  /** MD5 of the redacted bytes, 32 lowercase hex digits: the ETag a view-backed answer carries. */
  readonly md5: string;
  /** How many values each rule id changed, for audit events of reads served from the view. */
  readonly counts: Readonly<Record<string, number>>;
  /** When the view was committed. */
  readonly createdAt: Date;
  /** The format the engine parsed the object as. */
  readonly format: TextFormat;
  /** The `Content-Type` served with the view. */
  readonly contentType: string;
  /** The `Content-Encoding` served with the view (gzip stays gzip). */
  readonly contentEncoding?: string | undefined;
  /** `Last-Modified` of the stored object the view was made from. */
  readonly sourceLastModified?: Date | undefined;
}

/** Bytes `first` to `last` of a view, both inclusive and inside the view (see `resolveViewRange`). */
export interface ViewRange {
  readonly first: number;
  readonly last: number;
}

/**
 * One view being written. Nothing is visible under its id until `commit` resolves; after an
 * `abort`, a failed `write` or a failed `commit`, nothing is visible at all.
 */
export interface ViewWriter {
  /** Appends redacted bytes; resolves when the store can take more (back-pressure). */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Makes the view visible, atomically with its metadata.
   *
   * @throws Error when `metadata.redactedBytes` is not the number of bytes written; the view
   *   is then aborted.
   */
  commit(metadata: ViewMetadata): Promise<void>;
  /** Discards what was written. Safe to call more than once, and after a failure. */
  abort(): Promise<void>;
}

/**
 * Port: stored redacted views by id (see `viewId`). Ids name no bucket, key or value. A view is
 * immutable: the same id always names the same bytes, so a reader never needs a lock.
 * Adapters: a local directory with a size cap (`createLocalViewStore`), an S3 cache bucket
 * (`createS3ViewStore`).
 */
export interface ViewStore {
  /** The view's metadata, or `undefined` when there is no committed view with this id. */
  get(id: string): Promise<ViewMetadata | undefined>;
  /**
   * The whole view, or the bytes of `range`; `undefined` when the view is gone (evicted or
   * expired since `get`: answer as for a miss). A body that resolved keeps streaming even if
   * the view is evicted meanwhile; it holds a file or socket until read to the end or ended
   * with `return()`.
   *
   * @throws InvalidRangeError when `range` is not inside the view.
   */
  read(id: string, range?: ViewRange): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Starts writing the view `id`; concurrent writers of one id are allowed (last commit wins). */
  create(id: string): Promise<ViewWriter>;
  /** Removes the view; nothing happens when there is none. */
  delete(id: string): Promise<void>;
  /**
   * Removes every view of one stored object, whatever its version and rule set: `prefix` is
   * `objectViewsPrefix(bucket, key)` (an S3 ObjectRemoved event names no ETag to recompute ids).
   */
  deleteObjectViews(prefix: string): Promise<void>;
}
