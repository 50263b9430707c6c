import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../functions/core/errors.ts';
import type { ListObjectsPage } from '../../../functions/core/ports/object-source.ts';
import { listQueryOf, listResultXml } from '../../../functions/object-lambda/list-result.ts';

const PAGE: ListObjectsPage = {
  objects: [{ key: 'a b&c.csv', lastModified: new Date('2026-01-02T03:04:05Z'), etag: '"e"' }],
  commonPrefixes: ['dir/'],
  isTruncated: true,
  nextContinuationToken: 'next',
};

const parse = (xml: string) =>
  new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Contents' }).parse(xml).ListBucketResult;

describe('listQueryOf', () => {
  it('reads the v2 query from the presigned URL', () => {
    const url = new URL(
      'https://ap.example/?list-type=2&prefix=logs%2F&delimiter=%2F&max-keys=5000&continuation-token=t&start-after=a&X-Amz-Signature=s',
    );

    expect(listQueryOf(url, 2)).toEqual({
      version: 2,
      prefix: 'logs/',
      delimiter: '/',
      maxKeys: 1000,
      isUrlEncoded: false,
      continuationToken: 't',
      startAfter: 'a',
    });
  });

  it('reads the v1 marker as the key to list after', () => {
    expect(listQueryOf(new URL('https://ap.example/?marker=k&max-keys=2'), 1)).toMatchObject({
      version: 1,
      maxKeys: 2,
      startAfter: 'k',
      continuationToken: undefined,
    });
  });

  it('rejects a max-keys that is not a non-negative integer', () => {
    expect(() => listQueryOf(new URL('https://ap.example/?max-keys=ten'), 2)).toThrow(InvalidArgumentError);
  });

  it('rejects an encoding type other than url', () => {
    expect(() => listQueryOf(new URL('https://ap.example/?encoding-type=base64'), 2)).toThrow(
      /encoding-type/,
    );
  });
});

describe('listResultXml', () => {
  it('writes a v2 ListBucketResult without sizes, escaping keys', () => {
    const query = listQueryOf(new URL('https://ap.example/?list-type=2&continuation-token=t'), 2);

    const xml = listResultXml('bucket', query, PAGE);

    expect(xml).toContain('<Key>a b&amp;c.csv</Key>');
    expect(xml).not.toContain('<Size>');
    expect(parse(xml)).toMatchObject({
      Name: 'bucket',
      KeyCount: '2',
      MaxKeys: '1000',
      IsTruncated: 'true',
      ContinuationToken: 't',
      NextContinuationToken: 'next',
      Contents: [{ Key: 'a b&c.csv', LastModified: '2026-01-02T03:04:05.000Z', ETag: '"e"' }],
      CommonPrefixes: { Prefix: 'dir/' },
    });
  });

  it('writes a v1 ListBucketResult with Marker and NextMarker', () => {
    const query = listQueryOf(new URL('https://ap.example/?marker=m'), 1);

    const result = parse(listResultXml('bucket', query, PAGE));

    expect(result).toMatchObject({ Marker: 'm', NextMarker: 'dir/' });
    expect(result).not.toHaveProperty('KeyCount');
  });

  it('names the last entry shown as NextMarker, never the source marker that may name a hidden key', () => {
    const query = listQueryOf(new URL('https://ap.example/?marker=m'), 1);
    const page: ListObjectsPage = {
      objects: [{ key: 'a.csv' }, { key: 'c.csv' }],
      commonPrefixes: ['b/'],
      isTruncated: true,
      nextContinuationToken: 'hidden/jane.doe@example.com.csv',
    };

    const xml = listResultXml('bucket', query, page);

    expect(parse(xml)).toMatchObject({ NextMarker: 'c.csv' });
    expect(xml).not.toContain('jane.doe');
  });

  it('url-encodes keys and prefixes when the caller asked for encoding-type=url', () => {
    const query = listQueryOf(new URL('https://ap.example/?list-type=2&encoding-type=url'), 2);

    const result = parse(listResultXml('bucket', query, PAGE));

    expect(result).toMatchObject({ EncodingType: 'url', Contents: [{ Key: 'a+b%26c.csv' }] });
  });

  it('writes the Size of an object listed from its view, in S3 element order, and none for one without', () => {
    const query = listQueryOf(new URL('https://ap.example/?list-type=2'), 2);
    const page = {
      ...PAGE,
      objects: [{ key: 'sized.csv', etag: '"m"', size: 1234 }, { key: 'unsized.csv' }],
    };

    const xml = listResultXml('bucket', query, page);

    expect(xml).toContain(
      '<Contents><Key>sized.csv</Key><ETag>&quot;m&quot;</ETag><Size>1234</Size><StorageClass>',
    );
    expect(parse(xml).Contents).toEqual([
      { Key: 'sized.csv', ETag: '"m"', Size: '1234', StorageClass: 'STANDARD' },
      { Key: 'unsized.csv', StorageClass: 'STANDARD' },
    ]);
  });

  it('leaves out the next token of a complete listing', () => {
    const query = listQueryOf(new URL('https://ap.example/?list-type=2'), 2);

    expect(listResultXml('bucket', query, { ...PAGE, isTruncated: false })).not.toContain(
      'NextContinuationToken',
    );
  });
});
