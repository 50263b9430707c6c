import type { ListObjectsPage } from '../core/ports/object-source.ts';
import type { ErrorReason } from '../core/s3-error-map.ts';
import type { ListOperation } from './s3-request.ts';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/**
 * An S3 error document. `resource` is the request path; the message is the safe one from
 * `errorReason`, never object content.
 *
 * @example
 * errorXml({ code: 'NoSuchKey', message: 'The specified key does not exist.' }, '/example/a.csv', 'A1B2')
 */
export function errorXml(
  reason: Pick<ErrorReason, 'code' | 'message'>,
  resource: string,
  requestId: string,
): string {
  return `${XML_DECLARATION}<Error>${element('Code', reason.code)}${element('Message', reason.message)}${element('Resource', resource)}${element('RequestId', requestId)}</Error>`;
}

/**
 * The `ListBucketResult` of ListObjects (v1) or ListObjectsV2. Objects carry `Size` only when
 * the page knows the served (redacted) length: the stored one is not the served one. With
 * `encoding-type=url`, the names S3 encodes are URL-encoded as S3 does (space as `+`): keys,
 * common prefixes, `Prefix` and `Delimiter`, and v1's `Marker` and `NextMarker` or v2's
 * `StartAfter` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
 *
 * v1 pages by key: a truncated page's successor starts after its last entry, and `NextMarker`
 * names that entry (a key or a common prefix) only when a delimiter was given; without one,
 * clients take the last `Key`, as S3 documents.
 */
export function listBucketResultXml(operation: ListOperation, page: ListObjectsPage): string {
  const { list } = operation;
  const text = operation.isUrlEncoded ? urlEncode : (value: string) => value;
  const position =
    operation.name === 'ListObjectsV2'
      ? [
          element('KeyCount', String(page.objects.length + page.commonPrefixes.length)),
          element('IsTruncated', String(page.isTruncated)),
          optional('ContinuationToken', list.continuationToken),
          optional('NextContinuationToken', page.isTruncated ? page.nextContinuationToken : undefined),
          optional('StartAfter', list.startAfter, text),
        ]
      : [
          element('IsTruncated', String(page.isTruncated)),
          element('Marker', text(list.startAfter ?? '')),
          optional(
            'NextMarker',
            page.isTruncated && list.delimiter !== undefined ? lastEntry(page) : undefined,
            text,
          ),
        ];
  const parts = [
    element('Name', operation.bucket),
    element('Prefix', text(list.prefix ?? '')),
    optional('Delimiter', list.delimiter, text),
    element('MaxKeys', String(list.maxKeys)),
    operation.isUrlEncoded ? element('EncodingType', 'url') : '',
    ...position,
    ...page.objects.map(
      (object) =>
        `<Contents>${element('Key', text(object.key))}${optional('LastModified', object.lastModified?.toISOString())}${optional('ETag', object.etag)}${optional('Size', object.size?.toString())}${element('StorageClass', 'STANDARD')}</Contents>`,
    ),
    ...page.commonPrefixes.map(
      (prefix) => `<CommonPrefixes>${element('Prefix', text(prefix))}</CommonPrefixes>`,
    ),
  ];
  return `${XML_DECLARATION}<ListBucketResult xmlns="${S3_NAMESPACE}">${parts.join('')}</ListBucketResult>`;
}

/** The page's last entry in S3's order (UTF-8 bytes), a key or a common prefix. */
/** The last entry of a page in S3's key order: a key or a common prefix. */
export function lastEntry(page: ListObjectsPage): string | undefined {
  const key = page.objects.at(-1)?.key;
  const prefix = page.commonPrefixes.at(-1);
  if (key === undefined || prefix === undefined) return key ?? prefix;
  return Buffer.compare(Buffer.from(key), Buffer.from(prefix)) > 0 ? key : prefix;
}

/**
 * GetBucketLocation's answer: the region as a location constraint, empty for us-east-1
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
 */
export function locationConstraintXml(region: string): string {
  return `${XML_DECLARATION}<LocationConstraint xmlns="${S3_NAMESPACE}">${escapeXml(region === 'us-east-1' ? '' : region)}</LocationConstraint>`;
}

/** One page of ListBuckets: the buckets shown and where the next page starts. */
export interface BucketListing {
  readonly buckets: readonly { readonly name: string; readonly creationDate: Date }[];
  readonly region: string;
  readonly owner: string;
  readonly prefix?: string | undefined;
  readonly continuationToken?: string | undefined;
}

/** A `ListAllMyBucketsResult` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html). */
export function listAllMyBucketsResultXml(listing: BucketListing): string {
  const buckets = listing.buckets.map(
    (bucket) =>
      `<Bucket>${element('Name', bucket.name)}${element('CreationDate', bucket.creationDate.toISOString())}${element('BucketRegion', listing.region)}</Bucket>`,
  );
  return `${XML_DECLARATION}<ListAllMyBucketsResult xmlns="${S3_NAMESPACE}"><Buckets>${buckets.join('')}</Buckets><Owner>${element('ID', listing.owner)}</Owner>${optional('ContinuationToken', listing.continuationToken)}${optional('Prefix', listing.prefix)}</ListAllMyBucketsResult>`;
}

function element(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}

function optional(name: string, value: string | undefined, transform = (v: string) => v): string {
  return value === undefined ? '' : element(name, transform(value));
}

/**
 * Escapes text content. Characters XML 1.0 cannot carry literally (controls other than tab, LF,
 * CR) become character references, as S3 writes them; clients that need them exact ask for
 * `encoding-type=url`.
 */
export function escapeXml(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding the controls XML 1.0 cannot carry is the point.
  return value.replace(/[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (char) => {
    switch (char) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return `&#x${(char.codePointAt(0) ?? 0).toString(16)};`;
    }
  });
}

/** S3's `encoding-type=url`: percent-encoding with a space as `+` (botocore decodes with unquote_plus). */
export function urlEncode(value: string): string {
  return encodeURIComponent(value).replaceAll('%20', '+');
}
