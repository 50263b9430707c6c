import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { ListObjectsPage } from '../../../functions/core/ports/object-source.ts';
import type { ListOperation } from '../../../functions/gateway/s3-request.ts';
import {
  errorXml,
  escapeXml,
  listAllMyBucketsResultXml,
  listBucketResultXml,
  locationConstraintXml,
  urlEncode,
} from '../../../functions/gateway/s3-xml.ts';

const parseXml = (xml: string) =>
  new XMLParser({
    parseTagValue: false,
    trimValues: false,
    isArray: (name) => ['Contents', 'CommonPrefixes', 'Bucket'].includes(name),
  }).parse(xml);

function v1(list: Partial<ListOperation['list']>, isUrlEncoded = false): ListOperation {
  return {
    name: 'ListObjects',
    bucket: 'example',
    isUrlEncoded,
    list: { bucket: 'example', maxKeys: 1000, ...list },
  };
}

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

describe('listBucketResultXml for ListObjects (v1)', () => {
  const page: ListObjectsPage = {
    objects: [{ key: 'a.csv', etag: '"e1"' }],
    commonPrefixes: ['logs/'],
    isTruncated: true,
    nextContinuationToken: 'opaque-source-token',
  };

  it('echoes the marker and names the last entry as NextMarker when a delimiter was given', () => {
    const result = parseXml(
      listBucketResultXml(v1({ delimiter: '/', startAfter: '0', maxKeys: 2 }), page),
    ).ListBucketResult;

    expect(result).toMatchObject({
      Name: 'example',
      Prefix: '',
      Delimiter: '/',
      MaxKeys: '2',
      IsTruncated: 'true',
      Marker: '0',
      NextMarker: 'logs/',
    });
    expect(result.KeyCount).toBeUndefined();
    expect(result.NextContinuationToken).toBeUndefined();
  });

  it('leaves NextMarker out without a delimiter (clients page on from the last Key), or when not truncated', () => {
    const undelimited = parseXml(
      listBucketResultXml(v1({}), { ...page, commonPrefixes: [] }),
    ).ListBucketResult;
    expect(undelimited).toMatchObject({ Marker: '', IsTruncated: 'true' });
    expect(undelimited.NextMarker).toBeUndefined();
    const complete = parseXml(
      listBucketResultXml(v1({ delimiter: '/' }), { ...page, isTruncated: false }),
    ).ListBucketResult;
    expect(complete.NextMarker).toBeUndefined();
  });

  it("names as NextMarker the later of the last key and the last prefix in S3's UTF-8 order, not UTF-16's", () => {
    // U+FF61 sorts after U+1F600 in UTF-16 code units (0xFF61 > 0xD83D) but before it in UTF-8 bytes.
    const xml = listBucketResultXml(v1({ delimiter: '/' }), {
      objects: [{ key: '\uff61' }],
      commonPrefixes: ['\u{1f600}/'],
      isTruncated: true,
    });
    expect(parseXml(xml).ListBucketResult.NextMarker).toBe('\u{1f600}/');
  });

  it('writes Size only for objects whose served length the page knows', () => {
    const xml = listBucketResultXml(v1({}), {
      objects: [{ key: 'sized.csv', size: 1234 }, { key: 'unsized.csv' }],
      commonPrefixes: [],
      isTruncated: false,
    });
    const contents = parseXml(xml).ListBucketResult.Contents;
    expect(contents[0].Size).toBe('1234');
    expect(contents[1].Size).toBeUndefined();
  });
});

describe('listBucketResultXml with encoding-type=url', () => {
  it('encodes every name S3 encodes, so that each decodes back to the string given (v1 and v2)', () => {
    const decode = (value: string) => decodeURIComponent(value.replaceAll('+', ' '));
    const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.record({
          prefix: name,
          delimiter: name,
          startAfter: name,
          keys: fc.uniqueArray(name, { minLength: 1, maxLength: 4 }),
          commonPrefix: name,
          isV2: fc.boolean(),
        }),
        ({ prefix, delimiter, startAfter, keys, commonPrefix, isV2 }) => {
          const list = { bucket: 'example', prefix, delimiter, startAfter, maxKeys: 1000 };
          const operation: ListOperation = {
            name: isV2 ? 'ListObjectsV2' : 'ListObjects',
            bucket: 'example',
            isUrlEncoded: true,
            list,
          };
          const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
          const page = {
            objects: sorted.map((key) => ({ key })),
            commonPrefixes: [commonPrefix],
            isTruncated: true,
          };
          const xml = listBucketResultXml(operation, page);
          expect(xml).toMatch(/^[\x20-\x7e\n]*$/);
          const result = parseXml(xml).ListBucketResult;
          expect(result.EncodingType).toBe('url');
          expect(decode(result.Prefix)).toBe(prefix);
          expect(decode(result.Delimiter)).toBe(delimiter);
          expect(result.Contents.map((object: { Key: string }) => decode(object.Key))).toEqual(sorted);
          expect(decode(result.CommonPrefixes[0].Prefix)).toBe(commonPrefix);
          if (isV2) {
            expect(decode(result.StartAfter)).toBe(startAfter);
          } else {
            expect(decode(result.Marker)).toBe(startAfter);
            const last = [sorted.at(-1) ?? '', commonPrefix].sort((a, b) =>
              Buffer.compare(Buffer.from(a), Buffer.from(b)),
            )[1];
            expect(decode(result.NextMarker)).toBe(last);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('locationConstraintXml', () => {
  it('writes an empty constraint for us-east-1 and the region name elsewhere', () => {
    expect(locationConstraintXml('us-east-1')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>',
    );
    expect(parseXml(locationConstraintXml('eu-central-1')).LocationConstraint).toBe('eu-central-1');
  });
});

describe('listAllMyBucketsResultXml', () => {
  it('lists the buckets with their dates and region, the owner, and where the next page starts', () => {
    const result = parseXml(
      listAllMyBucketsResultXml({
        buckets: [
          { name: 'a-bucket', creationDate: new Date('2026-01-02T03:04:05Z') },
          { name: 'b-bucket', creationDate: new Date('2026-01-02T03:04:05Z') },
        ],
        region: 'us-east-1',
        owner: 'partner-a',
        prefix: 'a&',
        continuationToken: 'b-bucket',
      }),
    ).ListAllMyBucketsResult;

    expect(result.Buckets.Bucket).toEqual([
      { Name: 'a-bucket', CreationDate: '2026-01-02T03:04:05.000Z', BucketRegion: 'us-east-1' },
      { Name: 'b-bucket', CreationDate: '2026-01-02T03:04:05.000Z', BucketRegion: 'us-east-1' },
    ]);
    expect(result.Owner).toEqual({ ID: 'partner-a' });
    expect(result.ContinuationToken).toBe('b-bucket');
    expect(result.Prefix).toBe('a&');
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
