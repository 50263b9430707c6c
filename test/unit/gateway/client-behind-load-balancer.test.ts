import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientBehindLoadBalancer } from '../../../functions/gateway/trusted-client-ip.ts';

/** What a client may put in X-Forwarded-For itself: anything without a comma, including lies. */
const claim = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.string({ maxLength: 20 }).filter((text) => !text.includes(',')),
);

describe('clientBehindLoadBalancer', () => {
  it('takes the last X-Forwarded-For entry, the one the load balancer added, whatever the client claimed before it', () => {
    fc.assert(
      fc.property(fc.array(claim, { maxLength: 4 }), fc.oneof(fc.ipV4(), fc.ipV6()), (claims, peer) => {
        const header = [...claims, peer].join(', ');
        const unmapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(peer)?.[1] ?? peer;
        expect(clientBehindLoadBalancer({ 'x-forwarded-for': header })).toEqual({ ip: unmapped });
      }),
    );
  });

  it('drops the client port the load balancer may add, and the IPv4-mapped prefix', () => {
    expect(clientBehindLoadBalancer({ 'x-forwarded-for': '10.0.0.1, 198.51.100.7:46532' })).toEqual({
      ip: '198.51.100.7',
    });
    expect(clientBehindLoadBalancer({ 'x-forwarded-for': '[2001:db8::1]:46532' })).toEqual({
      ip: '2001:db8::1',
    });
    expect(clientBehindLoadBalancer({ 'x-forwarded-for': '::ffff:192.0.2.7' })).toEqual({ ip: '192.0.2.7' });
  });

  it('gives no IP without the header or when its last entry is no address, never an earlier claim', () => {
    expect(clientBehindLoadBalancer({})).toEqual({});
    fc.assert(
      fc.property(
        fc.array(fc.ipV4(), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('', 'unknown', 'not-an-ip', '999.1.1.1', 'example.com'),
        (claims, last) => {
          expect(clientBehindLoadBalancer({ 'x-forwarded-for': [...claims, last].join(', ') })).toEqual({
            ip: undefined,
          });
        },
      ),
    );
  });

  it('ignores the CloudFront viewer headers: only the load balancer speaks for the client', () => {
    expect(
      clientBehindLoadBalancer({
        'x-forwarded-for': '198.51.100.7',
        'cloudfront-viewer-address': '203.0.113.1:443',
        'cloudfront-viewer-country': 'DE',
      }),
    ).toEqual({ ip: '198.51.100.7' });
  });
});
