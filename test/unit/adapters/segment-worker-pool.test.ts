import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import {
  createSegmentWorkerPool,
  type SegmentWorkerPool,
} from '../../../functions/adapters/segment-worker-pool.ts';
import type { CompiledRuleSet } from '../../../functions/core/redaction/redactor.ts';
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

async function redact(input: string, isSegmented: boolean) {
  const segments = isSegmented ? { runner: pool, segmentBytes: 16 * 1024, maxInFlight: 4 } : undefined;
  const stream = await openRedactionStream(
    chunksOf(Buffer.from(input), 4096),
    { ruleSet, key: 'big.csv' },
    segments,
  );
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of stream.body) chunks.push(chunk);
  } catch (error) {
    return {
      out: Buffer.concat(chunks).toString(),
      error: (error as Error).message,
      counts: stream.redactor.counts,
    };
  }
  return { out: Buffer.concat(chunks).toString(), error: undefined, counts: stream.redactor.counts };
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

  it('fails closed on a malformed record in a later segment, naming its record over the whole object', async () => {
    const input = `id,name,email,ssn,note\r\n${rows(2000)}"bad"x,1\r\n${rows(2000)}`;

    const parallel = await redact(input, true);

    expect(parallel.error).toBe('malformed CSV in record 2002: characters follow a closing quote');
    expect(parallel.out.length).toBeLessThan(input.length / 2);
    expect(parallel.out).not.toContain('@example.com');
  });
});
