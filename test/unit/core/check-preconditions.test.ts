import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDirectorySource } from '../../../functions/adapters/local-directory-source.ts';
import { createMemoryRateLimiter } from '../../../functions/adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import type { Caller } from '../../../functions/core/caller.ts';
import { sourceConditionsFor } from '../../../functions/core/check-preconditions.ts';
import { describeObject } from '../../../functions/core/describe-object.ts';
import { NotModifiedError } from '../../../functions/core/errors.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { errorReason } from '../../../functions/core/s3-error-map.ts';
import {
  type ObjectRequest,
  type ServeDependencies,
  serveObject,
} from '../../../functions/core/serve-object.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';

const MTIME = new Date('2026-03-01T10:00:00Z');
const BEFORE = new Date(MTIME.getTime() - 60_000);
const AFTER = new Date(MTIME.getTime() + 60_000);
const caller: Caller = { id: 'reader', kind: 'gateway-key' };

/** absent, or the truth value the condition is built to evaluate to. */
type Truth = undefined | boolean;
const TRUTHS: readonly Truth[] = [undefined, true, false];

/** RFC 9110 §13.2.2, step by step, on truth values: the oracle the core is held to. */
function rfc9110(c: {
  ifMatch: Truth;
  ifUnmodifiedSince: Truth;
  ifNoneMatch: Truth;
  ifModifiedSince: Truth;
}) {
  if (c.ifMatch !== undefined) {
    if (!c.ifMatch) return 412;
  } else if (c.ifUnmodifiedSince === false) return 412;
  if (c.ifNoneMatch !== undefined) {
    if (!c.ifNoneMatch) return 304;
  } else if (c.ifModifiedSince === false) return 304;
  return 200;
}

describe('conditional GET and HEAD (RFC 9110 §13.2.2, as S3 GetObject documents it)', () => {
  let root: string;
  let deps: ServeDependencies;
  let etag: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'maskpoint-conditions-'));
    writeFileSync(join(root, 'a.log'), 'mail jane.doe@example.com\n');
    utimesSync(join(root, 'a.log'), MTIME, MTIME);
    const ruleSet = ruleSetSchema.parse({ name: 'test' });
    deps = {
      source: createLocalDirectorySource(new Map([['b', root]])),
      rules: { ruleSets: [ruleSet], compiled: new Map([['test', compiledRuleSetOf(sampleDetectors())]]) },
      rateLimiter: createMemoryRateLimiter(),
      audit: { record: () => {} },
      openRedaction: openRedactionStream,
    };
    etag = (await describeObject({ requestId: 'r', caller, bucket: 'b', key: 'a.log' }, deps)).etag ?? '';
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const combinations = TRUTHS.flatMap((ifMatch) =>
    TRUTHS.flatMap((ifUnmodifiedSince) =>
      TRUTHS.flatMap((ifNoneMatch) =>
        TRUTHS.map((ifModifiedSince) => ({ ifMatch, ifUnmodifiedSince, ifNoneMatch, ifModifiedSince })),
      ),
    ),
  );

  it.each(
    combinations.flatMap((truths) =>
      (['GET', 'HEAD'] as const).map((method) => ({ method, truths, expected: rfc9110(truths) })),
    ),
  )(
    '$method If-Match=$truths.ifMatch If-Unmodified-Since=$truths.ifUnmodifiedSince If-None-Match=$truths.ifNoneMatch If-Modified-Since=$truths.ifModifiedSince → $expected',
    async ({ method, truths, expected }) => {
      const request: ObjectRequest = {
        requestId: 'r',
        caller,
        bucket: 'b',
        key: 'a.log',
        ifMatch: truths.ifMatch === undefined ? undefined : truths.ifMatch ? etag : '"other"',
        ifUnmodifiedSince:
          truths.ifUnmodifiedSince === undefined ? undefined : truths.ifUnmodifiedSince ? AFTER : BEFORE,
        ifNoneMatch: truths.ifNoneMatch === undefined ? undefined : truths.ifNoneMatch ? '"other"' : etag,
        ifModifiedSince:
          truths.ifModifiedSince === undefined ? undefined : truths.ifModifiedSince ? BEFORE : AFTER,
      };
      let status: number;
      try {
        if (method === 'GET') {
          const response = await serveObject(request, deps);
          for await (const _chunk of response.body);
          status = response.status;
        } else {
          await describeObject(request, deps);
          status = 200;
        }
      } catch (error) {
        status = errorReason(error).status;
        if (error instanceof NotModifiedError) {
          expect(error.etag).toBe(etag);
          expect(error.lastModified).toEqual(MTIME);
        }
      }
      expect(status).toBe(expected);
    },
  );

  it('sends the source If-Unmodified-Since only without If-Match, and never If-Modified-Since', () => {
    expect(sourceConditionsFor({ ifUnmodifiedSince: BEFORE, ifModifiedSince: BEFORE })).toEqual({
      ifUnmodifiedSince: BEFORE,
    });
    expect(sourceConditionsFor({ ifMatch: '"x"', ifUnmodifiedSince: BEFORE })).toEqual({});
    expect(sourceConditionsFor({ ifNoneMatch: '"x"', ifModifiedSince: AFTER })).toEqual({
      ifUnmodifiedSince: undefined,
    });
  });
});
