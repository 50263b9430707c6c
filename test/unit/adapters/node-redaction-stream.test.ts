import { gunzipSync, gzipSync } from 'node:zlib';
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
