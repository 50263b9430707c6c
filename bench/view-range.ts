import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createLocalCredentialStore } from '../functions/adapters/local-credential-store.ts';
import { createLocalTokenKeyring } from '../functions/adapters/local-token-keyring.ts';
import { createLocalViewStore } from '../functions/adapters/local-view-store.ts';
import { grantFor } from '../functions/core/access-policy.ts';
import { viewIdentityOf } from '../functions/core/views/object-views.ts';
import { viewId } from '../functions/core/views/view-id.ts';
import { createGatewayDependencies } from '../functions/gateway/dependencies.ts';
import { startGatewayServer } from '../functions/gateway/server.ts';

/** What the view-range measurement reads, and how often. */
export interface ViewRangeOptions {
  /** Size of the warmed view. */
  readonly viewBytes: number;
  readonly rangeBytes: number;
  readonly ranges: number;
  readonly rulesDir: string;
}

export interface ViewRangeResult {
  readonly viewBytes: number;
  readonly rangeBytes: number;
  /** Time to the first byte of each range's body, in request order. */
  readonly firstByteMs: readonly number[];
  /** Time to the last byte of each range's body. */
  readonly totalMs: readonly number[];
}

const BUCKET = 'bench';
const KEY = 'warmed.csv';
const WRITE_BLOCK_BYTES = 8 * 1024 * 1024;
/** Ranges read before the measured ones: the connection is opened and the code paths compiled. */
const WARM_UP_RANGES = 3;

/**
 * Time to first byte of `ranges` ranges of `rangeBytes` around the middle of a warmed view of
 * `viewBytes`, read with the AWS SDK through a local gateway (SigV4, access decision, source
 * GET for the view identity, view lookup, ranged file read), after `WARM_UP_RANGES` unmeasured
 * ones. The view is written straight through the store's writer, as warming would leave it, so
 * that the run does not spend minutes redacting: a range answer from a view never looks at how
 * it was made. Each range's bytes are checked.
 */
export async function measureViewRange(options: ViewRangeOptions): Promise<ViewRangeResult> {
  const base = await mkdtemp(join(tmpdir(), 'maskpoint-bench-view-range-'));
  try {
    const bucketDir = join(base, 'bucket');
    await mkdir(bucketDir);
    await writeFile(join(bucketDir, KEY), 'id,email\n1,jane.doe@example.com\n');
    const home = join(base, 'home');
    const store = createLocalViewStore({ directory: join(base, 'views'), maxBytes: options.viewBytes * 2 });
    const credentials = createLocalCredentialStore(home);
    const deps = await createGatewayDependencies({
      rulesDir: options.rulesDir,
      region: 'us-east-1',
      localBuckets: new Map([[BUCKET, bucketDir]]),
      credentials,
      keyring: createLocalTokenKeyring(home),
      audit: { record() {} },
      views: store,
    });
    const key = await credentials.create('bench', [BUCKET]);
    const head = await deps.source.headObject({ bucket: BUCKET, key: KEY }, {});
    const grant = grantFor(deps.rules, BUCKET, KEY, { id: key.name, kind: 'gateway-key' });
    if (grant === undefined || head.etag === undefined)
      throw new Error('no rule set covers the bench object');
    const identity = viewIdentityOf(
      { bucket: BUCKET, key: KEY, grant, tokenKeyIds: deps.tokenKeyIds ?? [] },
      head.etag,
    );
    const block = viewBlock();
    await writeView(store, viewId(identity), options.viewBytes, block);

    const server = await startGatewayServer({ host: '127.0.0.1', port: 0, deps });
    const client = new S3Client({
      endpoint: server.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
      maxAttempts: 1,
    });
    try {
      const firstByteMs: number[] = [];
      const totalMs: number[] = [];
      const lastStart = options.viewBytes - options.rangeBytes;
      // Ranges spread over 64 MiB around the middle, none aligned with the blocks they were written in.
      const spread = Math.min(64 * 1024 * 1024, lastStart);
      const lowest = Math.floor((lastStart - spread) / 2);
      for (let at = -WARM_UP_RANGES; at < options.ranges; at += 1) {
        const step = (((at + WARM_UP_RANGES) * 7919 + 13) % options.ranges) / options.ranges;
        const first = Math.min(lastStart, lowest + Math.floor(step * spread) + 13);
        const last = first + options.rangeBytes - 1;
        const start = performance.now();
        const object = await client.send(
          new GetObjectCommand({ Bucket: BUCKET, Key: KEY, Range: `bytes=${first}-${last}` }),
        );
        const chunks: Uint8Array[] = [];
        let firstByte = 0;
        for await (const chunk of object.Body as AsyncIterable<Uint8Array>) {
          if (chunks.length === 0) firstByte = performance.now() - start;
          chunks.push(chunk);
        }
        if (at >= 0) {
          firstByteMs.push(firstByte);
          totalMs.push(performance.now() - start);
        }
        checkRange(Buffer.concat(chunks), first, last, block);
      }
      return { viewBytes: options.viewBytes, rangeBytes: options.rangeBytes, firstByteMs, totalMs };
    } finally {
      client.destroy();
      await server.close();
    }
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

/** Redacted-looking CSV lines, repeated to fill a view. */
function viewBlock(): Buffer {
  const line = (at: number) => `${at},[EMAIL],[PHONE],**** **** **** 1111,${'x'.repeat(at % 40)}\n`;
  const lines: string[] = [];
  for (let at = 0, bytes = 0; bytes < WRITE_BLOCK_BYTES; at += 1) {
    lines.push(line(at));
    bytes += line(at).length;
  }
  return Buffer.from(lines.join('')).subarray(0, WRITE_BLOCK_BYTES);
}

async function writeView(
  store: ReturnType<typeof createLocalViewStore>,
  id: string,
  viewBytes: number,
  block: Buffer,
): Promise<void> {
  const writer = await store.create(id);
  const digest = createHash('md5');
  for (let written = 0; written < viewBytes; ) {
    const chunk = block.subarray(0, Math.min(block.byteLength, viewBytes - written));
    digest.update(chunk);
    await writer.write(chunk);
    written += chunk.byteLength;
  }
  await writer.commit({
    redactedBytes: viewBytes,
    md5: digest.digest('hex'),
    counts: {},
    createdAt: new Date(),
    format: 'csv',
    contentType: 'text/csv',
  });
}

function checkRange(bytes: Buffer, first: number, last: number, block: Buffer): void {
  if (bytes.byteLength !== last - first + 1) {
    throw new Error(`range ${first}-${last}: ${bytes.byteLength} bytes served`);
  }
  for (let offset = 0; offset < bytes.byteLength; offset += 65_537) {
    if (bytes[offset] !== block[(first + offset) % block.byteLength]) {
      throw new Error(`range ${first}-${last}: byte ${first + offset} differs from the view`);
    }
  }
}
