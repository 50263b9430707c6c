import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { UrlPresigner } from '../core/ports/url-presigner.ts';

/** An access key pair that signs URLs: a gateway key, or an IAM user key for an access point. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Where the gateway listens and the key that signs for it. */
export interface GatewayUrlPresignerOptions {
  /** The gateway's base URL, such as `http://127.0.0.1:9000` or a function URL. */
  readonly endpoint: string;
  /** The region the gateway verifies signatures for. */
  readonly region: string;
  readonly credentials: SigningCredentials;
}

/**
 * Presigns path-style GET URLs (`endpoint/bucket/key`, service `s3`) that the S3-compatible
 * gateway verifies against its key registry. Shared by `maskpoint presign` and the presigner
 * function.
 *
 * @example
 * ```ts
 * const presigner = createGatewayUrlPresigner({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', credentials });
 * const url = await presigner.presignGetObject({ bucket: 'example', key: 'customers.csv', expiresSeconds: 3600, signingDate: new Date() });
 * ```
 */
export function createGatewayUrlPresigner(options: GatewayUrlPresignerOptions): UrlPresigner {
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { ...options.credentials },
    forcePathStyle: true,
    // Otherwise the SDK adds x-amz-checksum-mode to the URL: noise for a proxy that rewrites bodies.
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    presignGetObject: ({ bucket, key, expiresSeconds, signingDate }) =>
      getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn: expiresSeconds,
        signingDate,
      }),
  };
}
