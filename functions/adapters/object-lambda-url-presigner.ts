import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { UrlPresigner } from '../core/ports/url-presigner.ts';
import type { SigningCredentials } from './gateway-url-presigner.ts';

/** The Object Lambda access point URLs are for, and the key that signs them. */
export interface ObjectLambdaUrlPresignerOptions {
  /** `arn:aws:s3-object-lambda:REGION:ACCOUNT:accesspoint/NAME`; its region is the signing region. */
  readonly accessPointArn: string;
  /** An IAM user key whose only permission is `s3-object-lambda:GetObject` on the access point. */
  readonly credentials: SigningCredentials;
}

/**
 * Presigns GetObject URLs for an S3 Object Lambda access point: the SDK resolves the access
 * point's host and signs for service `s3-object-lambda`. The request's bucket is not part of
 * the URL: the access point decides which bucket it reads.
 *
 * @example
 * ```ts
 * const presigner = createObjectLambdaUrlPresigner({ accessPointArn, credentials });
 * const url = await presigner.presignGetObject({ bucket: 'reports', key: 'q1.csv', expiresSeconds: 3600, signingDate: new Date() });
 * ```
 */
export function createObjectLambdaUrlPresigner(options: ObjectLambdaUrlPresignerOptions): UrlPresigner {
  const region = options.accessPointArn.split(':')[3];
  const client = new S3Client({
    ...(region ? { region } : {}),
    useArnRegion: true,
    credentials: { ...options.credentials },
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    presignGetObject: ({ key, expiresSeconds, signingDate }) =>
      getSignedUrl(client, new GetObjectCommand({ Bucket: options.accessPointArn, Key: key }), {
        expiresIn: expiresSeconds,
        signingDate,
      }),
  };
}
