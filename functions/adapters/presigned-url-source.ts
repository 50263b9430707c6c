import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { LimitExceededError, ServiceUnavailableError } from '../core/errors.ts';
import type {
  ListObjectsPage,
  ObjectLocation,
  ObjectSource,
  SourceConditions,
  SourceObject,
  SourceObjectHead,
} from '../core/ports/object-source.ts';
import { exactLengthBody } from './exact-length-body.ts';
import { sourceErrorOf } from './s3-source-error.ts';
import { checkServedVersion } from './served-version.ts';

/** Largest ListBucketResult read (1,000 keys of 1,024 bytes with their metadata fit easily). */
const MAX_LIST_XML_BYTES = 16 * 1024 * 1024;
/** Largest S3 error document read, to tell NoSuchBucket from NoSuchKey. */
const MAX_ERROR_XML_BYTES = 64 * 1024;

/** One invocation's presigned request to S3. */
export interface PresignedUrlSourceOptions {
  /** The event context's `inputS3Url`, signed with the caller's identity. */
  readonly inputS3Url: string;
  /** The caller's request headers (`userRequest.headers`), in the case the client used. */
  readonly userHeaders: Readonly<Record<string, string>>;
  /** Aborts a request that would outlive the invocation. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * An `ObjectSource` for one Object Lambda invocation: GET, HEAD or LIST of the presigned
 * `inputS3Url`, whatever location or listing query the core passes (the URL already names the
 * object, its version and the listing parameters). Every header named in `X-Amz-SignedHeaders`
 * except `host` is sent with the caller's value, notably `x-amz-checksum-mode` (aws-sdk-js-v3
 * #7147), plus `If-Modified-Since` / `If-Unmodified-Since`; `If-Match` / `If-None-Match` are
 * left to the core, which compares them with the redacted ETag.
 *
 * The URL must name the version the caller asked for (Object Lambda presigns `versionId` when
 * the caller gave one), and S3 must answer with it. A body that ends before its
 * `Content-Length` fails instead of ending.
 *
 * node:http rather than `fetch`: undici's fetch decodes `Content-Encoding: gzip` bodies itself,
 * with no way to opt out, which would bypass the engine's decompression bounds.
 *
 * @example
 * const source = createPresignedUrlSource({ inputS3Url, userHeaders: event.userRequest.headers });
 * const object = await source.getObject({ bucket, key }, {});
 */
export function createPresignedUrlSource(options: PresignedUrlSourceOptions): ObjectSource {
  const url = new URL(options.inputS3Url);
  const signedHeaders = signedHeaderValues(url, options.userHeaders);

  async function send(
    method: 'GET' | 'HEAD',
    conditions: SourceConditions,
    location?: ObjectLocation,
  ): Promise<IncomingMessage> {
    checkServedVersion(location?.versionId, url.searchParams.get('versionId') ?? undefined);
    const headers: OutgoingHttpHeaders = { ...conditionHeaders(conditions), ...signedHeaders };
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        { method, headers, signal: options.signal },
        resolve,
      );
      // `on`, not `once`: a later socket error must not become an unhandled 'error' event.
      request.on('error', (error) => {
        reject(new ServiceUnavailableError('the source bucket could not be reached', { cause: error }));
      });
      request.end();
    });
    if (response.statusCode !== 200) throw await sourceError(response);
    try {
      checkServedVersion(location?.versionId, headOf(response).versionId);
    } catch (error) {
      response.destroy();
      throw error;
    }
    return response;
  }

  return {
    hasFixedListing: true,

    async getObject(location, conditions): Promise<SourceObject> {
      const response = await send('GET', conditions, location);
      return { ...headOf(response), body: exactLengthBody(response, contentLength(response)) };
    },

    async headObject(location, conditions): Promise<SourceObjectHead> {
      const response = await send('HEAD', conditions, location);
      response.resume();
      return headOf(response);
    },

    async listObjects(): Promise<ListObjectsPage> {
      const response = await send('GET', {});
      return parseListBucketResult(await readText(response, MAX_LIST_XML_BYTES));
    },
  };
}

