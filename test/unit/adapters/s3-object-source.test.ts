import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createS3ObjectSource } from '../../../functions/adapters/s3-object-source.ts';
import { PreconditionFailedError } from '../../../functions/core/errors.ts';

const s3 = mockClient(S3Client);

describe('createS3ObjectSource', () => {
  afterEach(() => {
    s3.reset();
  });

  it('sends the stored ETag a view was named after as If-Match', async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('a\n')]) as never, ETag: '"e1"' });
    const source = createS3ObjectSource(new S3Client({ region: 'us-east-1' }));

    await source.getObject({ bucket: 'data', key: 'a.csv' }, { ifMatch: '"e1"' });

    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'data',
      Key: 'a.csv',
      IfMatch: '"e1"',
    });
  });

  it('fails with PreconditionFailedError when S3 answers 412 to If-Match', async () => {
    s3.on(HeadObjectCommand).rejects(
      Object.assign(new Error('PreconditionFailed'), {
        name: 'PreconditionFailed',
        $metadata: { httpStatusCode: 412 },
      }),
    );
    const source = createS3ObjectSource(new S3Client({ region: 'us-east-1' }));

    await expect(
      source.headObject({ bucket: 'data', key: 'a.csv' }, { ifMatch: '"e0"' }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
  });
});
