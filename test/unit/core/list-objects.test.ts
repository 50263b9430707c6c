import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../../../functions/adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import { createPresignedUrlSource } from '../../../functions/adapters/presigned-url-source.ts';
import type { Caller } from '../../../functions/core/caller.ts';
import {
  AccessDeniedError,
  InvalidArgumentError,
  NotImplementedError,
  SlowDownError,
} from '../../../functions/core/errors.ts';
import { decodeListToken, encodeListToken } from '../../../functions/core/list-continuation-token.ts';
import { type ListRequest, listObjects } from '../../../functions/core/list-objects.ts';
import type { AuditEvent } from '../../../functions/core/ports/audit-log.ts';
import type { ListObjectsPage } from '../../../functions/core/ports/object-source.ts';
import type { RateLimiter } from '../../../functions/core/ports/rate-limiter.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import type { RuleRegistry } from '../../../functions/core/rule-registry.ts';
import { type ServeDependencies, serveObject } from '../../../functions/core/serve-object.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';
import { type MemoryObject, memoryObjectSource } from '../support/memory-object-source.ts';

const BUCKET = 'b';
const EMAIL = 'jane.doe@example.com';

function registry(ruleSets: readonly Record<string, unknown>[]): RuleRegistry {
  const parsed = ruleSets.map((fields) => ruleSetSchema.parse(fields));
  const compiled = compiledRuleSetOf(sampleDetectors());
  return {
    ruleSets: parsed,
    compiled: new Map(
      parsed.map((ruleSet) => [ruleSet.name, { ...compiled, name: ruleSet.name, versionHash: ruleSet.name }]),
    ),
  };
}

function bucketOf(keys: Iterable<string>): Map<string, MemoryObject> {
  return new Map(
    [...keys].map((key) => [
      key,
      { body: Buffer.from(`id,contact\n1,${EMAIL}\n`), contentType: 'text/plain' },
    ]),
  );
}

function dependencies(
  rules: RuleRegistry,
  keys: Iterable<string>,
  rateLimiter: RateLimiter = createMemoryRateLimiter(),
): ServeDependencies & { source: ReturnType<typeof memoryObjectSource>; events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  return {
    source: memoryObjectSource(bucketOf(keys)),
    rules,
    rateLimiter,
    audit: { record: (event) => events.push(event) },
    openRedaction: openRedactionStream,
    events,
  };
}

/** GET's answer for one key: allowed (the body read to the end) or refused with AccessDenied. */
async function isGetAllowed(key: string, caller: Caller, deps: ServeDependencies): Promise<boolean> {
  try {
    const response = await serveObject({ requestId: 'get', caller, bucket: BUCKET, key }, deps);
    for await (const _chunk of response.body);
    return true;
  } catch (error) {
    if (error instanceof AccessDeniedError) return false;
    throw error;
  }
}

function list(
  caller: Caller,
  deps: ServeDependencies,
  fields: Partial<ListRequest> = {},
): Promise<ListObjectsPage> {
  return listObjects({ requestId: 'list', caller, bucket: BUCKET, maxKeys: 1000, ...fields }, deps);
}

/** The rule sets of the issue: a fenced partner rule set on exports/ above an unfenced default. */
const PARTNER_RULES = [
  { name: 'default', priority: 0 },
  {
    name: 'analytics-partner',
    priority: 10,
    scope: { keys: ['exports/'], callers: ['analytics-partner'] },
    geo: { allow: ['DE', 'FR', 'NL'] },
  },
];
const PARTNER_KEYS = ['exports/daily.csv', `exports/${EMAIL}.csv`, 'exports/charts/a.csv', 'logs/app.log'];
const partner = (country?: string): Caller => ({ id: 'analytics-partner', kind: 'gateway-key', country });

