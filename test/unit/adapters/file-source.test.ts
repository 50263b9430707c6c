import { fstatSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSource } from '../../../functions/adapters/file-source.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import { runSegmentTask } from '../../../functions/adapters/run-segment-task.ts';
import type { SegmentRunner } from '../../../functions/adapters/segment-worker-pool.ts';
import { MalformedObjectError } from '../../../functions/core/errors.ts';
import { compileRuleSetOrigin } from '../../../functions/core/redaction/compile-rule-set-origin.ts';
import type { CompiledRuleSet } from '../../../functions/core/redaction/redactor.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';

let ruleSet: CompiledRuleSet;
let runner: SegmentRunner;
let directory: string;
let files = 0;

beforeAll(async () => {
  ruleSet = await shippedRuleSet('default');
  if (ruleSet.origin === undefined) throw new Error('a compiled rule set keeps its origin');
  // What a worker runs, in this thread: the rule set compiled again from its plain-data origin.
  const inWorker = compileRuleSetOrigin(ruleSet.origin);
  runner = {
    async run(_origin, task) {
      await new Promise((resolve) => setImmediate(resolve));
      return { ...runSegmentTask(inWorker, task), body: task.body };
    },
  };
  directory = mkdtempSync(join(tmpdir(), 'maskpoint-file-source-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** `bytes` in a new file of the test directory, opened as the CLI opens a regular file. */
function fileOf(bytes: Uint8Array): { path: string; source: FileSource } {
  const path = join(directory, `${files++}`);
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  return { path, source: new FileSource(fd, fstatSync(fd).size) };
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

const planted = fc.constantFrom('bob@example.com', '123-45-6789', '4111 1111 1111 1111', 'Ada', '', 'é😀');

/** Bytes of a generated file: past the 64 KiB chunk its format is detected from, whatever is left read into segments. */
const fileBytes = fc.integer({ min: 64 * 1024 + 1, max: 160_000 });

/** CSV whose quoted cells hold line breaks, delimiters and quotes, so that segments are cut between them. */
const csvDocument = fc
  .tuple(
    fc.array(
      fc.array(
        fc.oneof(
          planted,
          planted.map((value) => `"${value}\n${value},""x"""`),
          planted.map((value) => `"a\r\n${value}"`),
        ),
        { minLength: 3, maxLength: 3 },
      ),
      { minLength: 1, maxLength: 100 },
    ),
    fileBytes,
  )
  .map(([rows, size]) => {
    const records = rows.map((cells) => `${cells.join(',')}\n`).join('');
    return `name,email,note\n${records.repeat(Math.ceil(size / Buffer.byteLength(records)))}`;
  });

/** NDJSON, its last line not terminated. */
const ndjsonDocument = fc
  .tuple(
    fc.array(
      planted.map((value) => JSON.stringify({ email: value, note: `see ${value}\n` })),
      { minLength: 1, maxLength: 100 },
    ),
    fileBytes,
  )
  .map(([lines, size]) => {
    const text = lines.join('\n');
    return Array.from({ length: Math.ceil(size / Buffer.byteLength(text)) }, () => text).join('\n');
  });

/** The single-pass output of `input` against the output of the same bytes in a file, redacted in segments. */
async function bothWays(
  input: string,
  key: string,
  segmentBytes: number,
): Promise<{ single: Buffer; segmented: Buffer; counts: [unknown, unknown] }> {
  const bytes = Buffer.from(input);
  const single = await openRedactionStream(chunksOf(bytes, 1000), { ruleSet, key });
  const singleOut = await collect(single.body);
  const { source } = fileOf(bytes);
  try {
    const segmented = await openRedactionStream(
      source,
      { ruleSet, key },
      { runner, segmentBytes, maxInFlight: 3 },
    );
    const segmentedOut = await collect(segmented.body);
    expect(segmented.bytes.in).toBe(bytes.byteLength);
    return {
      single: singleOut,
      segmented: segmentedOut,
      counts: [Object.fromEntries(single.redactor.counts), Object.fromEntries(segmented.redactor.counts)],
    };
  } finally {
    await source.close();
  }
}

describe('FileSource', () => {
  it('gives the bytes of a file of any size when iterated', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 160_000 }), async (size) => {
        const bytes = Buffer.alloc(size, 'x');
        for (let at = 0; at < size; at += 997) bytes[at] = at % 251;
        const { source } = fileOf(bytes);
        try {
          expect((await collect(source)).equals(bytes)).toBe(true);
        } finally {
          await source.close();
        }
      }),
      { numRuns: 20 },
    );
  });

  it('gives the single-pass bytes of a CSV file redacted in segments, quoted line breaks across their edges', async () => {
    await fc.assert(
      fc.asyncProperty(csvDocument, fc.integer({ min: 1000, max: 40_000 }), async (input, segmentBytes) => {
        const { single, segmented, counts } = await bothWays(input, 'a.csv', segmentBytes);
        expect(segmented.toString()).toBe(single.toString());
        expect(counts[1]).toEqual(counts[0]);
      }),
      { numRuns: 10 },
    );
  });

  it('gives the single-pass bytes of an NDJSON file redacted in segments', async () => {
    await fc.assert(
      fc.asyncProperty(
        ndjsonDocument,
        fc.integer({ min: 1000, max: 40_000 }),
        async (input, segmentBytes) => {
          const { single, segmented, counts } = await bothWays(input, 'a.ndjson', segmentBytes);
          expect(segmented.toString()).toBe(single.toString());
          expect(counts[1]).toEqual(counts[0]);
        },
      ),
      { numRuns: 10 },
    );
  });

  it('fails when the file ends before the size it had when opened, iterated or read into a buffer', async () => {
    const bytes = Buffer.alloc(200_000, 'a');
    const iterated = fileOf(bytes);
    const readInto = fileOf(bytes);
    try {
      truncateSync(iterated.path, 150_001);
      truncateSync(readInto.path, 0);
      await expect(collect(iterated.source)).rejects.toThrow(MalformedObjectError);
      await expect(readInto.source.readInto(new Uint8Array(10))).rejects.toThrow(
        /ended at byte 0, before the 200000 bytes/,
      );
    } finally {
      await iterated.source.close();
      await readInto.source.close();
    }
  });

  it('fails the segmented redaction, after no more than the single-pass output, when the file shrinks while read', async () => {
    const input = `name,email\n${'Ada,bob@example.com\n'.repeat(20_000)}`;
    const { path, source } = fileOf(Buffer.from(input));
    try {
      const stream = await openRedactionStream(
        source,
        { ruleSet, key: 'a.csv' },
        {
          runner,
          segmentBytes: 64 * 1024,
          maxInFlight: 2,
        },
      );
      truncateSync(path, 100_003);
      const out: Uint8Array[] = [];
      await expect(
        (async () => {
          for await (const chunk of stream.body) out.push(chunk);
        })(),
      ).rejects.toThrow(MalformedObjectError);
      const single = await openRedactionStream(chunksOf(Buffer.from(input), 1000), { ruleSet, key: 'a.csv' });
      expect((await collect(single.body)).toString().startsWith(Buffer.concat(out).toString())).toBe(true);
    } finally {
      await source.close();
    }
  });
});
