import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type LocalS3, startS3rver } from '../support/start-s3rver.ts';
import { gatewayClient, startTestGateway, type TestGateway } from './gateway-client.ts';

/** An object put in the protected bucket before the gateway starts. */
export interface SeededObject {
  readonly key: string;
  readonly body: string | Uint8Array;
  /** @default - none: s3rver stores no Content-Type */
  readonly contentType?: string;
}

/** A gateway in front of a bucket of s3rver, and the real SDK reading through it. */
export interface ReaderGateway {
  /** The SDK client of a gateway key allowed to read `bucket`, without retries. */
  readonly client: S3Client;
  readonly gateway: TestGateway;
  /** Stops the client, the gateway and s3rver. */
  stop(): Promise<void>;
}

/**
 * s3rver on loopback holding `objects` in `bucket`, and an in-process gateway with the rules of
 * `rulesDir` serving that bucket to the real SDK as a key holder reads it: the integration
 * suites' way to check an object end to end through the gateway.
 */
export async function startReaderGateway(
  bucket: string,
  objects: readonly SeededObject[],
  rulesDir: string,
): Promise<ReaderGateway> {
  const s3: LocalS3 = await startS3rver([bucket]);
  for (const { key, body, contentType } of objects) {
    await s3.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ...(contentType !== undefined && { ContentType: contentType }),
      }),
    );
  }
  const gateway = await startTestGateway({ rulesDir, s3Buckets: [bucket], s3Client: s3.client });
  const client = gatewayClient(gateway.server.url, await gateway.store.create('reader', [bucket]), {
    maxAttempts: 1,
  });
  return {
    client,
    gateway,
    async stop() {
      client.destroy();
      await gateway.stop();
      await s3.stop();
    },
  };
}
