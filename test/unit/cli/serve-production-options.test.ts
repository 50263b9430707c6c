import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeRateLimitStore } from '../../../functions/adapters/rate-limit-store.ts';
import { serveArgsFromEnvironment } from '../../../functions/cli/serve-environment.ts';
import {
  DEFAULT_DRAIN_SECONDS,
  PRODUCTION_SERVE_OPTIONS,
  parseProductionServeOptions,
  parseRateLimitStore,
} from '../../../functions/cli/serve-production-options.ts';
import { UsageError } from '../../../functions/cli/usage-error.ts';

const defaults = {
  'drain-seconds': String(DEFAULT_DRAIN_SECONDS),
  'rate-limit-store': 'memory',
  'trusted-proxy': 'none',
};

describe('parseProductionServeOptions', () => {
  it('runs one worker per core, drains for 25 s, counts in memory and trusts the socket by default', () => {
    expect(parseProductionServeOptions(defaults, 6)).toEqual({
      workers: 6,
      drainDeadlineMs: 25_000,
      rateLimitStore: { kind: 'memory' },
      trustedProxy: 'none',
      geoDatabase: undefined,
    });
  });

  it('takes every valid worker count, drain time, store and proxy', () => {
    const values = {
      workers: '4',
      'drain-seconds': '2.5',
      'rate-limit-store': 'dynamodb:maskpoint-rate-limits',
      'trusted-proxy': 'alb',
      'geo-db': '/data/country.mmdb',
    };
    expect(parseProductionServeOptions(values, 2)).toEqual({
      workers: 4,
      drainDeadlineMs: 2_500,
      rateLimitStore: { kind: 'dynamodb', table: 'maskpoint-rate-limits' },
      trustedProxy: 'alb',
      geoDatabase: '/data/country.mmdb',
    });
  });

  it('rejects each malformed flag, naming the flag and what it takes', () => {
    const cases: [Partial<Record<string, string>>, RegExp][] = [
      [{ workers: '0' }, /--workers "0": expected a whole number from 1 to 256/],
      [{ workers: '257' }, /--workers "257"/],
      [{ workers: 'two' }, /--workers "two"/],
      [{ workers: '-1' }, /--workers "-1"/],
      [{ 'drain-seconds': '-1' }, /--drain-seconds "-1": expected a number of seconds from 0 to 3600/],
      [{ 'drain-seconds': '3601' }, /--drain-seconds "3601"/],
      [
        { 'rate-limit-store': 'postgres:x' },
        /--rate-limit-store "postgres:x": expected memory, dynamodb:TABLE or redis:URL/,
      ],
      [{ 'rate-limit-store': 'dynamodb:' }, /expected dynamodb:TABLE/],
      [{ 'rate-limit-store': 'dynamodb:bad name' }, /expected dynamodb:TABLE/],
      [{ 'rate-limit-store': 'redis:http://host' }, /expected redis:redis:\/\//],
      [{ 'rate-limit-store': 'redis:redis://' }, /expected redis:redis:\/\//],
      [{ 'trusted-proxy': 'x-forwarded-for' }, /--trusted-proxy "x-forwarded-for": expected none .* or alb/],
    ];
    for (const [values, message] of cases) {
      expect(
        () => parseProductionServeOptions({ ...defaults, ...values }, 2),
        JSON.stringify(values),
      ).toThrow(UsageError);
      expect(() => parseProductionServeOptions({ ...defaults, ...values }, 2)).toThrow(message);
    }
  });
});

describe('parseRateLimitStore and describeRateLimitStore', () => {
  it('reads Redis URLs with credentials, TLS and a database, and never shows the password', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('redis', 'rediss'),
        fc.stringMatching(/^[A-Za-z0-9]{8,24}$/),
        fc.constantFrom('cache.internal', '10.0.0.5', '[2001:db8::5]'),
        fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
        (scheme, password, host, port, db) => {
          const url = `${scheme}://maskpoint:${password}@${host}${port === undefined ? '' : `:${port}`}${db === undefined ? '' : `/${db}`}`;
          const store = parseRateLimitStore(`redis:${url}`);
          expect(store.kind).toBe('redis');
          const shown = describeRateLimitStore(store);
          expect(shown).not.toContain(password);
          expect(shown).toContain(host);
        },
      ),
    );
  });

  it('rejects a malformed Redis URL without repeating it (it may hold a password)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{12,24}$/), (password) => {
        for (const bad of [
          `redis:redis://u:${password}@host/x/y`,
          `redis:redis://u:${password}@host?tls=1`,
          `redis:http://u:${password}@host`,
        ]) {
          let message = '';
          try {
            parseRateLimitStore(bad);
          } catch (error) {
            message = (error as Error).message;
          }
          expect(message).toMatch(/^--rate-limit-store redis:…: expected/);
          expect(message).not.toContain(password);
        }
      }),
    );
  });
});

describe('serveArgsFromEnvironment', () => {
  const options = {
    ...PRODUCTION_SERVE_OPTIONS,
    's3-bucket': {},
    host: {},
    port: {},
    region: {},
    rules: {},
    'keep-alive-timeout': {},
  };

  it('turns each set variable into its flag, a comma list into one flag per item', () => {
    expect(
      serveArgsFromEnvironment(
        {
          MASKPOINT_S3_BUCKETS: 'exports, shared,',
          MASKPOINT_HOST: '0.0.0.0',
          MASKPOINT_PORT: '8080',
          MASKPOINT_WORKERS: '4',
          MASKPOINT_DRAIN_SECONDS: '20',
          MASKPOINT_RATE_LIMIT_STORE: 'dynamodb:limits',
          MASKPOINT_TRUSTED_PROXY: 'alb',
          MASKPOINT_GEO_DB: '/opt/geo.mmdb',
          MASKPOINT_KEEP_ALIVE_TIMEOUT: '3605',
          MASKPOINT_RULES_DIR: '/app/redaction-rules',
          MASKPOINT_REGION: 'eu-west-1',
          MASKPOINT_WORKERS_UNRELATED: 'x',
          MASKPOINT_PORT_EMPTY: '',
        },
        options,
      ),
    ).toEqual([
      '--s3-bucket',
      'exports',
      '--s3-bucket',
      'shared',
      '--host',
      '0.0.0.0',
      '--port',
      '8080',
      '--region',
      'eu-west-1',
      '--rules',
      '/app/redaction-rules',
      '--workers',
      '4',
      '--drain-seconds',
      '20',
      '--rate-limit-store',
      'dynamodb:limits',
      '--trusted-proxy',
      'alb',
      '--geo-db',
      '/opt/geo.mmdb',
      '--keep-alive-timeout',
      '3605',
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(serveArgsFromEnvironment({ MASKPOINT_PORT: '', MASKPOINT_S3_BUCKETS: ' ' }, options)).toEqual([]);
  });

  it('rejects a variable whose flag this serve does not have, naming both', () => {
    expect(() => serveArgsFromEnvironment({ MASKPOINT_VIEWS_BUCKET: 'cache' }, options)).toThrow(
      'MASKPOINT_VIEWS_BUCKET is set, but this maskpoint serve has no --views-s3',
    );
    expect(
      serveArgsFromEnvironment({ MASKPOINT_VIEWS_BUCKET: 'cache' }, { ...options, 'views-s3': {} }),
    ).toEqual(['--views-s3', 's3://cache/']);
  });
});
