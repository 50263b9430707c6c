import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ServiceUnavailableError } from '../core/errors.ts';
import type {
  ListObjectsPage,
  ObjectLocation,
  ObjectSource,
  SourceConditions,
  SourceObject,
  SourceObjectHead,
} from '../core/ports/object-source.ts';
import { AWS_CLIENT_TIMEOUTS } from './aws-client-timeouts.ts';
import { exactLengthBody } from './exact-length-body.ts';
import { sourceErrorOf } from './s3-source-error.ts';
import { checkServedVersion } from './served-version.ts';

/**
 * The S3 client of a front door that reads the protected bucket itself. When the SDK's
 * standard endpoint override (`AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`) is set, requests
 * go path-style to that endpoint, as local S3 servers expect. Checksums are computed and
 * validated only when S3 requires it: the body is transformed, so the raw object's checksums
 * are never forwarded. Every call is bounded by `AWS_CLIENT_TIMEOUTS`.
 */
export function createS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return new S3Client({
    ...AWS_CLIENT_TIMEOUTS,
    ...(endpoint ? { endpoint, forcePathStyle: true, disableHostPrefix: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * An `ObjectSource` reading S3 with the function's own role (gateway front door).
 * SDK errors become domain errors with generic messages; the SDK error stays as `cause`.
 * A `versionId` is passed to GetObject and HeadObject, and an answer for another version is
 * refused. A body that ends before its `Content-Length` fails instead of ending.
 *
 * @example
 * ```ts
 * const source = createS3ObjectSource(createS3Client());
 * const object = await source.getObject({ bucket: 'data', key: 'people.csv' }, {});
 * ```
 */
export function createS3ObjectSource(client: S3Client): ObjectSource {
  return {
    async getObject(location, conditions): Promise<SourceObject> {
      const response = await client
        .send(new GetObjectCommand(objectInput(location, conditions)))
        .catch(rethrowAsDomainError);
      if (response.Body === undefined) throw new ServiceUnavailableError('S3 returned no object body');
      const body = exactLengthBody(response.Body as AsyncIterable<Uint8Array>, response.ContentLength);
      try {
        checkServedVersion(location.versionId, response.VersionId);
      } catch (error) {
        await body[Symbol.asyncIterator]().return?.();
        throw error;
      }
      return { ...headOf(response), body };
    },

    async headObject(location, conditions): Promise<SourceObjectHead> {
      const response = await client
        .send(new HeadObjectCommand(objectInput(location, conditions)))
        .catch(rethrowAsDomainError);
      checkServedVersion(location.versionId, response.VersionId);
      return headOf(response);
    },

    async listObjects(request): Promise<ListObjectsPage> {
      const response = await client
        .send(
          new ListObjectsV2Command({
            Bucket: request.bucket,
            Prefix: request.prefix,
            Delimiter: request.delimiter,
            ContinuationToken: request.continuationToken,
            StartAfter: request.startAfter,
            MaxKeys: request.maxKeys,
          }),
        )
        .catch(rethrowAsDomainError);
      return {
        objects: (response.Contents ?? []).flatMap((object) =>
          object.Key === undefined
            ? []
            : [{ key: object.Key, lastModified: object.LastModified, etag: object.ETag, size: object.Size }],
        ),
        commonPrefixes: (response.CommonPrefixes ?? []).flatMap((common) =>
          common.Prefix === undefined ? [] : [common.Prefix],
        ),
        isTruncated: response.IsTruncated ?? false,
        nextContinuationToken: response.NextContinuationToken,
      };
    },
  };
}

/** The request fields GetObject and HeadObject share. */
function objectInput(location: ObjectLocation, conditions: SourceConditions) {
  return {
    Bucket: location.bucket,
    Key: location.key,
    VersionId: location.versionId,
    IfModifiedSince: conditions.ifModifiedSince,
    IfUnmodifiedSince: conditions.ifUnmodifiedSince,
    IfMatch: conditions.ifMatch,
  };
}

/** The stored object's metadata from a GetObject or HeadObject answer. */
function headOf(response: {
  ContentType?: string | undefined;
  ContentEncoding?: string | undefined;
  LastModified?: Date | undefined;
  ETag?: string | undefined;
  VersionId?: string | undefined;
}): SourceObjectHead {
  return {
    contentType: response.ContentType,
    contentEncoding: response.ContentEncoding,
    lastModified: response.LastModified,
    etag: response.ETag,
    versionId: response.VersionId,
  };
}

/**
 * HEAD answers carry no error body, so the SDK names them after the status (`NotFound`,
 * `Forbidden`); the status decides, the name refines 404 and 403.
 */
function rethrowAsDomainError(error: unknown): never {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  throw sourceErrorOf(status, error instanceof Error ? error.name : undefined, error);
}
