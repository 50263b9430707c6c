import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../../../functions/adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import type { Caller } from '../../../functions/core/caller.ts';
import { AccessDeniedError, InvalidRangeError, NoSuchKeyError } from '../../../functions/core/errors.ts';
import type { AuditEvent } from '../../../functions/core/ports/audit-log.ts';
import type { ObjectSource } from '../../../functions/core/ports/object-source.ts';
import type { RateLimiter } from '../../../functions/core/ports/rate-limiter.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import type { RuleRegistry } from '../../../functions/core/rule-registry.ts';
import { serveObject } from '../../../functions/core/serve-object.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';

const OBJECT = 'ssn 123-45-6789 and more text\n';
const caller: Caller = { id: 'partner', kind: 'gateway-key', ip: '192.0.2.1' };

function memorySource(objects: Record<string, string>): ObjectSource {
  return {
    async getObject(location) {
      const text = objects[location.key];
      if (text === undefined) throw new NoSuchKeyError();
      return {
        contentType: 'text/plain',
        etag: '"abc"',
        body: (async function* () {
          yield Buffer.from(text);
        })(),
      };
    },
    async headObject() {
      throw new Error('not used');
    },
    async listObjects() {
      throw new Error('not used');
    },
  };
}

function setup(
  ruleSetFields: Record<string, unknown> = {},
  rateLimiter: RateLimiter = createMemoryRateLimiter(),
) {
  const ruleSet = ruleSetSchema.parse({ name: 'test', ...ruleSetFields });
  const rules: RuleRegistry = {
    ruleSets: [ruleSet],
    compiled: new Map([['test', compiledRuleSetOf(sampleDetectors())]]),
  };
  const events: AuditEvent[] = [];
  const deps = {
    source: memorySource({ 'a.log': OBJECT }),
    rules,
    rateLimiter,
    audit: { record: (event: AuditEvent) => events.push(event) },
    openRedaction: openRedactionStream,
  };
  return { deps, events };
}

async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('serveObject', () => {
  it('streams the redacted object and audits counts, never the value', async () => {
    const { deps, events } = setup();
    const response = await serveObject({ requestId: 'r1', caller, bucket: 'b', key: 'a.log' }, deps);
    expect(await text(response.body)).toBe('ssn [US_SSN] and more text\n');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ decision: 'allow', status: 200, counts: { 'us-ssn': 1 } });
    expect(JSON.stringify(events)).not.toContain('123-45-6789');
  });

  it('answers a range of the redacted bytes and audits it as 206', async () => {
    const { deps, events } = setup();
    const response = await serveObject(
      { requestId: 'r2', caller, bucket: 'b', key: 'a.log', range: 'bytes=4-11' },
      deps,
    );
    expect(response.status).toBe(206);
    expect(await text(response.body)).toBe('[US_SSN]');
    expect(response.contentRange).toBe('bytes 4-11/27');
    expect(events.map((event) => [event.status, event.decision])).toEqual([[206, 'allow']]);
  });

  it('audits a range beyond the redacted end as 416, not as served', async () => {
    const { deps, events } = setup();
    await expect(
      serveObject({ requestId: 'r3', caller, bucket: 'b', key: 'a.log', range: 'bytes=27-' }, deps),
    ).rejects.toBeInstanceOf(InvalidRangeError);
    expect(events.map((event) => [event.status, event.decision])).toEqual([[416, 'deny']]);
  });

  it('counts the bytes actually sent against the daily byte budget', async () => {
    const limiter = createMemoryRateLimiter();
    const { deps } = setup({ rateLimit: { requestsPerWindow: 100, bytesPerDay: 10 } }, limiter);
    const range = await serveObject(
      { requestId: 'r4', caller, bucket: 'b', key: 'a.log', range: 'bytes=0-3' },
      deps,
    );
    await text(range.body);
    expect(await limiter.remaining('bytes:test:partner', { points: 10, windowSeconds: 86_400 })).toBe(6);
  });

  it('denies a geo-fenced rule set when the caller has no known country', async () => {
    const { deps, events } = setup({ geo: { allow: ['US'] } });
    await expect(
      serveObject(
        { requestId: 'r5', caller: { id: 'partner', kind: 'iam' }, bucket: 'b', key: 'a.log' },
        deps,
      ),
    ).rejects.toBeInstanceOf(AccessDeniedError);
    expect(events[0]).toMatchObject({ decision: 'deny', status: 403 });
  });
});
