import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { releaseChunk } from '../../../functions/adapters/lent-chunks.ts';
import { runSegmentTask } from '../../../functions/adapters/run-segment-task.ts';
import type { SegmentRunner, SegmentTask } from '../../../functions/adapters/segment-worker-pool.ts';
import { type ByteReader, redactInSegments } from '../../../functions/adapters/segmented-redaction.ts';
import { Utf8StreamDecoder } from '../../../functions/adapters/utf8-stream-decoder.ts';
import { LimitExceededError, MalformedObjectError } from '../../../functions/core/errors.ts';
import { compileRuleSetOrigin } from '../../../functions/core/redaction/compile-rule-set-origin.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import type { SegmentFormat } from '../../../functions/core/redaction/formats/redact-segment.ts';
import {
  type CompiledRuleSet,
  Redactor,
  type RuleSetOrigin,
} from '../../../functions/core/redaction/redactor.ts';
import { csvSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { COLUMN_KINDS, csvText, headerlessCsv } from '../../support/headerless-csv.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';

let ruleSet: CompiledRuleSet;
let origin: RuleSetOrigin;

beforeAll(async () => {
  const shipped = await shippedRuleSet('default');
  if (shipped.origin === undefined) throw new Error('a compiled rule set keeps its origin');
  origin = shipped.origin;
  // What a worker runs: the rule set compiled again from its plain-data origin.
  ruleSet = compileRuleSetOrigin(origin);
});

/**
 * The body (and the buffer for the output) as a worker receives them: their buffers moved as
 * `postMessage` with a transfer list moves them, so that the sender's buffers are detached and
 * any later use of them fails.
 */
function transferred(task: SegmentTask): SegmentTask {
  const { outBuffer } = task;
  return {
    ...task,
    body: moved(task.body),
    ...(outBuffer !== undefined && { outBuffer: structuredClone(outBuffer, { transfer: [outBuffer] }) }),
  };
}

/** `bytes` moved as a transfer list moves its buffer: any later use of `bytes` fails. */
function moved(bytes: Uint8Array): Uint8Array {
  const { buffer, byteOffset, byteLength } = bytes;
  return new Uint8Array(
    structuredClone(buffer, { transfer: [buffer as ArrayBuffer] }),
    byteOffset,
    byteLength,
  );
}

/**
 * Runs segments in this thread (as a worker would, handing each body back moved), counting
 * tasks and the most at once.
 */
function inProcessRunner(compiled = ruleSet): SegmentRunner & { tasks: number; mostAtOnce: number } {
  let running = 0;
  const runner = {
    tasks: 0,
    mostAtOnce: 0,
    async run(_origin: RuleSetOrigin, sent: SegmentTask) {
      const task = transferred(sent);
      runner.tasks++;
      running++;
      runner.mostAtOnce = Math.max(runner.mostAtOnce, running);
      try {
        await new Promise((resolve) => setImmediate(resolve));
        return { ...runSegmentTask(compiled, task), body: moved(task.body) };
      } finally {
        running--;
      }
    },
  };
  return runner;
}

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

interface Outcome {
  readonly out: string;
  readonly error?: string;
  readonly counts: Map<string, number>;
}

/** The single-pass redactor fed one byte at a time, so that it emits all it can before an error. */
function singlePass(format: SegmentFormat, input: string, compiled = ruleSet): Outcome {
  const redactor = new Redactor(compiled);
  const formatRedactor = createFormatRedactor(format, redactor);
  const decoder = new Utf8StreamDecoder();
  let out = '';
  try {
    for (const byte of Buffer.from(input)) out += formatRedactor.push(decoder.decode(Uint8Array.of(byte)));
    decoder.end();
    out += formatRedactor.end();
  } catch (error) {
    return { out, error: describeError(error), counts: redactor.counts };
  }
  return { out, counts: redactor.counts };
}

/**
 * `bytes` read from `from` on into the reader's buffers, at most `readBytes` at a time, checking
 * that each read is into a buffer of its own and that the next starts only once it is done.
 */
function readerOf(bytes: Uint8Array, from: number, readBytes: number): ByteReader {
  let position = from;
  let isReading = false;
  return {
    async readInto(target) {
      if (isReading) throw new Error('a read started before the last one ended');
      if (target.buffer instanceof SharedArrayBuffer || Buffer.isBuffer(target)) {
        throw new Error('a read into a buffer that is not the segment’s own');
      }
      isReading = true;
      await new Promise((resolve) => setImmediate(resolve));
      isReading = false;
      const read = bytes.subarray(position, position + Math.min(readBytes, target.byteLength));
      target.set(read);
      position += read.byteLength;
      return read.byteLength;
    },
  };
}

async function segmented(
  format: SegmentFormat,
  input: string,
  options: {
    chunkBytes: number;
    segmentBytes: number;
    maxInFlight: number;
    /** Bytes from which the rest is read into the segments' buffers by a reader, so many at a time. */
    reading?: { from: number; readBytes: number };
    /** Given each chunk as it comes (the output is made of copies of them taken then). */
    consumer?: { take(chunk: Uint8Array): void };
  },
  runner: SegmentRunner = inProcessRunner(),
  rules: { compiled: CompiledRuleSet; origin: RuleSetOrigin } = { compiled: ruleSet, origin },
): Promise<Outcome> {
  const redactor = new Redactor(rules.compiled);
  const chunks: Uint8Array[] = [];
  const bytes = Buffer.from(input);
  const from = Math.min(options.reading?.from ?? bytes.byteLength, bytes.byteLength);
  try {
    for await (const chunk of redactInSegments(
      chunksOf(bytes.subarray(0, from), options.chunkBytes),
      format,
      redactor,
      rules.origin,
      { runner, segmentBytes: options.segmentBytes, maxInFlight: options.maxInFlight },
      options.reading && readerOf(bytes, from, options.reading.readBytes),
    )) {
      chunks.push(Buffer.from(chunk));
      options.consumer?.take(chunk);
    }
  } catch (error) {
    return { out: Buffer.concat(chunks).toString(), error: describeError(error), counts: redactor.counts };
  }
  return { out: Buffer.concat(chunks).toString(), counts: redactor.counts };
}

/**
 * A consumer that keeps each chunk while it takes `holding[i]` more (in turn; -1: for good) and
 * then releases it (see `releaseChunk`), checking first that its bytes are those it was given.
 */
function slowConsumer(holding: readonly number[]) {
  const held: { chunk: Uint8Array; copy: Buffer; left: number }[] = [];
  let taken = 0;
  const expectUnchanged = (entry: (typeof held)[number]): void => {
    expect(Buffer.from(entry.chunk).equals(entry.copy)).toBe(true);
  };
  return {
    take(chunk: Uint8Array): void {
      for (const entry of held.splice(0)) {
        if (entry.left === 0) {
          expectUnchanged(entry);
          releaseChunk(entry.chunk);
        } else {
          held.push({ ...entry, left: entry.left - 1 });
        }
      }
      held.push({ chunk, copy: Buffer.from(chunk), left: holding[taken++ % holding.length] ?? -1 });
    },
    /** The chunks not released are still those it was given. */
    expectHeldUnchanged(): void {
      for (const entry of held) expectUnchanged(entry);
    },
  };
}

function describeError(error: unknown): string {
  if (error instanceof MalformedObjectError || error instanceof LimitExceededError) {
    return `${error.name}: ${error.message}`;
  }
  throw error;
}

const planted = [
  'bob@example.com',
  '123-45-6789',
  '4111 1111 1111 1111',
  '555-234-5678',
  'AKIAIOSFODNN7EXAMPLE',
  // A secret key whose context may be a cell before it in its record.
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
];
const terminator = fc.constantFrom('\n', '\r\n', '\r');

/** CSV with a BOM, `sep=`, preamble lines, a header or data first, quoted line breaks and quotes, planted values. */
const csvDocument = fc.constantFrom(',', ';', '\t', '|').chain((delimiter) => {
  const value = fc.oneof(
    fc.constantFrom(...planted),
    fc.constantFrom('', 'Ada', 'x y', '12', 'a"b', '"', 'l1\nl2', 'r\r\nn', `a${delimiter}b`, 'é😀'),
  );
  const cell = fc.tuple(value, fc.boolean()).map(([text, wantsQuotes]) => {
    const mustQuote = text.startsWith('"') || /[\r\n]/.test(text) || text.includes(delimiter);
    return wantsQuotes || mustQuote ? `"${text.replaceAll('"', '""')}"` : text;
  });
  const record = fc.oneof(
    {
      weight: 9,
      arbitrary: fc.array(cell, { minLength: 1, maxLength: 5 }).map((cells) => cells.join(delimiter)),
    },
    { weight: 1, arbitrary: fc.constant('') },
  );
  const header = fc
    .array(fc.constantFrom('name', 'email', 'note', 'id', 'ssn', 'password'), { minLength: 1, maxLength: 5 })
    .map((names) => names.join(delimiter));
  const preambleLine = fc.constantFrom('', '# exported by bob@example.com', '# comment "quoted', '## meta');
  const fault = fc.constantFrom('', '', '', `"x"y${delimiter}1`, '"unclosed', 'nul\0');
  return fc
    .record({
      hasBom: fc.boolean(),
      hasSep: fc.boolean(),
      preamble: fc.array(fc.tuple(preambleLine, terminator), { maxLength: 3 }),
      first: fc.oneof(header, record),
      firstEnd: terminator,
      records: fc.array(fc.tuple(record, terminator), { maxLength: 30 }),
      fault,
      faultAt: fc.nat(),
    })
    .map(({ hasBom, hasSep, preamble, first, firstEnd, records, fault, faultAt }) => {
      const body = records.map(([text, end]) => text + end);
      if (fault !== '') body.splice(faultAt % (body.length + 1), 0, `${fault}\n`);
      const sep = hasSep ? `sep=${delimiter}\n` : '';
      const lines = preamble.map(([text, end]) => text + end).join('');
      return `${hasBom ? '\uFEFF' : ''}${sep}${lines}${first}${firstEnd}${body.join('')}`;
    });
});

/** NDJSON with planted values in fields and strings, rows of a table, blank lines, CRLF, and an optional bad line. */
const ndjsonDocument = fc
  .record({
    lines: fc.array(
      fc.oneof(
        fc.constantFrom(...planted).map((value) => JSON.stringify({ email: value, n: 1 })),
        fc.constantFrom(...planted).map((value) => JSON.stringify({ note: `see ${value}`, list: [value] })),
        fc.constantFrom('', '  ', '{"a":{"password":"hunter2"}}', '[1,2,"x"]', '"é😀\\n"'),
        // Rows of a table of lines (see `JsonTokenRewriter.readLines`): first or later.
        fc.constantFrom(
          '["name","ssn","pw"]',
          '["Jane Doe","123456789","hunter2"]',
          '["John Roe","987654320","letmein1"]',
        ),
      ),
      { maxLength: 40 },
    ),
    crlf: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    fault: fc.constantFrom('', '', '{"a":', '{"a":1}x'),
    faultAt: fc.nat(),
    isTerminated: fc.boolean(),
  })
  .map(({ lines, crlf, fault, faultAt, isTerminated }) => {
    const all = [...lines];
    if (fault !== '') all.splice(faultAt % (all.length + 1), 0, fault);
    const text = all.map((line, index) => line + (crlf[index % crlf.length] ? '\r\n' : '\n')).join('');
    return isTerminated ? text : text.replace(/\r?\n$/, '');
  });

const splitting = fc.record({
  chunkBytes: fc.integer({ min: 1, max: 300 }),
  segmentBytes: fc.integer({ min: 1, max: 200 }),
  maxInFlight: fc.integer({ min: 1, max: 4 }),
});

/** Where a reader takes over from the chunks (0: at once), and how much it reads at a time. */
const reading = fc.record({
  from: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 600 })),
  readBytes: fc.integer({ min: 1, max: 300 }),
});

