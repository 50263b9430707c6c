import { createRequire } from 'node:module';
import type * as Maxmind from 'maxmind';

let maxmind: typeof Maxmind | undefined;

/**
 * maxmind's `Reader`, with the package loaded when the first one is made. The CLI bundle
 * (bin/cli-bundle.js) maps `maxmind` to this module: loading it (with mmdb-lib and tiny-lru, 12
 * CommonJS files) costs ~13 ms of CPU, and only a geo lookup needs it, which
 * functions/adapters/maxmind-geo-lookup.ts makes at the first request under a geo fence, so
 * `serve` no longer loads it at every start. Should it fail to load, that lookup throws, and the
 * request it was for fails rather than passing the fence. Only what the adapter uses is here.
 */
export class Reader<T extends Maxmind.Response> {
  readonly #reader: Maxmind.Reader<T>;

  constructor(database: Buffer) {
    maxmind ??= createRequire(import.meta.url)('maxmind') as typeof Maxmind;
    this.#reader = new maxmind.Reader<T>(database);
  }

  get(ipAddress: string): T | null {
    return this.#reader.get(ipAddress);
  }
}
