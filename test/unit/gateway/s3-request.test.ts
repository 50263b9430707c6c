import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identifyS3Request, parseS3Request } from '../../../functions/gateway/s3-request.ts';

const options = { baseHosts: ['localhost', 's3.example.com'] };

function parse(method: string, url: string, host = '127.0.0.1:9000') {
  const at = url.indexOf('?');
  return parseS3Request(
    {
      method,
      rawPath: at < 0 ? url : url.slice(0, at),
      rawQuery: at < 0 ? '' : url.slice(at + 1),
      headers: { host },
    },
    options,
  );
}

describe('parseS3Request', () => {
  it('reads a path-style GetObject with the SDK extras ignored', () => {
    expect(parse('GET', '/example/reports/q1.csv?x-id=GetObject')).toEqual({
      name: 'GetObject',
      bucket: 'example',
      key: 'reports/q1.csv',
      versionId: undefined,
      responseHeaders: {},
    });
  });

  it('reads a virtual-hosted HeadObject under a configured base host', () => {
    expect(parse('HEAD', '/a/b.json', 'my.bucket.s3.example.com')).toMatchObject({
      name: 'HeadObject',
      bucket: 'my.bucket',
      key: 'a/b.json',
    });
    expect(parse('GET', '/k.csv', 'example.localhost:9000')).toMatchObject({
      bucket: 'example',
      key: 'k.csv',
    });
  });

  it('reads hosts outside the base list as path-style', () => {
    expect(parse('GET', '/example/k.csv', 'abc.lambda-url.us-east-1.on.aws')).toMatchObject({
      bucket: 'example',
      key: 'k.csv',
    });
  });

  it('decodes keys as S3 does: percent-escapes, UTF-8, + as a space, empty segments kept', () => {
    expect(parse('GET', '/example/a%20b%2Bc+d/%C3%A9t%C3%A9.csv')).toMatchObject({ key: 'a b+c d/été.csv' });
    expect(parse('GET', '/example/dir//x%2Fy')).toMatchObject({ key: 'dir//x/y' });
  });

  it('passes versionId and response header overrides', () => {
    expect(
      parse(
        'GET',
        '/example/k.csv?versionId=v1&response-content-disposition=attachment%3B%20filename%3Dk.csv',
      ),
    ).toMatchObject({
      versionId: 'v1',
      responseHeaders: { 'content-disposition': 'attachment; filename=k.csv' },
    });
  });

  it('reads ListObjectsV2 parameters with max-keys capped at 1000', () => {
    expect(
      parse(
        'GET',
        '/example?list-type=2&prefix=logs%2F2024&delimiter=%2F&continuation-token=abc&start-after=logs%2Fa&max-keys=5000&encoding-type=url',
      ),
    ).toEqual({
      name: 'ListObjectsV2',
      bucket: 'example',
      isUrlEncoded: true,
      list: {
        bucket: 'example',
        prefix: 'logs/2024',
        delimiter: '/',
        continuationToken: 'abc',
        startAfter: 'logs/a',
        maxKeys: 1000,
      },
    });
  });

  it('defaults max-keys to 1000 and reads a virtual-hosted list', () => {
    expect(parse('GET', '/?list-type=2', 'example.localhost')).toMatchObject({
      name: 'ListObjectsV2',
      bucket: 'example',
      isUrlEncoded: false,
      list: { maxKeys: 1000, prefix: undefined },
    });
  });

  it('reads ListObjects (v1) parameters: marker as the key to start after, v2 parameters ignored', () => {
    expect(
      parse(
        'GET',
        '/example/?prefix=a%20b&delimiter=%2F&marker=a%20b%2Fc%2B1&max-keys=7&encoding-type=url&start-after=zzz&continuation-token=tok',
      ),
    ).toEqual({
      name: 'ListObjects',
      bucket: 'example',
      isUrlEncoded: true,
      list: {
        bucket: 'example',
        prefix: 'a b',
        delimiter: '/',
        continuationToken: undefined,
        startAfter: 'a b/c+1',
        maxKeys: 7,
      },
    });
    expect(parse('GET', '/', 'example.localhost')).toMatchObject({
      name: 'ListObjects',
      bucket: 'example',
      isUrlEncoded: false,
      list: { maxKeys: 1000, startAfter: undefined },
    });
  });

  it('reads HeadBucket and GetBucketLocation, path-style and virtual-hosted', () => {
    expect(parse('HEAD', '/example')).toEqual({ name: 'HeadBucket', bucket: 'example' });
    expect(parse('HEAD', '/', 'example.localhost')).toEqual({ name: 'HeadBucket', bucket: 'example' });
    expect(parse('GET', '/example?location')).toEqual({ name: 'GetBucketLocation', bucket: 'example' });
    expect(parse('GET', '/?location=', 'example.localhost')).toEqual({
      name: 'GetBucketLocation',
      bucket: 'example',
    });
  });

  it('reads ListBuckets with its prefix, continuation token, region and page size', () => {
    expect(parse('GET', '/')).toEqual({
      name: 'ListBuckets',
      prefix: undefined,
      continuationToken: undefined,
      bucketRegion: undefined,
      maxBuckets: 10_000,
    });
    expect(
      parse('GET', '/?prefix=ex&continuation-token=example&bucket-region=eu-west-1&max-buckets=20000'),
    ).toEqual({
      name: 'ListBuckets',
      prefix: 'ex',
      continuationToken: 'example',
      bucketRegion: 'eu-west-1',
      maxBuckets: 10_000,
    });
  });

  it.each(['PUT', 'POST', 'DELETE', 'PATCH'])('rejects %s with MethodNotAllowed', (method) => {
    expect(() => parse(method, '/example/k.csv')).toThrow(
      expect.objectContaining({ code: 'MethodNotAllowed' }),
    );
  });

  it.each([
    ['HEAD on the service', 'HEAD', '/'],
    ['ListObjectVersions', 'GET', '/example?versions'],
    ['an object ACL', 'GET', '/example/k.csv?acl'],
    ['object tagging', 'GET', '/example/k.csv?tagging='],
    ['the location of an object', 'GET', '/example/k.csv?location'],
    ['a part number', 'GET', '/example/k.csv?partNumber=1'],
  ])('rejects %s with NotImplemented', (_name, method, url) => {
    expect(() => parse(method, url)).toThrow(expect.objectContaining({ code: 'NotImplemented' }));
  });

  it.each([
    ['a negative max-keys', '/example?list-type=2&max-keys=-1'],
    ['a non-numeric max-keys', '/example?list-type=2&max-keys=ten'],
    ['an unknown encoding-type', '/example?list-type=2&encoding-type=base64'],
    ['an unknown v1 encoding-type', '/example?encoding-type=base64'],
    ['an unknown list-type', '/example?list-type=3'],
    ['a v1 max-keys that is not a number', '/example?max-keys=1e3'],
    ['a max-buckets of 0', '/?max-buckets=0'],
    ['a key that is not valid percent-encoding', '/example/%E0%A4%A'],
  ])('rejects %s with InvalidArgument', (_name, url) => {
    expect(() => parse('GET', url)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});

describe('identifyS3Request', () => {
  function identify(method: string, url: string, host = '127.0.0.1:9000') {
    const at = url.indexOf('?');
    return identifyS3Request(
      {
        method,
        rawPath: at < 0 ? url : url.slice(0, at),
        rawQuery: at < 0 ? '' : url.slice(at + 1),
        headers: { host },
      },
      options,
    );
  }

  it.each([
    ['GET', '/example/a%20b.csv', 'GetObject', 'example', 'a b.csv'],
    ['HEAD', '/example/k.csv', 'HeadObject', 'example', 'k.csv'],
    ['GET', '/example?list-type=2', 'ListObjectsV2', 'example', undefined],
    ['GET', '/example/', 'ListObjects', 'example', undefined],
    ['GET', '/', 'ListBuckets', '', undefined],
    ['HEAD', '/example', 'HeadBucket', 'example', undefined],
    ['GET', '/example?location', 'GetBucketLocation', 'example', undefined],
    ['GET', '/example/k.csv?location', 'Unknown', 'example', 'k.csv'],
    ['PUT', '/example/new.csv', 'PutObject', 'example', 'new.csv'],
    ['PUT', '/example', 'CreateBucket', 'example', undefined],
    ['POST', '/example', 'PostObject', 'example', undefined],
    ['DELETE', '/example/k.csv', 'DeleteObject', 'example', 'k.csv'],
    ['DELETE', '/example', 'DeleteBucket', 'example', undefined],
    ['PATCH', '/example/k.csv', 'Unknown', 'example', 'k.csv'],
    ['PUT', '/example/k.csv?tagging', 'Unknown', 'example', 'k.csv'],
    ['POST', '/example?delete', 'Unknown', 'example', undefined],
  ])('names %s %s as %s on bucket %j, key %j', (method, url, operation, bucket, key) => {
    expect(identify(method, url)).toEqual({ operation, bucket, key });
  });

  it('names virtual-hosted writes with the bucket from the host', () => {
    expect(identify('PUT', '/new.csv', 'example.localhost:9000')).toEqual({
      operation: 'PutObject',
      bucket: 'example',
      key: 'new.csv',
    });
  });

  it('never throws, and names a path that is not valid percent-encoding as sent', () => {
    expect(identify('GET', '/example/%E0%A4%A')).toEqual({
      operation: 'GetObject',
      bucket: 'example',
      key: '%E0%A4%A',
    });
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'get'),
        fc.string(),
        fc.string(),
        fc.string(),
        (method, path, query, host) => {
          const target = identifyS3Request(
            { method, rawPath: path, rawQuery: query, headers: { host } },
            options,
          );
          expect(typeof target.bucket).toBe('string');
        },
      ),
    );
  });
});
