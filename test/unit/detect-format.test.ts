import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../functions/core/redaction/formats/detect-format.ts';

const text = new TextEncoder().encode('a,b\n1,2\n');

describe('detectFormat', () => {
  it('takes the format from the content type first', () => {
    expect(detectFormat({ contentType: 'text/csv; charset=utf-8', key: 'x.json', head: text })).toEqual({
      format: 'csv',
      isGzip: false,
    });
    expect(detectFormat({ contentType: 'application/x-ndjson', head: text })?.format).toBe('ndjson');
    expect(detectFormat({ contentType: 'application/vnd.api+json', head: text })?.format).toBe('json');
    expect(detectFormat({ contentType: 'text/x-anything', head: text })?.format).toBe('text');
  });

  it('falls back to the extension when the content type is generic or missing', () => {
    expect(
      detectFormat({ contentType: 'binary/octet-stream', key: 'exports/a.jsonl', head: text })?.format,
    ).toBe('ndjson');
    expect(detectFormat({ key: 'logs/app.log', head: text })?.format).toBe('text');
    expect(detectFormat({ key: 'dir.csv/readme', head: text })).toBeUndefined();
  });

  it('recognises gzip by its magic bytes and the inner format by the extension', () => {
    expect(
      detectFormat({ contentType: 'application/gzip', key: 'users.csv.gz', head: gzipSync(text) }),
    ).toEqual({
      format: 'csv',
      isGzip: true,
    });
  });

  it('rejects binary content whatever its name or type says', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(detectFormat({ contentType: 'text/csv', key: 'a.csv', head: png })).toBeUndefined();
    expect(detectFormat({ key: 'a.txt', head: Uint8Array.from([0x61, 0x00, 0x62]) })).toBeUndefined();
  });

  it('rejects objects with no usable type or extension', () => {
    expect(detectFormat({ contentType: 'application/pdf', key: 'a', head: text })).toBeUndefined();
    expect(detectFormat({ key: 'README', head: text })).toBeUndefined();
  });
});
