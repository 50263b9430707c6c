import { readFileSync } from 'node:fs';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import { type LocalS3, startS3rver } from '../support/start-s3rver.ts';
import { gatewayClient, startTestGateway, type TestGateway } from './gateway-client.ts';

const EXAMPLE = (name: string) => readFileSync(new URL(`../../examples/bucket/${name}`, import.meta.url));

describe('the gateway in S3-source mode, reading s3rver', () => {
  let s3: LocalS3;
  let gateway: TestGateway;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3rver(['protected']);
    const put = (key: string, body: Uint8Array, contentType: string) =>
      s3.client.send(
        new PutObjectCommand({ Bucket: 'protected', Key: key, Body: body, ContentType: contentType }),
      );
    await put('exports/customers.csv', EXAMPLE('customers.csv'), 'text/csv');
    await put('exports/profile.json', EXAMPLE('profile.json'), 'application/json');
    await put('exports/logo.png', EXAMPLE('images/logo.png'), 'image/png');
    gateway = await startTestGateway({
      rulesDir: DEFAULT_RULES_DIR,
      s3Buckets: ['protected'],
      s3Client: s3.client,
    });
    const key = await gateway.store.create('reader', ['protected', 'elsewhere']);
    client = gatewayClient(gateway.server.url, key, { maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await gateway.stop();
    await s3.stop();
  });

  it('serves objects uploaded to S3 redacted', async () => {
    const object = await client.send(
      new GetObjectCommand({ Bucket: 'protected', Key: 'exports/customers.csv' }),
    );
    const text = (await object.Body?.transformToString()) ?? '';
    expect(text.split('\n')[0]).toBe('id,name,email,phone,card,notes');
    expect(text).toContain('[EMAIL]');
    expect(text).not.toContain('jane.doe@example.com');
    expect(text).not.toContain('4111 1111 1111 1111');
    const profile = JSON.parse(
      (await (
        await client.send(new GetObjectCommand({ Bucket: 'protected', Key: 'exports/profile.json' }))
      ).Body?.transformToString()) ?? '',
    );
    expect(profile.user.password).toBe('[SECRET]');
  });

  it('never forwards the stored ETag or length: HEAD gives the redacted length', async () => {
    const raw = await s3.client.send(
      new HeadObjectCommand({ Bucket: 'protected', Key: 'exports/customers.csv' }),
    );
    const head = await client.send(
      new HeadObjectCommand({ Bucket: 'protected', Key: 'exports/customers.csv' }),
    );
    const get = await client.send(
      new GetObjectCommand({ Bucket: 'protected', Key: 'exports/customers.csv' }),
    );
    const served = (await get.Body?.transformToByteArray())?.byteLength;
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-1"$/);
    expect(head.ETag).not.toBe(raw.ETag);
    expect(head.ContentLength).toBe(served);
    expect(head.ContentLength).not.toBe(raw.ContentLength);
  });

  it('lists the S3 bucket through the gateway', async () => {
    const page = await client.send(new ListObjectsV2Command({ Bucket: 'protected', Prefix: 'exports/' }));
    expect(page.Contents?.map((object) => object.Key)).toEqual([
      'exports/customers.csv',
      'exports/logo.png',
      'exports/profile.json',
    ]);
  });

  it('refuses a binary object from S3 with AccessDenied', async () => {
    const error = await client
      .send(new GetObjectCommand({ Bucket: 'protected', Key: 'exports/logo.png' }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  it('answers a bucket the gateway does not serve with NoSuchBucket, even for an allowed key', async () => {
    const error = await client
      .send(new GetObjectCommand({ Bucket: 'elsewhere', Key: 'a.csv' }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
  });
});
