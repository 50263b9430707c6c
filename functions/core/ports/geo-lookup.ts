/** Port: country of an IP address (maxmind GeoIP2 / ip-location-db .mmdb). */
export interface GeoLookup {
  /** ISO 3166-1 alpha-2 code, or `undefined` when the address is not in the database. */
  countryOf(ip: string): string | undefined;
}
