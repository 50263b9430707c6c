import { describe, expect, it } from 'vitest';
import { errorXml, escapeXml, listBucketResultXml, urlEncode } from '../../../functions/gateway/s3-xml.ts';

describe('errorXml', () => {
  it('writes the S3 error document with every field escaped', () => {
    expect(
      errorXml({ code: 'NoSuchKey', message: 'The specified key does not exist.' }, '/b/a&b<c>.csv', 'REQ1'),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Resource>/b/a&amp;b&lt;c&gt;.csv</Resource><RequestId>REQ1</RequestId></Error>',
    );
  });
});

describe('listBucketResultXml', () => {
  const page = {
    objects: [{ key: 'a b+c.csv', lastModified: new Date('2024-03-01T09:30:00Z'), etag: '"e1"' }],
    commonPrefixes: ['logs/'],
    isTruncated: true,
    nextContinuationToken: 'next',
  };

  it('writes a ListObjectsV2 result without Size, with the page and request echoed', () => {
    const xml = listBucketResultXml(
      {
        name: 'ListObjectsV2',
        bucket: 'example',
        isUrlEncoded: false,
        list: { bucket: 'example', prefix: 'p', delimiter: '/', maxKeys: 2, continuationToken: 'tok' },
      },
      page,
    );
    expect(xml).toContain('<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
    expect(xml).toContain(
      '<Name>example</Name><Prefix>p</Prefix><Delimiter>/</Delimiter><MaxKeys>2</MaxKeys>',
    );
    expect(xml).toContain('<KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>');
    expect(xml).toContain(
      '<ContinuationToken>tok</ContinuationToken><NextContinuationToken>next</NextContinuationToken>',
    );
    expect(xml).toContain(
      '<Contents><Key>a b+c.csv</Key><LastModified>2024-03-01T09:30:00.000Z</LastModified><ETag>&quot;e1&quot;</ETag><StorageClass>STANDARD</StorageClass></Contents>',
    );
    expect(xml).toContain('<CommonPrefixes><Prefix>logs/</Prefix></CommonPrefixes>');
    expect(xml).not.toContain('<Size>');
    expect(xml).not.toContain('EncodingType');
  });

  it('url-encodes keys, prefixes, delimiter and start-after when asked', () => {
    const xml = listBucketResultXml(
      {
        name: 'ListObjectsV2',
        bucket: 'example',
        isUrlEncoded: true,
        list: { bucket: 'example', prefix: 'a b', delimiter: '/', startAfter: 'a b/0', maxKeys: 1000 },
      },
      { ...page, isTruncated: false },
    );
    expect(xml).toContain('<Prefix>a+b</Prefix><Delimiter>%2F</Delimiter>');
    expect(xml).toContain('<EncodingType>url</EncodingType>');
    expect(xml).toContain('<StartAfter>a+b%2F0</StartAfter>');
    expect(xml).toContain('<Key>a+b%2Bc.csv</Key>');
    expect(xml).toContain('<CommonPrefixes><Prefix>logs%2F</Prefix></CommonPrefixes>');
    expect(xml).not.toContain('NextContinuationToken');
  });
});

describe('escapeXml', () => {
  it('escapes markup and writes control characters as character references', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0001\t`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;&#x1;\t',
    );
  });
});

describe('urlEncode', () => {
  it('encodes as S3 does, a space as +', () => {
    expect(urlEncode('a b+c/é')).toBe('a+b%2Bc%2F%C3%A9');
  });
});
