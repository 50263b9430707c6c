import { fstatSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSource } from '../../../functions/adapters/file-source.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import { reusedChunks } from '../../../functions/adapters/reused-chunks.ts';
import type { CompiledRuleSet } from '../../../functions/core/redaction/redactor.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';

let directory: string;
let files = 0;
let ruleSet: CompiledRuleSet;

beforeAll(async () => {
  ruleSet = await shippedRuleSet('default');
  directory = mkdtempSync(join(tmpdir(), 'maskpoint-reused-chunks-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** `bytes` in a new file of the test directory, opened as the CLI opens a regular file. */
function sourceOf(bytes: Uint8Array): FileSource {
  const path = join(directory, `${files++}`);
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  return new FileSource(fd, fstatSync(fd).size);
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += size) yield bytes.subarray(at, at + size);
}

/** Each chunk copied as it comes, as a consumer of reused chunks must. */
async function copies(chunks: AsyncIterable<Uint8Array>): Promise<Buffer[]> {
  const copied: Buffer[] = [];
  for await (const chunk of chunks) copied.push(Buffer.from(chunk));
  return copied;
}

describe('reusedChunks', () => {
  it('gives the chunks of an iterated FileSource, after any chunks already taken from it (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 600_000 }), fc.nat(2), async (size, taken) => {
        const bytes = Buffer.alloc(size, 'x');
        for (let at = 0; at < size; at += 997) bytes[at] = at % 251;
        const iterated = sourceOf(bytes);
        const reused = sourceOf(bytes);
        try {
          const expected = await copies(iterated);
          // The chunks a caller took first (the head, to decide the format), then the rest.
          const head: Buffer[] = [];
          const iterator = reused[Symbol.asyncIterator]();
          for (let chunk = 0; chunk < taken; chunk++) {
            const next = await iterator.next();
            if (next.done === true) break;
            head.push(Buffer.from(next.value));
          }
          const rest = await copies(reusedChunks(reused));

          const chunks = [...head, ...rest];

          expect(chunks.map((chunk) => chunk.byteLength)).toEqual(expected.map((chunk) => chunk.byteLength));
          expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
        } finally {
          await iterated.close();
          await reused.close();
        }
      }),
      { numRuns: 30 },
    );
  });

  it('reads into two buffers only, whatever the size of the file', async () => {
    const source = sourceOf(Buffer.alloc(1_000_000, 'y'));
    try {
      const buffers = new Set<ArrayBufferLike>();
      for await (const chunk of reusedChunks(source)) buffers.add(chunk.buffer);

      expect(buffers.size).toBe(2);
    } finally {
      await source.close();
    }
  });

  it("redacts a log file as the same bytes streamed, characters and values across the chunks' edges (property)", async () => {
    const line = fc.constantFrom(
      'user=bob@example.com ip=10.0.0.1 msg="crème brûlée"\n',
      'ssn 123-45-6789 card 4111 1111 1111 1111 garçon\n',
      'plain words, über alles 😀\n',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 2500, maxLength: 6000 }), async (lines) => {
        const bytes = Buffer.from(lines.join(''));
        const source = sourceOf(bytes);
        try {
          const fromFile = await openRedactionStream(source, { ruleSet, key: 'a.log' });
          const streamed = await openRedactionStream(chunksOf(bytes, 64 * 1024), { ruleSet, key: 'a.log' });

          expect((await collect(fromFile.body)).equals(await collect(streamed.body))).toBe(true);
          expect(fromFile.bytes.in).toBe(bytes.byteLength);
        } finally {
          await source.close();
        }
      }),
      { numRuns: 8 },
    );
  });
});
