import { describe, expect, it } from 'vitest';
import { trustedViewer } from '../../../functions/object-lambda/trusted-viewer.ts';

const SECRET = { header: 'x-origin-verify', value: 'a-long-origin-secret-value' };

describe('trustedViewer', () => {
  it('reads the CloudFront viewer headers when the origin secret is present, in any header case', () => {
    const viewer = trustedViewer(
      {
        'X-Origin-Verify': SECRET.value,
        'CloudFront-Viewer-Address': '192.0.2.10:46532',
        'CloudFront-Viewer-Country': 'us',
      },
      SECRET,
    );

    expect(viewer).toEqual({ ip: '192.0.2.10', country: 'US' });
  });

  it('knows no location without a configured origin secret', () => {
    const viewer = trustedViewer(
      { 'CloudFront-Viewer-Address': '192.0.2.10:46532', 'CloudFront-Viewer-Country': 'US' },
      undefined,
    );

    expect(viewer).toEqual({});
  });

  it('rejects the viewer headers when the origin secret is wrong', () => {
    const viewer = trustedViewer(
      { 'x-origin-verify': 'a-long-origin-secret-valuX', 'CloudFront-Viewer-Country': 'US' },
      SECRET,
    );

    expect(viewer.country).toBeUndefined();
    expect(viewer.ip).toBeUndefined();
  });

  it('ignores X-Forwarded-For even with the origin secret', () => {
    const viewer = trustedViewer(
      { 'x-origin-verify': SECRET.value, 'X-Forwarded-For': '192.0.2.10' },
      SECRET,
    );

    expect(viewer.ip).toBeUndefined();
  });
});