/**
 * Same output and counts as the single pass; on an error, the same error and no more output.
 * A NUL byte is found when its chunk is decoded, before the records of that chunk are read,
 * so whether it or a fault in a record before it is reported depends on the chunking, for the
 * single pass too: then only an error is required.
 */
function expectSameAsSinglePass(parallel: Outcome, single: Outcome): void {
  const isChunkDependent = [parallel.error, single.error].some((error) => error?.includes('NUL byte'));
  if (isChunkDependent) expect(parallel.error !== undefined && single.error !== undefined).toBe(true);
  else expect(parallel.error).toBe(single.error);
  if (single.error === undefined) {
    expect(parallel.out).toBe(single.out);
    expect(Object.fromEntries(parallel.counts)).toEqual(Object.fromEntries(single.counts));
  } else {
    expect(single.out.startsWith(parallel.out)).toBe(true);
  }
}

describe('redactInSegments', () => {
  it('gives the single-pass output, counts and errors for CSV, whatever the segments and chunks', async () => {
    await fc.assert(
      fc.asyncProperty(csvDocument, splitting, async (input, options) => {
        expectSameAsSinglePass(await segmented('csv', input, options), singlePass('csv', input));
      }),
      { numRuns: 300 },
    );
  });

  it('numbers the records after a header ended by a CR alone as the single pass does, when a segment starts with a blank record', async () => {
    // A segment is redacted after the header; were it to end in the CR alone, the blank record's
    // LF would join it as one CRLF, and the records after it would be numbered one too low.
    const input = 'name,email\rAda,ada@example.com\n\nBo,bo@example.com\n\n"x"y,1\n';
    const single = singlePass('csv', input);
    expect(single.error).toBe(
      'MalformedObjectError: malformed CSV in record 6: characters follow a closing quote',
    );
    for (const segmentBytes of [1, 20, 40]) {
      for (let chunkBytes = 1; chunkBytes <= input.length; chunkBytes++) {
        expectSameAsSinglePass(
          await segmented('csv', input, { chunkBytes, segmentBytes, maxInFlight: 2 }),
          single,
        );
      }
    }
  });

  it('reports a malformed record as the single pass does when the bytes gathered end inside a character', async () => {
    // A segment whose records do not parse is cut where the bytes gathered end; cut inside 😀,
    // it failed on the truncated character before its redactor reached the record.
    const input =
      '\r\n\npassword|password|id\n"bob@example.com"\r\n"é😀"\n"unclosed\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY|""""|555-234-5678\r\n""\r\n"é😀"|bob@example.com\n';
    const single = singlePass('csv', input);
    expect(single.error).toBe(
      'MalformedObjectError: malformed CSV in record 6: characters follow a closing quote',
    );
    for (const segmentBytes of [1, 8, 32, 64]) {
      for (const readBytes of [1, 2, 3, 5]) {
        expectSameAsSinglePass(
          await segmented('csv', input, {
            chunkBytes: 1,
            segmentBytes,
            maxInFlight: 1,
            reading: { from: 0, readBytes },
          }),
          single,
        );
      }
    }
  });

  it('gives the single-pass output, counts and errors for NDJSON, whatever the segments and chunks', async () => {
    await fc.assert(
      fc.asyncProperty(ndjsonDocument, splitting, async (input, options) => {
        expectSameAsSinglePass(await segmented('ndjson', input, options), singlePass('ndjson', input));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the single-pass output, counts and errors for CSV read into its segments, whatever the reads', async () => {
    await fc.assert(
      fc.asyncProperty(csvDocument, splitting, reading, async (input, options, read) => {
        expectSameAsSinglePass(
          await segmented('csv', input, { ...options, reading: read }),
          singlePass('csv', input),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('gives the single-pass output, counts and errors for NDJSON read into its segments, whatever the reads', async () => {
    await fc.assert(
      fc.asyncProperty(ndjsonDocument, splitting, reading, async (input, options, read) => {
        expectSameAsSinglePass(
          await segmented('ndjson', input, { ...options, reading: read }),
          singlePass('ndjson', input),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('gives the single-pass output to a consumer releasing its chunks late, at once or never, none changed before it releases it', async () => {
    const holding = fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 1, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(
        csvDocument,
        ndjsonDocument,
        splitting,
        holding,
        async (csv, ndjson, options, hold) => {
          for (const [format, input] of [
            ['csv', csv],
            ['ndjson', ndjson],
          ] as const) {
            const consumer = slowConsumer(hold);
            expectSameAsSinglePass(
              await segmented(format, input, { ...options, consumer }),
              singlePass(format, input),
            );
            consumer.expectHeldUnchanged();
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes later outputs into the buffers of those its consumer released, and only those', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `${i},"Ada Lovelace",bob${i}@example.com\n`).join('');
    const input = `id,name,email\n${rows}`;
    const single = singlePass('csv', input);
    for (const isReleasing of [true, false]) {
      let tasks = 0;
      let reused = 0;
      const released: Uint8Array[] = [];
      const runner = inProcessRunner();
      const counting: SegmentRunner = {
        run(origin, task) {
          tasks++;
          if (task.outBuffer !== undefined) reused++;
          return runner.run(origin, task);
        },
      };
      const consumer = {
        take(chunk: Uint8Array): void {
          if (!isReleasing) return;
          releaseChunk(chunk);
          released.push(chunk);
        },
      };

      const parallel = await segmented(
        'csv',
        input,
        { chunkBytes: 100, segmentBytes: 1000, maxInFlight: 2, consumer },
        counting,
      );

      expectSameAsSinglePass(parallel, single);
      expect(tasks).toBeGreaterThan(10);
      // All but the first segments in flight, given outputs released before they were handed out.
      expect(reused).toBe(isReleasing ? tasks - 2 : 0);
      // The buffer of a chunk released is moved away whole once a later segment takes it.
      expect(released.filter((chunk) => chunk.byteLength === 0)).toHaveLength(reused);
    }
  });

  it('redacts an NDJSON object in one pass when its first segment ends before its first line, which may head a table', async () => {
    // A first segment of `\r` (or of a byte order mark cut short) said nothing about the line
    // after it, so `["name","ssn","pw"]` was redacted in segments, not as the header row of a table.
    for (const input of [
      '\r\n["name","ssn","pw"]\n["Ada","123-45-6789","hunter2"]\n{"a":',
      ' \n\n["name","ssn","pw"]\n["Ada","123-45-6789","hunter2"]\n',
      '\uFEFF["name","ssn","pw"]\n["Ada","123-45-6789","hunter2"]\n',
    ]) {
      const single = singlePass('ndjson', input);
      for (const segmentBytes of [1, 2, 3, 8]) {
        for (const chunkBytes of [1, 2, 5]) {
          for (const readBytes of [1, 2, 7]) {
            expectSameAsSinglePass(
              await segmented('ndjson', input, {
                chunkBytes,
                segmentBytes,
                maxInFlight: 1,
                reading: { from: 0, readBytes },
              }),
              single,
            );
          }
        }
      }
    }
  });

  it('redacts a CSV object in several segments, the header bound once for all', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i},"Ada\nLovelace",bob${i}@example.com,x\r\n`).join(
      '',
    );
    const input = `id,name,email,note\r\n${rows}`;
    const runner = inProcessRunner();

    const parallel = await segmented(
      'csv',
      input,
      { chunkBytes: 1000, segmentBytes: 2000, maxInFlight: 3 },
      runner,
    );

    expectSameAsSinglePass(parallel, singlePass('csv', input));
    expect(runner.tasks).toBeGreaterThanOrEqual(4);
    expect(parallel.out).not.toContain('@example.com');
  });

  it('infers the phone column of a headerless CSV alike in every segment, from the records of its head', async () => {
    // Local numbers the detector misses, and one full number among the first records only.
    const rows = Array.from({ length: 400 }, (_, i) =>
      i === 3 ? '3,"(415) 555-0132",2024-01-01\r\n' : `${i},555-${String(i).padStart(4, '0')},2024-01-01\r\n`,
    ).join('');
    const runner = inProcessRunner();

    const parallel = await segmented(
      'csv',
      rows,
      { chunkBytes: 700, segmentBytes: 4000, maxInFlight: 3 },
      runner,
    );

    expectSameAsSinglePass(parallel, singlePass('csv', rows));
    expect(runner.tasks).toBeGreaterThanOrEqual(3);
    expect(parallel.out).not.toMatch(/555-\d{4}/);
    expect(parallel.out.split('\r\n')).toHaveLength(401);
  });

  it('gathers later segments into the buffers handed back, with the single-pass output', async () => {
    // Quoted, without a line feed inside: every segment's guessed end holds.
    const rows = Array.from({ length: 400 }, (_, i) => `${i},"Ada Lovelace",bob${i}@example.com\n`).join('');
    const input = `id,name,email\n${rows}`;
    const buffers = new Set<ArrayBufferLike>();
    let tasks = 0;
    const runner: SegmentRunner = {
      async run(_origin, task) {
        tasks++;
        buffers.add(task.body.buffer);
        await new Promise((resolve) => setImmediate(resolve));
        return { ...runSegmentTask(ruleSet, task), body: task.body };
      },
    };

    const parallel = await segmented(
      'csv',
      input,
      { chunkBytes: 100, segmentBytes: 1000, maxInFlight: 2 },
      runner,
    );

    expectSameAsSinglePass(parallel, singlePass('csv', input));
    expect(tasks).toBeGreaterThan(10);
    // The first segment's, one per segment in flight, and one gathering while they run.
    expect(buffers.size).toBeLessThanOrEqual(4);
  });

  it("uses the object's delimiter in every segment when a quote in the header makes sniffing read past it", async () => {
    // The sniffer toggles on every quote: after `a"b` it reads on into the records that follow,
    // which differ from segment to segment (a case fast-check found).
    const input =
      '# exported by bob@example.com\n## meta\na"b|bob@example.com|bob@example.com|"4111 1111 1111 1111"|"12"\n' +
      '"é😀"|"bob@example.com"|x y|bob@example.com\nAKIAIOSFODNN7EXAMPLE|bob@example.com|a"b|é😀|\r';

    const parallel = await segmented('csv', input, { chunkBytes: 1, segmentBytes: 197, maxInFlight: 1 });

    expectSameAsSinglePass(parallel, singlePass('csv', input));
    expect(parallel.error).toBeUndefined();
  });

  it('cuts again where records end once a guessed end lies inside a quoted cell, with the single-pass output and record numbers', async () => {
    const plain = (from: number, n: number): string =>
      Array.from({ length: n }, (_, i) => `${from + i},"Ada Lovelace",bob${from + i}@example.com\n`).join('');
    const quoted = Array.from({ length: 200 }, (_, i) => `q${i},"Ada\nLovelace",bob@example.com\n`).join('');
    const fault = fc.constantFrom('', '"x"y,1,2\n', '"unclosed\n');
    await fc.assert(
      fc.asyncProperty(
        // Enough records before the quoted cells for a guessed end to hold before them.
        fc.integer({ min: 60, max: 100 }),
        fault,
        fc.integer({ min: 200, max: 900 }),
        fc.integer({ min: 1, max: 3 }),
        async (before, faultRecord, segmentBytes, maxInFlight) => {
          const input = `id,name,email\n${plain(0, before)}${quoted}${plain(before, 30)}${faultRecord}${plain(before + 30, 30)}`;
          const base = inProcessRunner();
          const verdicts = { held: 0, missed: 0 };
          const runner: SegmentRunner = {
            async run(sentOrigin, task) {
              const outcome = await base.run(sentOrigin, task);
              if (task.isEndGuessed) verdicts[outcome.isCutInQuotedCell ? 'missed' : 'held']++;
              return outcome;
            },
          };

          const parallel = await segmented(
            'csv',
            input,
            { chunkBytes: 97, segmentBytes, maxInFlight },
            runner,
          );

          expectSameAsSinglePass(parallel, singlePass('csv', input));
          // The line feeds inside the quoted cells are read as record ends until one is caught.
          expect(verdicts.held).toBeGreaterThan(0);
          expect(verdicts.missed).toBeGreaterThan(0);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('fails with the record number counted over the whole object when a later segment is malformed', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i},bob@example.com\n`).join('');
    const input = `id,email\n${rows}"x"y,1\n${rows}`;

    const parallel = await segmented('csv', input, { chunkBytes: 512, segmentBytes: 300, maxInFlight: 2 });

    expect(parallel.error).toBe(
      'MalformedObjectError: malformed CSV in record 102: characters follow a closing quote',
    );
    expect(parallel.out).not.toContain('bob@example.com');
    expect(singlePass('csv', input).out.startsWith(parallel.out)).toBe(true);
  });

  it('reads no further than its in-flight segments while the consumer does not pull', async () => {
    const segmentBytes = 1000;
    const maxInFlight = 2;
    const line = `${JSON.stringify({ email: 'bob@example.com' })}\n`;
    let bytesRead = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 10_000; i++) {
        bytesRead += line.length;
        yield Buffer.from(line);
      }
    }
    const released: (() => void)[] = [];
    let held = 0;
    let mostHeld = 0;
    const runner: SegmentRunner = {
      async run(_origin, sent) {
        const task = transferred(sent);
        held++;
        mostHeld = Math.max(mostHeld, held);
        await new Promise<void>((resolve) => released.push(resolve));
        held--;
        return runSegmentTask(ruleSet, task);
      },
    };
    const body = redactInSegments(source(), 'ndjson', new Redactor(ruleSet), origin, {
      runner,
      segmentBytes,
      maxInFlight,
    });

    const first = body.next();
    while (released.length < maxInFlight) await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    // Held: the segments in flight, plus at most one gathering (a segment and a chunk).
    expect(released.length).toBe(maxInFlight);
    expect(bytesRead).toBeLessThanOrEqual((maxInFlight + 2) * (segmentBytes + line.length));

    let outBytes = 0;
    const drain = setInterval(() => {
      for (const release of released.splice(0)) release();
    }, 1);
    try {
      for (let next = await first; !next.done; next = await body.next()) outBytes += next.value.byteLength;
    } finally {
      clearInterval(drain);
    }
    expect(mostHeld).toBeLessThanOrEqual(maxInFlight);
    expect(bytesRead).toBe(10_000 * line.length);
    expect(outBytes).toBe(10_000 * `${JSON.stringify({ email: '[EMAIL]' })}\n`.length);
  });
});

describe('redactInSegments with the columns of a headerless CSV inferred', () => {
  /** Headerless CSVs with a phone column, long enough that the records columns are inferred from are a head of their own. */
  const document = fc
    .record({ csv: headerlessCsv(), repeat: fc.integer({ min: 10, max: 60 }) })
    .map(({ csv, repeat }) => ({
      text: csvText({ ...csv, records: Array.from({ length: repeat }, () => csv.records).flat() }),
      // The column is inferred when a full number is among its first records (all of them here).
      hasFullNumber: csv.records.some((record) => record.values.some((value) => value.startsWith('(415)'))),
    }));
  const longSegments = fc.record({
    chunkBytes: fc.integer({ min: 100, max: 5000 }),
    segmentBytes: fc.integer({ min: 6000, max: 9000 }),
    maxInFlight: fc.integer({ min: 1, max: 4 }),
  });

  it('gives the single-pass output and counts, whatever the segments and chunks', async () => {
    await fc.assert(
      fc.asyncProperty(document, longSegments, async ({ text, hasFullNumber }, options) => {
        const single = singlePass('csv', text);
        const parallel = await segmented('csv', text, options);
        expectSameAsSinglePass(parallel, single);
        if (hasFullNumber) expect(single.out).not.toMatch(/555[- ]\d{4}/);
      }),
      { numRuns: 60 },
    );
  });
});

describe('redactInSegments with CSV columns declared by the rule set', () => {
  // Compiled from its plain-data origin, as a worker thread compiles it.
  const declared = {} as { compiled: CompiledRuleSet; origin: RuleSetOrigin };
  beforeAll(() => {
    declared.origin = {
      ...origin,
      ruleSet: { ...origin.ruleSet, csv: csvSchema.parse({ columns: COLUMN_KINDS }) },
    };
    declared.compiled = compileRuleSetOrigin(declared.origin);
  });

  /** Headerless CSVs in the declared layout, a record of another length in some of them. */
  const document = fc
    .record({
      csv: headerlessCsv(fc.constant(COLUMN_KINDS)),
      repeat: fc.integer({ min: 1, max: 8 }),
      odd: fc.option(fc.record({ at: fc.nat(), cells: fc.integer({ min: 2, max: 8 }) }), { freq: 3 }),
    })
    .map(({ csv, repeat, odd }) => {
      const records = Array.from({ length: repeat }, () => csv.records).flat();
      const long = { ...csv, records };
      if (odd === null || odd.cells === COLUMN_KINDS.length) return csvText(long);
      const at = 1 + (odd.at % records.length);
      return csvText(long, {
        at: Math.min(at, records.length - 1),
        record: 'x,'.repeat(odd.cells - 1).concat('y'),
      });
    });

  it('gives the single-pass output, counts and errors, whatever the segments and chunks', async () => {
    expect(declared.compiled.csv).toEqual({ columns: COLUMN_KINDS, header: 'detect' });
    await fc.assert(
      fc.asyncProperty(document, splitting, async (input, options) => {
        const single = singlePass('csv', input, declared.compiled);
        const parallel = await segmented('csv', input, options, inProcessRunner(declared.compiled), declared);
        expectSameAsSinglePass(parallel, single);
        expect(single.out).not.toMatch(/hunter2|555-\d{4}|@example\.com/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('runSegmentTask', () => {
  it('gives the single-pass output when the output outgrows the body, in ASCII or not', () => {
    // A secret of one character becomes a label of eight, so the output overtakes the body and
    // the buffer sized for the body (plus one piece) grows, more than once for the longest.
    const line = fc.constantFrom(
      '{"password":"x"}',
      '{"password":"é"}',
      '{"n":"é😀"}',
      '{"e":"a@b.co"}',
      '{}',
    );
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 30_000 }),
        (lines, repeat) => {
          const input = `${Array.from({ length: repeat }, (_, i) => lines[i % lines.length]).join('\n')}\n`;
          const redactor = new Redactor(ruleSet);
          const formatRedactor = createFormatRedactor('ndjson', redactor);
          const expected = formatRedactor.push(input) + formatRedactor.end();

          const outcome = runSegmentTask(ruleSet, {
            format: 'ndjson',
            head: '',
            body: Buffer.from(input),
            isFirst: true,
            delimiter: 0,
          });

          if (outcome.isCutInQuotedCell) throw new Error('an NDJSON body is not cut in a quoted cell');
          expect(Buffer.from(outcome.out).toString()).toBe(expected);
          expect(Object.fromEntries(outcome.counts)).toEqual(Object.fromEntries(redactor.counts));
        },
      ),
      { numRuns: 25 },
    );
  });
});
