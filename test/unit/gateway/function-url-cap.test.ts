import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CapEvent,
  capForFunctionUrl,
  FUNCTION_URL_MAX_BODY_BYTES,
} from '../../../functions/gateway/function-url-cap.ts';
import { FunctionUrlCapError } from '../../../functions/gateway/function-url-cap-error.ts';
import type { GatewayResponse } from '../../../functions/gateway/gateway.ts';

/**
 * A body of these chunks that records whether it was released before its end, as the core's bodies
 * do: `return()` ends the request whether or not reading began.
 */
function trackedBody(chunks: readonly Uint8Array[]): {
  body: AsyncIterable<Uint8Array>;
  trace: { isReleased: boolean };
} {
  const trace = { isReleased: false };
  let index = 0;
  const iterator: AsyncIterator<Uint8Array> = {
    async next() {
      const chunk = chunks[index++];
      return chunk === undefined ? { done: true, value: undefined } : { done: false, value: chunk };
    },
    async return() {
      trace.isReleased = index <= chunks.length;
      return { done: true, value: undefined };
    },
  };
  return { body: { [Symbol.asyncIterator]: () => iterator }, trace };
}

function response(body: GatewayResponse['body'], headers: Record<string, string> = {}): GatewayResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/csv', 'x-amz-request-id': 'ABCDEF0123456789', ...headers },
    body,
  };
}

async function readAll(body: GatewayResponse['body']): Promise<{ bytes: Buffer; error?: unknown }> {
  if (body instanceof Uint8Array) return { bytes: Buffer.from(body) };
  const parts: Uint8Array[] = [];
  try {
    for await (const chunk of body) parts.push(chunk);
    return { bytes: Buffer.concat(parts) };
  } catch (error) {
    return { bytes: Buffer.concat(parts), error };
  }
}

describe('capForFunctionUrl', () => {
  it('stays under the 200 MB Lambda streams, with room for the HTTP prelude', () => {
    expect(FUNCTION_URL_MAX_BODY_BYTES).toBeLessThan(200_000_000);
    expect(FUNCTION_URL_MAX_BODY_BYTES).toBeGreaterThan(199_000_000);
  });

  it('refuses a body whose known length passes the cap with 501 naming the container endpoint, and releases it unread', async () => {
    const events: CapEvent[] = [];
    const { body, trace } = trackedBody([Buffer.from('x'.repeat(10))]);
    const capped = await capForFunctionUrl(response(body, { 'content-length': '201' }), {
      resource: '/exports/big.csv',
      report: (event) => events.push(event),
      maxBodyBytes: 200,
    });
    expect(capped.status).toBe(501);
    const xml = (await readAll(capped.body)).bytes.toString();
    expect(xml).toContain('<Code>NotImplemented</Code>');
    expect(xml).toContain('container (ECS Fargate) endpoint');
    expect(xml).toContain('<Resource>/exports/big.csv</Resource>');
    expect(capped.headers['x-amz-request-id']).toBe('ABCDEF0123456789');
    expect(capped.headers['content-length']).toBeUndefined();
    expect(trace.isReleased).toBe(true);
    expect(events).toEqual([
      { requestId: 'ABCDEF0123456789', reason: 'refused-known-size', bodyBytes: 201, maxBodyBytes: 200 },
    ]);
  });

  it('passes a body of known length up to the cap, and in-memory bodies, untouched', async () => {
    const events: CapEvent[] = [];
    const report = (event: CapEvent) => events.push(event);
    const { body } = trackedBody([Buffer.from('y'.repeat(200))]);
    const atCap = await capForFunctionUrl(response(body, { 'content-length': '200' }), {
      resource: '/',
      report,
      maxBodyBytes: 200,
    });
    expect(atCap.status).toBe(200);
    expect((await readAll(atCap.body)).bytes.byteLength).toBe(200);
    const error = response(Buffer.from('<Error/>'));
    expect(await capForFunctionUrl(error, { resource: '/', report, maxBodyBytes: 1 })).toBe(error);
    expect(events).toEqual([]);
  });

  it('streams a body of unknown length whole under the cap, and past it aborts after at most the cap, never ending normally', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 64 }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 400 }),
        async (sizes, maxBodyBytes) => {
          const chunks = sizes.map((size, index) => Buffer.alloc(size, 97 + (index % 26)));
          const total = sizes.reduce((sum, size) => sum + size, 0);
          const events: CapEvent[] = [];
          const { body, trace } = trackedBody(chunks);
          const capped = await capForFunctionUrl(response(body), {
            resource: '/',
            report: (event) => events.push(event),
            maxBodyBytes,
          });
          const { bytes, error } = await readAll(capped.body);
          const whole = Buffer.concat(chunks);
          if (total <= maxBodyBytes) {
            expect(error).toBeUndefined();
            expect(bytes.equals(whole)).toBe(true);
            expect(events).toEqual([]);
          } else {
            expect(error).toBeInstanceOf(FunctionUrlCapError);
            expect(bytes.byteLength).toBeLessThanOrEqual(maxBodyBytes);
            expect(bytes.equals(whole.subarray(0, bytes.byteLength))).toBe(true);
            expect(trace.isReleased).toBe(true);
            expect(events).toHaveLength(1);
            expect(events[0]).toMatchObject({
              reason: 'aborted-at-cap',
              requestId: 'ABCDEF0123456789',
              maxBodyBytes,
            });
          }
        },
      ),
    );
  });
});
