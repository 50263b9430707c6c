import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import maxmind, { type CountryResponse } from 'maxmind';
import type { GeoLookup } from '../core/ports/geo-lookup.ts';

const DEFAULT_DATABASE_FILE = 'geo-whois-asn-country.mmdb';

/**
 * The country database shipped with the npm package `@ip-location-db/geo-whois-asn-country-mmdb`
 * (IPv4 and IPv6; RIR whois and ASN data of the NRO, CC BY 4.0: attribution required). Where
 * the package is not installed, as in a bundled Lambda function, it is the file of that name
 * beside this module, which may not exist.
 */
export const DEFAULT_GEO_DATABASE = resolveDefaultDatabase();

function resolveDefaultDatabase(): string {
  try {
    return createRequire(import.meta.url).resolve(
      `@ip-location-db/geo-whois-asn-country-mmdb/${DEFAULT_DATABASE_FILE}`,
    );
  } catch {
    return fileURLToPath(new URL(DEFAULT_DATABASE_FILE, import.meta.url));
  }
}

/** GeoIP2 country databases nest the code (`country.iso_code`); ip-location-db ones do not (`country_code`). */
type CountryRecord = CountryResponse & { readonly country_code?: string };

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * Opens a country `.mmdb` (MaxMind GeoIP2 / GeoLite2 Country or ip-location-db) as a `GeoLookup`.
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, as Node reports IPv4 clients on a dual-stack
 * socket) are looked up as IPv4. An invalid address has no country.
 *
 * @example
 * ```ts
 * const geo = await openMaxmindGeoLookup(DEFAULT_GEO_DATABASE);
 * geo.countryOf('::ffff:8.8.8.8'); // 'US'
 * ```
 */
export async function openMaxmindGeoLookup(path: string): Promise<GeoLookup> {
  const reader = await maxmind.open<CountryRecord>(path);
  return {
    countryOf(ip) {
      const address = ip.match(IPV4_MAPPED)?.[1] ?? ip;
      if (isIP(address) === 0) return undefined;
      const record = reader.get(address);
      return record?.country?.iso_code ?? record?.country_code ?? undefined;
    },
  };
}
