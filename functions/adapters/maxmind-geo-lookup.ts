import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type CountryResponse, Reader } from 'maxmind';
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
 * What starts an .mmdb file's metadata, which lies within its last 128 KiB: "the maximum allowed
 * size for the metadata section, including the marker that starts the metadata, is 128KiB"
 * (MaxMind DB file format, https://maxmind.github.io/MaxMind-DB/).
 */
const METADATA_START_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');
const METADATA_MAX_BYTES = 128 * 1024;

/**
 * Opens a country `.mmdb` (MaxMind GeoIP2 / GeoLite2 Country or ip-location-db) as a `GeoLookup`.
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, as Node reports IPv4 clients on a dual-stack
 * socket) are looked up as IPv4. An invalid address has no country.
 *
 * Opening reads only the end of the file, to refuse one that is missing or holds no MaxMind DB
 * metadata; the database (8 MB for the default one) is read at the first lookup, which a start,
 * or a gateway whose rule sets have no geo fence, never makes. A file that turns out unreadable
 * then fails that lookup, so the request it was for fails rather than passing the fence.
 *
 * @example
 * ```ts
 * const geo = await openMaxmindGeoLookup(DEFAULT_GEO_DATABASE);
 * geo.countryOf('::ffff:8.8.8.8'); // 'US'
 * ```
 */
export async function openMaxmindGeoLookup(path: string): Promise<GeoLookup> {
  await checkHasMetadata(path);
  let reader: Reader<CountryRecord> | undefined;
  return {
    countryOf(ip) {
      const address = ip.match(IPV4_MAPPED)?.[1] ?? ip;
      if (isIP(address) === 0) return undefined;
      reader ??= new Reader<CountryRecord>(readFileSync(path));
      const record = reader.get(address);
      return record?.country?.iso_code ?? record?.country_code ?? undefined;
    },
  };
}

/** @throws Error when `path` cannot be read or does not end with MaxMind DB metadata. */
async function checkHasMetadata(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const length = Math.min(size, METADATA_MAX_BYTES);
    const { buffer, bytesRead } = await file.read(Buffer.alloc(length), 0, length, size - length);
    if (buffer.subarray(0, bytesRead).lastIndexOf(METADATA_START_MARKER) < 0) {
      throw new Error(`${path} is not a MaxMind DB file: it holds no metadata`);
    }
  } finally {
    await file.close();
  }
}
