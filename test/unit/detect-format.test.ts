import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../functions/core/redaction/formats/detect-format.ts';
import type { TextFormat } from '../../functions/core/redaction/formats/format-redactor.ts';

const text = new TextEncoder().encode('a,b\n1,2\n');

describe('detectFormat', () => {
  it('takes the format from the content type when the key has no structured extension', () => {
    expect(detectFormat({ contentType: 'text/csv; charset=utf-8', key: 'x.txt', head: text })).toEqual({
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

  it('reads tab-separated values as CSV, by extension or content type (the delimiter is sniffed)', () => {
    const tsv = new TextEncoder().encode('name\temail\nAda\tada@example.com\n');
    expect(detectFormat({ key: 'exports/people.tsv', head: tsv })?.format).toBe('csv');
    expect(detectFormat({ key: 'exports/people.psv', head: tsv })?.format).toBe('csv');
    expect(detectFormat({ key: 'exports/people.tsv.gz', head: gzipSync(tsv) })).toEqual({
      format: 'csv',
      isGzip: true,
    });
    expect(detectFormat({ contentType: 'text/tab-separated-values', key: 'x', head: tsv })?.format).toBe(
      'csv',
    );
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

  it('reads the config, script and credential files secrets are left in as text, compressed or not', () => {
    const config = new TextEncoder().encode('[default]\npassword = Xk9-pq_Lm2+zT\n');
    const names = [
      ...['app.env', '.env', 'deploy/.env.production', 'a/.env.local', 'app.ini', 'setup.cfg', 'nginx.conf'],
      ...['web.config', 'db.properties', 'values.yaml', 'compose.yml', 'pyproject.toml', 'run.sh', 'b.bash'],
      ...['c.zsh', 'd.ps1', 'e.bat', 'main.tf', 'prod.tfvars', 'vault.hcl', 'dump.sql', 'pom.xml', 'i.html'],
      ...['j.htm', 'NOTES.md', 'server.pem', 'server.key', 'home/.npmrc'],
      ...['home/.pypirc', 'home/.netrc', 'home/.pgpass', 'home/.git-credentials', 'site/.htpasswd'],
      ...['home/.bash_history', 'home/.zsh_history', 'home/.aws/credentials', 'home/.aws/config'],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.constantFrom(undefined, 'binary/octet-stream', 'application/x-yaml', 'application/xml'),
        fc.boolean(),
        fc.boolean(),
        (name, contentType, upperCase, isGzip) => {
          const key = `${upperCase ? name.toUpperCase() : name}${isGzip ? '.gz' : ''}`;
          const head = isGzip ? gzipSync(config) : config;
          expect(detectFormat({ key, contentType, head })).toEqual({ format: 'text', isGzip });
        },
      ),
    );
    for (const contentType of [
      'application/yaml',
      'application/toml',
      'application/x-sh',
      'application/sql',
    ]) {
      expect(detectFormat({ contentType, key: 'x', head: config })?.format).toBe('text');
    }
  });

  it('reads Terraform state, notebooks and HTTP archives as JSON', () => {
    const json = new TextEncoder().encode('{"version": 4, "resources": []}');
    for (const key of ['terraform.tfstate', 'n.ipynb', 'map.geojson', 'home/.dockercfg', 'session.HAR']) {
      expect(detectFormat({ key, head: json })?.format).toBe('json');
    }
    // Labelled only as an HTTP archive, or as one under a name of no format.
    expect(detectFormat({ key: 'capture.har', head: text })?.format).toBe('json');
    expect(detectFormat({ contentType: 'application/har+json', key: 'x', head: text })?.format).toBe('json');
  });

  it('takes no name that only resembles a credential file as a label', () => {
    for (const key of [
      'credentials',
      'aws/credentials',
      '.aws/credentials.bak',
      'a/.envrc',
      'x.environment',
    ]) {
      expect(detectFormat({ key, head: text })).toBeUndefined();
    }
    // A structured extension after .env wins over the .env.* name.
    expect(detectFormat({ key: '.env.json', head: text })?.format).toBe('json');
  });

  it('rejects objects with no usable type or extension', () => {
    expect(detectFormat({ contentType: 'application/pdf', key: 'a', head: text })).toBeUndefined();
    expect(detectFormat({ key: 'README', head: text })).toBeUndefined();
  });
});

const utf8 = (value: string) => new TextEncoder().encode(value);
const structuredExtensions: Record<string, TextFormat> = {
  csv: 'csv',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
};
const contentTypes = [
  undefined,
  'text/plain',
  'text/plain; charset=utf-8',
  'text/x-log',
  'text/html',
  'application/octet-stream',
  'binary/octet-stream',
  'text/csv',
  'application/json',
  'application/x-ndjson',
];
/** Bodies by what their content calls for: a JSON layout, or nothing (`undefined`). */
const bodies: { text: string; calls?: TextFormat }[] = [
  { text: 'name,email\nAda,ada@example.com\n' },
  { text: 'sep=;\nname;email\n' },
  { text: '[2026-01-02 10:00:00] INFO user ada@example.com\n' },
  { text: '{"level":"info"} user logged in\n' },
  { text: '{\n  "name": "Ada",\n  "email": "ada@example.com"\n}\n', calls: 'json' },
  { text: '{"name":"Ada"}\n{"name":"Bo"}\n', calls: 'ndjson' },
  { text: '[{"name":"Ada"},\n{"name":"Bo"}]', calls: 'json' },
];

describe('detectFormat from labels and content', () => {
  it('takes the structured extension over a generic, text or conflicting content type', () => {
    expect(detectFormat({ contentType: 'text/plain', key: 'x.csv', head: text })?.format).toBe('csv');
    expect(detectFormat({ contentType: 'text/csv', key: 'x.json', head: text })?.format).toBe('json');
    expect(detectFormat({ contentType: 'application/json', key: 'app.log', head: text })?.format).toBe(
      'json',
    );
  });

  it('parses JSON content labelled as text as JSON or NDJSON by its layout', () => {
    const ndjson = utf8('{"name":"Ada"}\n{"name":"Bo"}\n');
    const pretty = utf8('{\n  "name": "Ada"\n}\n');
    expect(detectFormat({ contentType: 'text/plain', key: 'x.txt', head: ndjson })?.format).toBe('ndjson');
    expect(detectFormat({ contentType: 'text/plain', key: 'x.log', head: pretty })?.format).toBe('json');
    expect(detectFormat({ contentType: 'text/plain', key: 'x.json', head: ndjson })?.format).toBe('ndjson');
    expect(detectFormat({ contentType: 'text/plain', key: 'x.txt', head: utf8('{"a":1}') })?.format).toBe(
      'ndjson',
    );
    expect(detectFormat({ contentType: 'text/plain', key: 'x.json', head: utf8('{"a":1}') })?.format).toBe(
      'json',
    );
  });

  it('never lets a label or the content weaken the rules another calls for (generated)', () => {
    const keys = [...Object.keys(structuredExtensions), 'txt', 'log', undefined];
    fc.assert(
      fc.property(
        fc.constantFrom(...contentTypes),
        fc.constantFrom(...keys),
        fc.constantFrom(...bodies),
        fc.boolean(),
        (contentType, extension, body, isGzip) => {
          const key =
            extension === undefined ? 'data/export' : `data/export.${extension}${isGzip ? '.gz' : ''}`;
          const head = isGzip ? gzipSync(body.text) : utf8(body.text);
          const detected = detectFormat({ contentType, key, head });
          // The inflated head is what the stream asks about next.
          const inner = isGzip ? detectFormat({ contentType, key, head: utf8(body.text) }) : detected;
          const fromExtension = extension === undefined ? undefined : structuredExtensions[extension];
          const fromType = detectFormat({ contentType, head: utf8('plain') })?.format;
          if (extension === undefined && fromType === undefined) {
            expect(detected).toBeUndefined();
            return;
          }

          expect(detected?.isGzip).toBe(isGzip);
          if (body.calls !== undefined) expect(inner?.format).toBe(body.calls);
          else if (fromExtension !== undefined) expect(inner?.format).toBe(fromExtension);
          else if (fromType !== undefined && fromType !== 'text') expect(inner?.format).toBe(fromType);
          else expect(inner?.format).toBe('text');
        },
      ),
      { numRuns: 500 },
    );
  });
});
