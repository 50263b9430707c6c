import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import {
  LimitExceededError,
  MalformedObjectError,
  UnsupportedFormatError,
} from '../../../functions/core/errors.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';

async function* chunksOf(bytes: Uint8Array, size = 1000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Log lines that compress about as a real log does (level 1 keeps a fifth to a third of them). */
function logLines(from: number, count: number): string {
  let text = '';
  for (let line = from; line < from + count; line++) {
    // A fixed multiplicative hash of the line number: varied digits, the same every run.
    const digits = String(Math.imul(line, 2654435761) >>> 0).padStart(10, '0');
    text += `2026-01-01T00:00:00Z user=${line} mail=user${digits}@example.com ssn 123-45-${digits.slice(0, 4)}\n`;
  }
  return text;
}

describe('openRedactionStream', () => {
  const ruleSet = compiledRuleSetOf(sampleDetectors());

  it('keeps a UTF-8 byte order mark and multi-byte characters split across chunks', async () => {
    const input = Buffer.from('\uFEFFnom,mél\nRené,rene@example.com\n');
    const stream = await openRedactionStream(chunksOf(input, 1), { ruleSet, key: 'a.csv' });
    expect((await collect(stream.body)).toString('utf8')).toBe('\uFEFFnom,mél\nRené,[EMAIL]\n');
    expect(stream.bytes).toEqual({
      in: input.byteLength,
      out: Buffer.byteLength('\uFEFFnom,mél\nRené,[EMAIL]\n'),
    });
    expect(stream.redactor.counts.get('email')).toBe(1);
  });

  it('refuses an unsupported format before producing any byte', async () => {
    await expect(
      openRedactionStream(chunksOf(Buffer.from('%PDF-1.7 ssn 123-45-6789')), { ruleSet, key: 'a.pdf' }),
    ).rejects.toBeInstanceOf(UnsupportedFormatError);
  });

  it('passes an unsupported format through only when the operator allowed it', async () => {
    const input = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]);
    const stream = await openRedactionStream(chunksOf(input), {
      ruleSet,
      key: 'logo.png',
      allowPassthrough: true,
    });
    expect(stream.format).toBeUndefined();
    expect(await collect(stream.body)).toEqual(input);
  });

  it('refuses a gzip object whose content is binary', async () => {
    const input = gzipSync(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    await expect(openRedactionStream(chunksOf(input), { ruleSet, key: 'a.csv.gz' })).rejects.toBeInstanceOf(
      UnsupportedFormatError,
    );
  });

  it('redacts inside gzip and answers gzip', async () => {
    const input = gzipSync(Buffer.from('ssn 123-45-6789\n'.repeat(1000)));
    const stream = await openRedactionStream(chunksOf(input, 100), { ruleSet, key: 'a.log.gz' });
    expect(gunzipSync(await collect(stream.body)).toString()).toBe('ssn [US_SSN]\n'.repeat(1000));
  });

  it('redacts a gzip object as the same object uncompressed, whatever its chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('ssn 123-45-6789'), fc.constant('bob@example.com'), fc.string()), {
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 0, max: 9 }),
        async (lines, chunkBytes, level) => {
          const plain = Buffer.from(`${lines.join('\n')}\n`);
          const expected = await openRedactionStream(chunksOf(plain), { ruleSet, key: 'a.log' });
          const expectedOut = await collect(expected.body);
          const stream = await openRedactionStream(chunksOf(gzipSync(plain, { level }), chunkBytes), {
            ruleSet,
            key: 'a.log.gz',
          });
          expect(gunzipSync(await collect(stream.body))).toEqual(expectedOut);
          expect([...stream.redactor.counts]).toEqual([...expected.redactor.counts]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('holds a bounded part of a gzip object while its consumer does not pull', async () => {
    const blockLines = 1000;
    const blocks = 160;
    let plainBytesRead = 0;
    // One gzip member per block (a gzip stream may hold several), so the bytes read are known.
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let block = 0; block < blocks; block++) {
        const plain = Buffer.from(logLines(block * blockLines, blockLines));
        plainBytesRead += plain.byteLength;
        yield gzipSync(plain, { level: 1 });
      }
    }
    const stream = await openRedactionStream(source(), { ruleSet, key: 'a.log.gz' });
    const body = stream.body[Symbol.asyncIterator]();
    const first = await body.next();
    // Two queues of 1 MiB (inflated, redacted) and about a zlib chunk at each other stage.
    const boundBytes = 4 * 1024 * 1024;
    // The pipeline runs on until its queues are full: wait until reading stops (or overruns).
    for (
      let still = 0, last = -1, polls = 0;
      still < 30 && plainBytesRead <= boundBytes && polls < 3000;
      polls++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      still = plainBytesRead === last ? still + 1 : 0;
      last = plainBytesRead;
    }
    const totalBytes = Buffer.byteLength(logLines(0, blocks * blockLines));
    expect(totalBytes).toBeGreaterThan(3 * boundBytes);
    expect(plainBytesRead).toBeLessThanOrEqual(boundBytes);

    const out: Uint8Array[] = [first.value ?? new Uint8Array(0)];
    for (let next = await body.next(); !next.done; next = await body.next()) out.push(next.value);
    const text = gunzipSync(Buffer.concat(out)).toString('utf8');
    expect(text.split('\n')).toHaveLength(blocks * blockLines + 1);
    expect(text).not.toMatch(/\d{3}-\d{2}-\d{4}|@example\.com/);
  });

  it('stops reading and closes the source of a gzip object whose reader leaves', async () => {
    let blocksRead = 0;
    let isClosed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let block = 0; block < 1000; block++) {
          blocksRead++;
          yield gzipSync(logLines(block * 1000, 1000), { level: 1 });
        }
      } finally {
        isClosed = true;
      }
    }
    const stream = await openRedactionStream(source(), { ruleSet, key: 'a.log.gz' });
    const body = stream.body[Symbol.asyncIterator]();
    await body.next();
    await body.return?.(undefined);
    // The pipeline unwinds asynchronously (zlib calls in work finish first): bounded polls.
    for (let polls = 0; !isClosed && polls < 500; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(isClosed).toBe(true);
    expect(blocksRead).toBeLessThan(100);
  });

  it('aborts a gzip bomb at the decompression ratio cap', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 'a'));
    const stream = await openRedactionStream(chunksOf(bomb), {
      ruleSet: compiledRuleSetOf(sampleDetectors(), [], { maxDecompressionRatio: 10 }),
      key: 'a.log.gz',
    });
    await expect(collect(stream.body)).rejects.toBeInstanceOf(LimitExceededError);
  });

  it('fails on a truncated gzip stream', async () => {
    const input = gzipSync(Buffer.from('hello world\n'.repeat(100)));
    const stream = await openRedactionStream(chunksOf(input.subarray(0, input.byteLength - 12)), {
      ruleSet,
      key: 'a.log.gz',
    });
    await expect(collect(stream.body)).rejects.toBeInstanceOf(MalformedObjectError);
  });
});
