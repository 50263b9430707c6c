import { describe, expect, it } from 'vitest';
import { trustedClient, viewerHeaders } from '../../../functions/gateway/trusted-client-ip.ts';

const secret = { header: 'x-origin-verify', value: 'a-long-origin-secret-value' };

describe('trustedClient', () => {
  it('takes the peer address and strips the IPv4-mapped prefix', () => {
    expect(trustedClient({ peerIp: '::ffff:192.0.2.7', headers: {} })).toEqual({ ip: '192.0.2.7' });
    expect(trustedClient({ peerIp: '2001:db8::1', headers: {} })).toEqual({ ip: '2001:db8::1' });
  });

  it('ignores X-Forwarded-For and the CloudFront headers without the origin secret', () => {
    const headers = {
      'x-forwarded-for': '198.51.100.1',
      'cloudfront-viewer-address': '198.51.100.2:443',
      'cloudfront-viewer-country': 'DE',
    };
    expect(trustedClient({ peerIp: '192.0.2.7', headers })).toEqual({ ip: '192.0.2.7' });
    expect(trustedClient({ peerIp: '192.0.2.7', headers }, secret)).toEqual({ ip: '192.0.2.7' });
    expect(
      trustedClient(
        { peerIp: '192.0.2.7', headers: { ...headers, 'x-origin-verify': 'a-long-origin-secret-valuX' } },
        secret,
      ),
    ).toEqual({ ip: '192.0.2.7' });
  });

  it('trusts the CloudFront viewer address and country when the origin secret matches', () => {
    const headers = {
      'x-origin-verify': secret.value,
      'cloudfront-viewer-address': '198.51.100.10:46532',
      'cloudfront-viewer-country': 'DE',
    };
    expect(trustedClient({ peerIp: '192.0.2.7', headers }, secret)).toEqual({
      ip: '198.51.100.10',
      country: 'DE',
    });
    expect(
      trustedClient(
        {
          peerIp: '192.0.2.7',
          headers: { ...headers, 'cloudfront-viewer-address': '2001:db8:85a3::8a2e:370:7334:443' },
        },
        secret,
      ),
    ).toEqual({ ip: '2001:db8:85a3::8a2e:370:7334', country: 'DE' });
  });

  it('rejects malformed viewer values, falling back to the peer address', () => {
    const headers = {
      'x-origin-verify': secret.value,
      'cloudfront-viewer-address': 'not-an-ip',
      'cloudfront-viewer-country': 'Germany',
    };
    expect(trustedClient({ peerIp: '192.0.2.7', headers }, secret)).toEqual({
      ip: '192.0.2.7',
      country: undefined,
    });
    expect(trustedClient({ peerIp: 'garbage', headers: {} })).toEqual({ ip: undefined });
  });
});

describe('viewerHeaders', () => {
  const functionUrlHost = 'abcdefghij.lambda-url.eu-west-1.on.aws';

  it('takes the host from x-maskpoint-viewer-host when the origin secret matches, dropping the header', () => {
    const headers = {
      host: functionUrlHost,
      'x-maskpoint-viewer-host': 'd111.cloudfront.net',
      'x-origin-verify': secret.value,
      'x-amz-date': '20260601T000000Z',
    };

    expect(viewerHeaders(headers, secret)).toEqual({
      host: 'd111.cloudfront.net',
      'x-origin-verify': secret.value,
      'x-amz-date': '20260601T000000Z',
    });
  });

  it('ignores and drops a spoofed x-maskpoint-viewer-host without the origin secret', () => {
    const spoofed = { host: functionUrlHost, 'x-maskpoint-viewer-host': 'reports.d111.cloudfront.net' };
    const expected = { host: functionUrlHost };

    expect(viewerHeaders(spoofed)).toEqual(expected);
    expect(viewerHeaders(spoofed, secret)).toEqual(expected);
    expect(viewerHeaders({ ...spoofed, 'x-origin-verify': 'a-long-origin-secret-valuX' }, secret)).toEqual({
      ...expected,
      'x-origin-verify': 'a-long-origin-secret-valuX',
    });
  });

  it('keeps the received host when the trusted viewer host is not a host name', () => {
    const headers = {
      host: functionUrlHost,
      'x-maskpoint-viewer-host': 'd111.cloudfront.net/../evil',
      'x-origin-verify': secret.value,
    };

    expect(viewerHeaders(headers, secret)).toEqual({
      host: functionUrlHost,
      'x-origin-verify': secret.value,
    });
  });

  it('leaves requests without the header untouched', () => {
    const headers = { host: 'localhost:9000', 'x-origin-verify': secret.value };

    expect(viewerHeaders(headers, secret)).toBe(headers);
  });
});
