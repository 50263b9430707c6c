import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseChunk } from '../../../functions/adapters/lent-chunks.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import {
  createSegmentWorkerPool,
  type SegmentRunner,
  type SegmentWorkerPool,
} from '../../../functions/adapters/segment-worker-pool.ts';
import type { SegmentedRedactionOptions } from '../../../functions/adapters/segmented-redaction.ts';
import type { CompiledRuleSet } from '../../../functions/core/redaction/redactor.ts';
import {
  COLUMN_KINDS,
  csvText,
  defaultRuleSetWith,
  type HeaderlessCsv,
  headerlessCsv,
} from '../../support/headerless-csv.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';

let ruleSet: CompiledRuleSet;
let pool: SegmentWorkerPool;

beforeAll(async () => {
  ruleSet = await shippedRuleSet('default');
  pool = createSegmentWorkerPool({ threads: 2 });
});

afterAll(async () => {
  await pool.close();
});

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

/** `isReleasing`: the consumer copies each chunk and releases it at once (see `releaseChunk`). */
async function redact(input: string, isSegmented: boolean, rules = ruleSet, isReleasing = false) {
  const segments = isSegmented ? { runner: pool, segmentBytes: 16 * 1024, maxInFlight: 4 } : undefined;
  const stream = await openRedactionStream(
    chunksOf(Buffer.from(input), 4096),
    { ruleSet: rules, key: 'big.csv' },
    segments,
  );
  const chunks: Uint8Array[] = [];
  const released: Uint8Array[] = [];
  try {
    for await (const chunk of stream.body) {
      if (!isReleasing) {
        chunks.push(chunk);
        continue;
      }
      chunks.push(Buffer.from(chunk));
      releaseChunk(chunk);
      released.push(chunk);
    }
  } catch (error) {
    return {
      out: Buffer.concat(chunks).toString(),
      error: (error as Error).message,
      counts: stream.redactor.counts,
    };
  }
  return {
    out: Buffer.concat(chunks).toString(),
    error: undefined,
    counts: stream.redactor.counts,
    /** Chunks released whose buffer a worker took for a later output. */
    moved: released.filter((chunk) => chunk.byteLength === 0).length,
  };
}

const rows = (count: number) =>
  Array.from(
    { length: count },
    (_, i) =>
      `${i},"Ada ""A"" Lovelace\nline 2",ada${i}@example.com,123-45-${String(6789 - (i % 1000)).padStart(4, '0')},note ${i}\r\n`,
  ).join('');

describe('createSegmentWorkerPool', () => {
  it('redacts a big CSV object on worker threads to the same bytes and counts as one thread', async () => {
    const input = `id,name,email,ssn,note\r\n${rows(3000)}`;

    const single = await redact(input, false);
    const parallel = await redact(input, true);

    expect(single.error).toBeUndefined();
    expect(parallel.out).toBe(single.out);
    expect(Object.fromEntries(parallel.counts)).toEqual(Object.fromEntries(single.counts));
    expect(parallel.out).not.toContain('@example.com');
  });

  it('redacts a big CSV object to the same bytes when its consumer releases each chunk, later outputs written into their buffers', async () => {
    const input = `id,name,email,ssn,note\r\n${rows(3000)}`;

    const single = await redact(input, false);
    const parallel = await redact(input, true, ruleSet, true);

    expect(parallel.error).toBeUndefined();
    expect(parallel.out).toBe(single.out);
    expect(Object.fromEntries(parallel.counts)).toEqual(Object.fromEntries(single.counts));
    expect(parallel.moved).toBeGreaterThan(0);
  });

  it('redacts a big gzip CSV object on worker threads to the bytes of one thread, its outputs released once deflated', async () => {
    // Inflated 256 KiB at a time: enough segments that later ones are handed out after releases.
    const input = gzipSync(`id,name,email,ssn,note\r\n${rows(20_000)}`);
    const redactGzip = async (segments?: SegmentedRedactionOptions): Promise<Buffer> => {
      const stream = await openRedactionStream(
        chunksOf(input, 4096),
        { ruleSet, key: 'big.csv.gz' },
        segments,
      );
      const chunks: Uint8Array[] = [];
      for await (const chunk of stream.body) chunks.push(chunk);
      return gunzipSync(Buffer.concat(chunks));
    };
    let reused = 0;
    const counting: SegmentRunner = {
      run(origin, task) {
        if (task.outBuffer !== undefined) reused++;
        return pool.run(origin, task);
      },
    };

    const single = await redactGzip();
    const parallel = await redactGzip({ runner: counting, segmentBytes: 16 * 1024, maxInFlight: 4 });

    expect(parallel.equals(single)).toBe(true);
    expect(reused).toBeGreaterThan(0);
  });

  it('fails closed on a malformed record in a later segment, naming its record over the whole object', async () => {
    const input = `id,name,email,ssn,note\r\n${rows(2000)}"bad"x,1\r\n${rows(2000)}`;

    const parallel = await redact(input, true);

    expect(parallel.error).toBe('malformed CSV in record 2002: characters follow a closing quote');
    expect(parallel.out.length).toBeLessThan(input.length / 2);
    expect(parallel.out).not.toContain('@example.com');
  });

  it('redacts a big headerless CSV with declared columns on worker threads to the same bytes and counts', async () => {
    const declared = await defaultRuleSetWith([], { columns: COLUMN_KINDS });
    const csv = fc.sample(headerlessCsv(fc.constant(COLUMN_KINDS)), {
      numRuns: 1,
      seed: 42,
    })[0] as HeaderlessCsv;
    const records = Array.from({ length: Math.ceil(2000 / csv.records.length) }, () => csv.records).flat();
    const input = csvText({ ...csv, records });

    const single = await redact(input, false, declared);
    const parallel = await redact(input, true, declared);

    expect(single.error).toBeUndefined();
    expect(parallel.out).toBe(single.out);
    expect(Object.fromEntries(parallel.counts)).toEqual(Object.fromEntries(single.counts));
    expect(single.counts.get('field-secrets')).toBe(records.length);
    expect(Buffer.byteLength(input)).toBeGreaterThan(4 * 16 * 1024);
  });

  it('fails closed on a record of another length in a later segment, naming its record over the whole object', async () => {
    const declared = await defaultRuleSetWith([], { columns: ['id', 'name', 'email', 'ssn', 'note'] });
    const input = `${rows(2000)}1,Jane Doe,jane@example.com\r\n${rows(2000)}`;

    const parallel = await redact(input, true, declared);

    expect(parallel.error).toBe(
      'malformed CSV in record 2001: 3 cells where csv.columns of rule set "default" names 5',
    );
    expect(parallel.out.length).toBeLessThan(input.length / 2);
    expect(parallel.out).not.toContain('@example.com');
  });
});
