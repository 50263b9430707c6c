import { Readable } from 'node:stream';
import { S3Client, WriteGetObjectResponseCommand } from '@aws-sdk/client-s3';
import { NotModifiedError } from '../core/errors.ts';
import { errorReason } from '../core/s3-error-map.ts';
import type { ObjectResponse } from '../core/serve-object.ts';
import { AWS_CONNECT_TIMEOUT_MS, AWS_IDLE_TIMEOUT_MS } from './aws-client-timeouts.ts';

/** Where one GetObject's answer goes: the event's `outputRoute` and `outputToken`. */
export interface WriteGetObjectResponseTarget {
  readonly route: string;
  readonly token: string;
}

/** Answers one Object Lambda GetObject; whichever method is called, it is called once. */
export interface GetObjectResponseSink {
  /**
   * Streams the redacted object. An error from the body aborts the upload, so the caller sees a
   * failed transfer rather than a short object, and rejects with that error.
   */
  sendObject(response: ObjectResponse): Promise<void>;
  /** Answers with the S3 error `error` maps to (status, code, safe message), without a body. */
  sendError(error: unknown): Promise<void>;
}

/**
 * The S3 client for WriteGetObjectResponse: one attempt only (the route token is single-use and
 * a streamed body cannot be replayed). When `AWS_ENDPOINT_URL_S3` (else `AWS_ENDPOINT_URL`) is
 * set, calls go to that endpoint itself, not to `<route>.<endpoint-host>`. Connecting and
 * silence on the connection are bounded; the whole call is not, since it lasts as long as the
 * redacted body takes to stream.
 */
export function createWriteGetObjectResponseClient(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return new S3Client({
    ...(endpoint ? { endpoint, forcePathStyle: true, disableHostPrefix: true } : {}),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: AWS_CONNECT_TIMEOUT_MS, socketTimeout: AWS_IDLE_TIMEOUT_MS },
    // The body is a stream of unknown length: no checksum trailer, which would need aws-chunked framing.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

/**
 * A sink that answers through WriteGetObjectResponse. The object goes with the redacted view's
 * headers only (status, type, encoding, redacted ETag, last modified, range) and no
 * Content-Length unless the core computed it for a range: never the stored object's length,
 * ETag or checksums, which would not match the transformed body.
 *
 * @example
 * const sink = createWriteGetObjectResponseSink(client, { route: ctx.outputRoute, token: ctx.outputToken });
 * await sink.sendObject(await serveObject(request, deps));
 */
export function createWriteGetObjectResponseSink(
  client: S3Client,
  target: WriteGetObjectResponseTarget,
): GetObjectResponseSink {
  let isUsed = false;
  function claim(): { RequestRoute: string; RequestToken: string } {
    if (isUsed) throw new Error('WriteGetObjectResponse was already called for this request');
    isUsed = true;
    return { RequestRoute: target.route, RequestToken: target.token };
  }

  return {
    async sendObject(response) {
      const request = claim();
      const abort = new AbortController();
      const body = Readable.from(response.body, { objectMode: false });
      let bodyError: unknown;
      body.once('error', (error) => {
        bodyError = error;
        // The SDK pipes the body into the request and would wait forever: destroying the request
        // ends the chunked upload without its final chunk.
        abort.abort();
      });
      try {
        await client.send(
          new WriteGetObjectResponseCommand({
            ...request,
            StatusCode: response.status,
            ContentType: response.contentType,
            ContentEncoding: response.contentEncoding,
            ETag: response.etag,
            LastModified: response.lastModified,
            ContentRange: response.contentRange,
            ContentLength: response.contentLength,
            AcceptRanges: 'bytes',
            Body: body,
          }),
          { abortSignal: abort.signal },
        );
      } catch (error) {
        throw bodyError ?? error;
      } finally {
        body.destroy();
      }
      if (bodyError !== undefined) throw bodyError;
    },

    async sendError(error) {
      const request = claim();
      const reason = errorReason(error);
      // A 304 is not an error answer: S3 sends it without an error document, with the validators
      // a 200 would have sent (RFC 9110 §15.4.5).
      const fields =
        error instanceof NotModifiedError
          ? { ETag: error.etag, LastModified: error.lastModified }
          : reason.status < 400
            ? {}
            : { ErrorCode: reason.code, ErrorMessage: reason.message };
      await client.send(
        new WriteGetObjectResponseCommand({ ...request, StatusCode: reason.status, ...fields }),
      );
    },
  };
}