/** The caller's values of the headers the URL was signed with, `host` excepted (the URL sets it). */
function signedHeaderValues(url: URL, userHeaders: Readonly<Record<string, string>>): Record<string, string> {
  const names = (url.searchParams.get('X-Amz-SignedHeaders') ?? '')
    .split(';')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && name !== 'host');
  const byName = new Map(Object.entries(userHeaders).map(([name, value]) => [name.toLowerCase(), value]));
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = byName.get(name);
    if (value !== undefined) values[name] = value;
  }
  return values;
}

function conditionHeaders(conditions: SourceConditions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (conditions.ifModifiedSince !== undefined)
    headers['if-modified-since'] = conditions.ifModifiedSince.toUTCString();
  if (conditions.ifUnmodifiedSince !== undefined)
    headers['if-unmodified-since'] = conditions.ifUnmodifiedSince.toUTCString();
  return headers;
}

function headOf(response: IncomingMessage): SourceObjectHead {
  const header = (name: string) => {
    const value = response.headers[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const lastModified = header('last-modified');
  return {
    contentType: header('content-type'),
    contentEncoding: header('content-encoding'),
    lastModified: lastModified === undefined ? undefined : new Date(lastModified),
    etag: header('etag'),
    versionId: header('x-amz-version-id'),
  };
}

function contentLength(response: IncomingMessage): number | undefined {
  const value = response.headers['content-length'];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** S3's error answer as a domain error (its XML is read only for the error code). */
async function sourceError(response: IncomingMessage): Promise<Error> {
  const body = await readText(response, MAX_ERROR_XML_BYTES).catch(() => '');
  return sourceErrorOf(response.statusCode, /<Code>([^<]*)<\/Code>/.exec(body)?.[1]);
}

async function readText(response: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    length += chunk.byteLength;
    if (length > maxBytes) {
      response.destroy();
      throw new LimitExceededError(`the source's answer exceeds ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  htmlEntities: true,
  isArray: (_name, path) =>
    path === 'ListBucketResult.Contents' || path === 'ListBucketResult.CommonPrefixes',
});

const listBucketResultSchema = z.object({
  ListBucketResult: z.object({
    IsTruncated: z.enum(['true', 'false']).default('false'),
    EncodingType: z.string().optional(),
    NextContinuationToken: z.string().optional(),
    NextMarker: z.string().optional(),
    Contents: z
      .array(z.object({ Key: z.string(), LastModified: z.string().optional(), ETag: z.string().optional() }))
      .default([]),
    CommonPrefixes: z.array(z.object({ Prefix: z.string() })).default([]),
  }),
});

/**
 * A ListObjects (v1) or ListObjectsV2 `ListBucketResult`. Keys come back decoded when the
 * listing used `encoding-type=url`. For v1, the next marker is `NextMarker`, or else the last
 * key S3 listed (before any filtering), as S3 documents for truncated v1 listings.
 */
export function parseListBucketResult(xml: string): ListObjectsPage {
  const parsed = listBucketResultSchema.safeParse(xmlParser.parse(xml));
  if (!parsed.success) throw new Error('the source bucket answered with an unexpected listing document');
  const result = parsed.data.ListBucketResult;
  const text =
    result.EncodingType === 'url'
      ? (value: string) => decodeURIComponent(value.replaceAll('+', ' '))
      : String;
  const isTruncated = result.IsTruncated === 'true';
  const lastKey = result.Contents.at(-1)?.Key;
  const nextMarker = result.NextMarker ?? (isTruncated ? lastKey : undefined);
  return {
    objects: result.Contents.map((object) => ({
      key: text(object.Key),
      lastModified: object.LastModified === undefined ? undefined : new Date(object.LastModified),
      etag: object.ETag,
    })),
    commonPrefixes: result.CommonPrefixes.map((common) => text(common.Prefix)),
    isTruncated,
    nextContinuationToken:
      result.NextContinuationToken ?? (nextMarker === undefined ? undefined : text(nextMarker)),
  };
}