describe('listObjects', () => {
  it('hides fenced keys from a caller of unknown country whatever the prefix (exports, e, whole bucket)', async () => {
    const deps = dependencies(registry(PARTNER_RULES), PARTNER_KEYS);

    for (const prefix of ['', 'e', 'exports', undefined]) {
      const page = await list(partner(), deps, { prefix });
      expect(page.objects.map((object) => object.key)).toEqual(
        PARTNER_KEYS.filter((key) => key.startsWith(prefix ?? '') && key.startsWith('logs/')),
      );
      expect(JSON.stringify(page)).not.toContain(EMAIL);
    }
    const rolled = await list(partner(), deps, { delimiter: '/' });
    expect(rolled.commonPrefixes).toEqual(['logs/']);
  });

  it('rejects a listing under a prefix only a fence-refused rule set covers, with the fence as reason', async () => {
    const deps = dependencies(registry(PARTNER_RULES), PARTNER_KEYS);

    for (const prefix of ['exports/', `exports/${EMAIL}`]) {
      await expect(list(partner(), deps, { prefix })).rejects.toThrow(
        /geo fence of rule set "analytics-partner": the caller's location is unknown/,
      );
    }
    expect(deps.events.at(-1)).toMatchObject({ decision: 'deny', status: 403, ruleSet: 'analytics-partner' });
  });

  it('lists the fenced keys, key names as stored, for a caller inside the fence', async () => {
    const deps = dependencies(registry(PARTNER_RULES), PARTNER_KEYS);

    const page = await list(partner('DE'), deps, { prefix: 'exports/' });

    expect(page.objects.map((object) => object.key)).toEqual([
      'exports/charts/a.csv',
      'exports/daily.csv',
      `exports/${EMAIL}.csv`,
    ]);
    expect(page.objects[0]?.etag).toMatch(/^"[0-9a-f]{32}-1"$/);
  });

  it('counts a listing once against each rule set that could show a key, not once per key', async () => {
    const limiter = createMemoryRateLimiter();
    const rules = registry([{ name: 'limited', rateLimit: { requestsPerWindow: 2, windowSeconds: 60 } }]);
    const deps = dependencies(
      rules,
      Array.from({ length: 50 }, (_, i) => `k${i}.log`),
      limiter,
    );
    const caller: Caller = { id: 'reader', kind: 'gateway-key' };

    expect((await list(caller, deps)).objects).toHaveLength(50);
    expect((await list(caller, deps)).objects).toHaveLength(50);
    await expect(list(caller, deps)).rejects.toBeInstanceOf(SlowDownError);
  });

  it('probes a common prefix the rule sets cannot decide, and shows it only if a key under it may be read', async () => {
    // Same priority, overlapping scopes: which one governs a key under "ex" depends on the key.
    const rules = registry([
      { name: 'open', scope: { keys: ['**'] } },
      { name: 'fenced', scope: { keys: ['exports/**'] }, geo: { allow: ['DE'] } },
    ]);
    const deps = dependencies(rules, ['exports/a.log', 'extra/b.log', 'exports-only/c.log']);

    const page = await list(partner(), deps, { delimiter: '/' });

    expect(page.commonPrefixes).toEqual(['exports-only/', 'extra/']);
    expect(deps.source.listings).toContainEqual({ prefix: 'exports/', delimiter: undefined });
  });

  it('hides a common prefix whose first 1,000 keys may not be read, even if a later one may (fails closed)', async () => {
    const rules = registry([
      { name: 'open', scope: { keys: ['**'] } },
      { name: 'fenced', scope: { keys: ['d/a*'] }, geo: { allow: ['DE'] } },
    ]);
    const denied = Array.from({ length: 1000 }, (_, i) => `d/a${String(i).padStart(4, '0')}.log`);
    const deps = dependencies(rules, [...denied, 'd/b.log']);

    expect(await isGetAllowed('d/b.log', partner(), deps)).toBe(true);
    expect((await list(partner(), deps, { delimiter: '/' })).commonPrefixes).toEqual([]);
    const page = await list(partner(), deps, { prefix: 'd/' });
    expect(page.objects.map((object) => object.key)).toEqual(['d/b.log']);
    expect(page.isTruncated).toBe(false);
  });

  it('lists exactly the keys, and rolls up exactly the prefixes, a GET would let the caller read', async () => {
    const segment = fc.constantFrom('exports', 'e', 'ex', 'logs', 'a.b', EMAIL);
    const file = fc.constantFrom('x.log', 'data.csv', `${EMAIL}.log`, 'e.txt');
    const key = fc
      .tuple(fc.array(segment, { maxLength: 2 }), file)
      .map(([dirs, name]) => [...dirs, name].join('/'));
    const ruleSet = (name: string) =>
      fc.record({
        name: fc.constant(name),
        priority: fc.integer({ min: 0, max: 2 }),
        scope: fc.record({
          buckets: fc.constantFrom(['*'], [BUCKET], [BUCKET, 'other'], ['other']),
          keys: fc.subarray(
            ['**', 'exports/', 'e*', 'logs/**/x.log', 'ex*/**', 'exports/*.csv', '*', 'a.b/'],
            {
              minLength: 1,
            },
          ),
          callers: fc.constantFrom(['*'], ['partner'], ['part*'], ['other']),
        }),
        geo: fc.constantFrom(undefined, undefined, { allow: ['DE'] }, { deny: ['US'] }),
        rateLimit: fc.constantFrom(undefined, { requestsPerWindow: 1_000_000, windowSeconds: 60 }),
      });
    const ruleSets = fc
      .integer({ min: 1, max: 4 })
      .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => ruleSet(`rs${i}`))));
    const scenario = fc.uniqueArray(key, { minLength: 1, maxLength: 14 }).chain((keys) =>
      fc.record({
        keys: fc.constant(keys),
        ruleSets,
        country: fc.constantFrom(undefined, 'DE', 'US'),
        prefix: fc.oneof(
          fc.constantFrom('', 'e', 'ex', 'exports', 'exports/', 'logs/', 'a', `e/${EMAIL}`),
          fc.tuple(fc.constantFrom(...keys), fc.nat()).map(([k, cut]) => k.slice(0, cut % (k.length + 1))),
        ),
        delimiter: fc.constantFrom(undefined, '/', '.', 'x'),
      }),
    );

    await fc.assert(
      fc.asyncProperty(scenario, async ({ keys, ruleSets: fields, country, prefix, delimiter }) => {
        const caller: Caller = { id: 'partner', kind: 'gateway-key', country };
        const deps = dependencies(registry(fields.map((f) => withoutUndefined(f))), keys);
        const allowed = new Set<string>();
        for (const k of keys) if (await isGetAllowed(k, caller, deps)) allowed.add(k);

        const expectedKeys: string[] = [];
        const expectedPrefixes = new Set<string>();
        for (const k of [...allowed].filter((k) => k.startsWith(prefix)).sort()) {
          const at = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
          if (at < 0) expectedKeys.push(k);
          else expectedPrefixes.add(k.slice(0, at + (delimiter?.length ?? 0)));
        }

        let page: ListObjectsPage;
        try {
          page = await list(caller, deps, { prefix, delimiter });
        } catch (error) {
          expect(error).toBeInstanceOf(AccessDeniedError);
          expect(expectedKeys).toEqual([]);
          expect([...expectedPrefixes]).toEqual([]);
          return;
        }
        expect(page.objects.map((object) => object.key)).toEqual(expectedKeys);
        expect([...page.commonPrefixes].sort()).toEqual([...expectedPrefixes].sort());
        if (JSON.stringify(page).includes(EMAIL)) {
          expect([...allowed].some((k) => k.includes(EMAIL))).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('listObjects paging', () => {
  /** Shows exactly `visible` (exact key patterns); every other key is hidden, as GET refuses it. */
  const showing = (visible: readonly string[]) =>
    registry([{ name: 'shown', scope: { keys: visible.length > 0 ? [...visible] : ['none-such'] } }]);
  const reader: Caller = { id: 'reader', kind: 'gateway-key' };
  /** Listings of the page itself, not probes of its common prefixes (those list without delimiter). */
  const pageReads = (deps: ReturnType<typeof dependencies>, fields: Partial<ListRequest>) =>
    deps.source.listings.filter(
      (listing) => listing.prefix === fields.prefix && listing.delimiter === fields.delimiter,
    ).length;

  it('pages any mix of hidden and visible keys to exactly the visible entries, in order and once each, with tokens that name only an entry already shown', async () => {
    const key = fc
      .tuple(
        fc.array(fc.constantFrom('a', 'ab', 'b'), { maxLength: 2 }),
        fc.constantFrom('x', 'y.log', 'a', 'b'),
      )
      .map(([dirs, file]) => [...dirs, file].join('/'));
    const scenario = fc.uniqueArray(key, { minLength: 1, maxLength: 40 }).chain((keys) =>
      fc.record({
        keys: fc.constant(keys),
        isHidden: fc.array(fc.boolean(), { minLength: keys.length, maxLength: keys.length }),
        maxKeys: fc.integer({ min: 1, max: 5 }),
        delimiter: fc.constantFrom(undefined, '/'),
        prefix: fc.constantFrom(undefined, 'a', 'a/', 'b/'),
        startAfter: fc.option(fc.constantFrom('a/', 'a/b', 'ab', ...keys), { nil: undefined }),
        operation: fc.constantFrom('ListObjects' as const, 'ListObjectsV2' as const),
      }),
    );

    await fc.assert(
      fc.asyncProperty(scenario, async ({ keys, isHidden, startAfter, ...fields }) => {
        const visible = keys.filter((_, at) => !isHidden[at]);
        const hidden = new Set(keys.filter((_, at) => isHidden[at]));
        const deps = dependencies(showing(visible), keys);
        const prefix = fields.prefix ?? '';
        const expected: string[] = [];
        for (const k of visible.filter((k) => k.startsWith(prefix)).sort()) {
          const at = fields.delimiter ? k.indexOf(fields.delimiter, prefix.length) : -1;
          const entry = at < 0 ? k : k.slice(0, at + 1);
          if ((startAfter === undefined || entry > startAfter) && expected.at(-1) !== entry)
            expected.push(entry);
        }

        const listed: string[] = [];
        let position: Partial<ListRequest> = { startAfter };
        for (let request = 0; ; request++) {
          expect(request, 'paging ends').toBeLessThan(100);
          const before = pageReads(deps, fields);
          let page: ListObjectsPage;
          try {
            page = await list(reader, deps, { ...fields, ...position });
          } catch (error) {
            // Under a prefix no rule set covers, the listing is refused, as GET would be.
            expect(error).toBeInstanceOf(AccessDeniedError);
            expect(expected).toEqual([]);
            return;
          }
          expect(
            pageReads(deps, fields) - before,
            'the asked page and one read on of 1,000',
          ).toBeLessThanOrEqual(2);
          const entries = [...page.objects.map((object) => object.key), ...page.commonPrefixes].sort();
          listed.push(...entries);
          if (!page.isTruncated) break;
          const last = entries.at(-1);
          expect(last, 'a truncated page shows an entry').toBeDefined();
          if (fields.operation === 'ListObjects') {
            position = { startAfter: last };
            continue;
          }
          const token = page.nextContinuationToken ?? '';
          expect(hidden.has(token)).toBe(false);
          expect(hidden.has(Buffer.from(token, 'base64url').toString())).toBe(false);
          expect(decodeListToken(token)).toBe(last);
          // SDK paginators send the first request's StartAfter again with every token.
          position = { startAfter, continuationToken: token };
        }
        expect(listed).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('reads on past 15,000 hidden keys whatever max-keys, and refuses with NotImplemented past 16 source pages, naming no hidden key', async () => {
    const hidden = (count: number) =>
      Array.from({ length: count }, (_, i) => `h${String(i).padStart(5, '0')}`);
    for (const operation of ['ListObjects', 'ListObjectsV2'] as const) {
      const found = dependencies(showing(['w-shown']), [...hidden(15_000), 'w-shown']);
      const page = await list(reader, found, { operation, maxKeys: 1 });
      expect(page.objects.map((object) => object.key)).toEqual(['w-shown']);
      expect(pageReads(found, {})).toBe(16);

      const lost = dependencies(showing(['w-shown']), [...hidden(15_001), 'w-shown']);
      const refused = await list(reader, lost, { operation, maxKeys: 1 }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(NotImplementedError);
      expect(String(refused)).not.toMatch(/h\d{5}/);
      expect(pageReads(lost, {})).toBe(16);
      expect(lost.events.at(-1)).toMatchObject({ operation, status: 501 });
    }
  });

  it('starts after the entry a continuation token names, not after a start-after sent with it, as S3 does', async () => {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
    const deps = dependencies(showing(keys), keys);

    const page = await list(reader, deps, { startAfter: 'k4', continuationToken: encodeListToken('k1') });

    expect(page.objects.map((object) => object.key)).toEqual(['k2', 'k3', 'k4', 'k5', 'k6']);
  });

  it('rejects a continuation token the core did not issue with InvalidArgument, before reading the source', async () => {
    const issued = fc.string({ unit: 'binary', minLength: 1 }).map(encodeListToken);
    const altered = fc.oneof(
      fc.string({ minLength: 1 }).filter((text) => !/^[A-Za-z0-9_-]+$/.test(text)),
      issued.map((token) => `${token}=`),
      // One base64 character past a whole number of bytes: no issued token ends so.
      issued.filter((token) => token.length % 4 === 0).map((token) => `${token}A`),
      fc
        .constantFrom(Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80]))
        .map((bytes) => bytes.toString('base64url')),
    );
    const deps = dependencies(showing(['k']), ['k']);

    await fc.assert(
      fc.asyncProperty(altered, async (token) => {
        const reads = deps.source.listings.length;
        await expect(list(reader, deps, { continuationToken: token })).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
        expect(deps.source.listings.length).toBe(reads);
        expect(deps.events.at(-1)).toMatchObject({ decision: 'deny', status: 400 });
      }),
    );
    await fc.assert(
      fc.property(issued, (token) => {
        expect(encodeListToken(decodeListToken(token))).toBe(token);
      }),
    );
  });

  it("hands on the store's own token, and reads it once, from Object Lambda's presigned inputS3Url (a fixed listing S3 pages itself)", async () => {
    let document = '';
    let reads = 0;
    const s3 = createServer((_request, response) => {
      reads++;
      response.writeHead(200, { 'content-type': 'application/xml' }).end(document);
    });
    await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve));
    const answer = (keys: string[], token: string) => {
      const contents = keys.map((key) => `<Contents><Key>${key}</Key><ETag>"e"</ETag></Contents>`).join('');
      document = `<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>${token}</NextContinuationToken>${contents}</ListBucketResult>`;
    };
    try {
      const source = createPresignedUrlSource({
        inputS3Url: `http://127.0.0.1:${(s3.address() as AddressInfo).port}/b?list-type=2&max-keys=2`,
        userHeaders: {},
      });
      const deps = { ...dependencies(showing(['b-shown']), []), source };

      answer(['a-hidden', 'b-shown'], 's3+opaque/token==');
      // S3 reads the caller's token back itself; the core neither decodes nor refuses it.
      const shown = await list(reader, deps, { maxKeys: 2, continuationToken: 'earlier+s3/token==' });
      expect(shown).toMatchObject({ isTruncated: true, nextContinuationToken: 's3+opaque/token==' });
      expect(shown.objects.map((listed) => listed.key)).toEqual(['b-shown']);

      answer(['a-hidden'], 'next');
      expect(await list(reader, deps, { maxKeys: 2 })).toMatchObject({
        objects: [],
        nextContinuationToken: 'next',
      });
      // Reading on would answer the same page again: a v1 page that shows nothing is refused at once.
      await expect(list(reader, deps, { maxKeys: 2, operation: 'ListObjects' })).rejects.toBeInstanceOf(
        NotImplementedError,
      );
      expect(reads).toBe(3);
    } finally {
      await new Promise((resolve) => s3.close(resolve));
    }
  });
});

function withoutUndefined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
