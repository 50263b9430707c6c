import type { ListObjectsPage } from '../core/ports/object-source.ts';
import type { ErrorReason } from '../core/s3-error-map.ts';
import type { S3Operation } from './s3-request.ts';

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
 * A ListObjectsV2 `ListBucketResult`. An object's `Size` is its redacted view's, when the core
 * knows it (never the stored length, which is not the served one). With `encoding-type=url`
 * keys, prefixes, the delimiter and start-after are URL-encoded as S3 does (space as `+`).
 */
export function listBucketResultXml(
  operation: Extract<S3Operation, { name: 'ListObjectsV2' }>,
  page: ListObjectsPage,
): string {
  const { list } = operation;
  const text = operation.isUrlEncoded ? urlEncode : (value: string) => value;
  const parts = [
    element('Name', operation.bucket),
    element('Prefix', text(list.prefix ?? '')),
    optional('Delimiter', list.delimiter, text),
    element('MaxKeys', String(list.maxKeys)),
    operation.isUrlEncoded ? element('EncodingType', 'url') : '',
    element('KeyCount', String(page.objects.length + page.commonPrefixes.length)),
    element('IsTruncated', String(page.isTruncated)),
    optional('ContinuationToken', list.continuationToken),
    optional('NextContinuationToken', page.isTruncated ? page.nextContinuationToken : undefined),
    optional('StartAfter', list.startAfter, text),
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
