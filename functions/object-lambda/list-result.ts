import { InvalidArgumentError } from '../core/errors.ts';
import type { ListObjectsPage } from '../core/ports/object-source.ts';
import { escapeXml, lastEntry, urlEncode } from '../gateway/s3-xml.ts';

/** The listing parameters of an Object Lambda LIST, as presigned into `inputS3Url`. */
export interface ListQuery {
  readonly version: 1 | 2;
  readonly prefix?: string | undefined;
  readonly delimiter?: string | undefined;
  readonly maxKeys: number;
  readonly isUrlEncoded: boolean;
  /** v2 `continuation-token`. */
  readonly continuationToken?: string | undefined;
  /** v2 `start-after`, v1 `marker`: both list the keys after this one. */
  readonly startAfter?: string | undefined;
}

const DEFAULT_MAX_KEYS = 1000;

/**
 * Reads the listing query from the presigned URL (S3 Object Lambda presigns every LIST query
 * parameter into it).
 *
 * @throws InvalidArgumentError for a `max-keys` that is not a non-negative integer, or an
 *   `encoding-type` other than `url`.
 */
export function listQueryOf(inputS3Url: URL, version: 1 | 2): ListQuery {
  const query = inputS3Url.searchParams;
  const param = (name: string) => query.get(name) ?? undefined;
  const maxKeysText = param('max-keys');
  const maxKeys = maxKeysText === undefined ? DEFAULT_MAX_KEYS : Number(maxKeysText);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) {
    throw new InvalidArgumentError(`max-keys must be a non-negative integer, got "${maxKeysText}"`);
  }
  const encoding = param('encoding-type');
  if (encoding !== undefined && encoding !== 'url') {
    throw new InvalidArgumentError(`encoding-type must be "url", got "${encoding}"`);
  }
  return {
    version,
    prefix: param('prefix'),
    delimiter: param('delimiter'),
    maxKeys: Math.min(maxKeys, DEFAULT_MAX_KEYS),
    isUrlEncoded: encoding === 'url',
    continuationToken: version === 2 ? param('continuation-token') : undefined,
    startAfter: version === 2 ? param('start-after') : param('marker'),
  };
}

/**
 * The `listResultXml` an Object Lambda LIST returns: a v1 or v2 `ListBucketResult` of the
 * filtered page. XML rather than the `listBucketResult` object because that object requires
 * `size`, which an object has only when the core lists it from its redacted view (the stored
 * length is not the served one): objects without one carry no `Size`.
 */
export function listResultXml(bucket: string, query: ListQuery, page: ListObjectsPage): string {
  const text = query.isUrlEncoded ? urlEncode : (value: string) => value;
  const nextToken = page.isTruncated ? page.nextContinuationToken : undefined;
  // v1's NextMarker is a key name: the last entry this caller was shown, never the source's
  // marker, which may name a key the access decision hid.
  const nextMarker = page.isTruncated ? lastEntry(page) : undefined;
  const position =
    query.version === 2
      ? [
          element('KeyCount', String(page.objects.length + page.commonPrefixes.length)),
          optional('ContinuationToken', query.continuationToken),
          optional('NextContinuationToken', nextToken),
          optional('StartAfter', query.startAfter, text),
        ]
      : [element('Marker', text(query.startAfter ?? '')), optional('NextMarker', nextMarker, text)];
  const parts = [
    element('Name', bucket),
    element('Prefix', text(query.prefix ?? '')),
    optional('Delimiter', query.delimiter, text),
    element('MaxKeys', String(query.maxKeys)),
    query.isUrlEncoded ? element('EncodingType', 'url') : '',
    element('IsTruncated', String(page.isTruncated)),
    ...position,
    ...page.objects.map(
      (object) =>
        `<Contents>${element('Key', text(object.key))}${optional('LastModified', object.lastModified?.toISOString())}${optional('ETag', object.etag)}${optional('Size', object.size?.toString())}${element('StorageClass', 'STANDARD')}</Contents>`,
    ),
    ...page.commonPrefixes.map(
      (prefix) => `<CommonPrefixes>${element('Prefix', text(prefix))}</CommonPrefixes>`,
    ),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join('')}</ListBucketResult>`;
}

function element(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}

function optional(name: string, value: string | undefined, transform = (v: string) => v): string {
  return value === undefined ? '' : element(name, transform(value));
}
