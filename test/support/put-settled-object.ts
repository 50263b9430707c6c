import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The PutObject fields a test stores an object with. */
export interface SettledObjectInput {
  readonly Bucket: string;
  readonly Key: string;
  readonly Body: Uint8Array;
  readonly ContentType?: string | undefined;
}

/**
 * Stores an object on s3rver and returns once a GET of it answers exactly `Body`.
 *
 * s3rver 3.7.1 answers PutObject before the object's file is written: its filesystem store
 * resolves `putObject` right after `writeStream.end(content)` (or on the copying transform's
 * `finish`), not on the write stream's `finish` (node_modules/s3rver/lib/stores/filesystem.js,
 * `putObject`). A GET right after the PUT can then read the file empty, half written or still
 * the previous object, announcing that length. A test that needs the stored bytes, such as one
 * cutting a body at a fraction of its length, waits here (bounded) instead.
 *
 * @param attempts - GETs tried, 10 ms apart, before giving up with an error.
 */
export async function putSettledObject(
  client: Pick<S3Client, 'send'>,
  input: SettledObjectInput,
  attempts = 200,
): Promise<void> {
  await client.send(new PutObjectCommand(input));
  const expected = Buffer.from(input.Body);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const stored = await client.send(new GetObjectCommand({ Bucket: input.Bucket, Key: input.Key }));
    const bytes = (await stored.Body?.transformToByteArray()) ?? new Uint8Array();
    if (expected.equals(bytes)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`s3://${input.Bucket}/${input.Key} did not read back as stored after ${attempts} GETs`);
}
