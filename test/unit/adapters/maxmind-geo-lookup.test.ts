import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GEO_DATABASE,
  openMaxmindGeoLookup,
} from '../../../functions/adapters/maxmind-geo-lookup.ts';
import { buildGeoFixture, GEO_FIXTURE_PATH as fixture } from '../../fixtures/make-geo-fixture.ts';

describe('openMaxmindGeoLookup', () => {
  it('reads the country of a GeoIP2-shaped record (country.iso_code)', async () => {
    const geo = await openMaxmindGeoLookup(fixture);

    expect(geo.countryOf('192.0.2.10')).toBe('US');
  });

  it('reads the country of an ip-location-db-shaped record (country_code)', async () => {
    const geo = await openMaxmindGeoLookup(fixture);

    expect(geo.countryOf('198.51.100.200')).toBe('DE');
  });

  it('looks up IPv6 addresses', async () => {
    const geo = await openMaxmindGeoLookup(fixture);

    expect(geo.countryOf('2001:db8::1')).toBe('FR');
    expect(geo.countryOf('2001:db9::1')).toBeUndefined();
  });

  it('looks up an IPv4-mapped IPv6 address as its IPv4 address', async () => {
    const geo = await openMaxmindGeoLookup(fixture);

    expect(geo.countryOf('::ffff:192.0.2.10')).toBe('US');
    expect(geo.countryOf('::FFFF:198.51.100.1')).toBe('DE');
  });

  it('has no country for a record without one, an address not in the database, or an invalid address', async () => {
    const geo = await openMaxmindGeoLookup(fixture);

    expect(geo.countryOf('203.0.113.5')).toBeUndefined();
    expect(geo.countryOf('8.8.8.8')).toBeUndefined();
    expect(geo.countryOf('not-an-ip')).toBeUndefined();
    expect(geo.countryOf('192.0.2.300')).toBeUndefined();
    expect(geo.countryOf('')).toBeUndefined();
  });

  it('rejects a path that is not a database', async () => {
    await expect(openMaxmindGeoLookup(fileURLToPath(import.meta.url))).rejects.toThrow();
  });

  it('rejects a path where no file is', async () => {
    await expect(openMaxmindGeoLookup(join(tmpdir(), 'maskpoint-no-such.mmdb'))).rejects.toThrow(/ENOENT/);
  });

  it('reads the database at the first lookup: one removed after it was opened fails that lookup, never answering', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskpoint-geo-'));
    try {
      const path = join(dir, 'country.mmdb');
      copyFileSync(fixture, path);
      const geo = await openMaxmindGeoLookup(path);
      rmSync(path);

      expect(() => geo.countryOf('192.0.2.10')).toThrow(/ENOENT/);
      copyFileSync(fixture, path);
      expect(geo.countryOf('192.0.2.10')).toBe('US');
      rmSync(path);
      expect(geo.countryOf('198.51.100.200')).toBe('DE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ships a country database as the default, which answers for a public address', async () => {
    expect(existsSync(DEFAULT_GEO_DATABASE)).toBe(true);
    const geo = await openMaxmindGeoLookup(DEFAULT_GEO_DATABASE);

    expect(geo.countryOf('8.8.8.8')).toBe('US');
  });
});

describe('the committed geo fixture', () => {
  it('is what test/fixtures/make-geo-fixture.ts writes', () => {
    expect(readFileSync(fixture).equals(buildGeoFixture())).toBe(true);
  });
});
