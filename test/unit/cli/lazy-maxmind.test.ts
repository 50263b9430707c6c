import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Reader as MaxmindReader } from 'maxmind';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GEO_DATABASE } from '../../../functions/adapters/maxmind-geo-lookup.ts';
import { Reader } from '../../../functions/cli/lazy-maxmind.ts';
import { GEO_FIXTURE_PATH } from '../../fixtures/make-geo-fixture.ts';

const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6();

describe('the lazy maxmind Reader of the CLI bundle (functions/cli/lazy-maxmind.ts)', () => {
  it('answers every address as maxmind does, on the default database and the fixture', () => {
    for (const path of [DEFAULT_GEO_DATABASE, GEO_FIXTURE_PATH]) {
      const database = readFileSync(path);
      const lazy = new Reader(database);
      const direct = new MaxmindReader(database);
      for (const address of ['192.0.2.10', '198.51.100.200', '2001:db8::1', '8.8.8.8', '::1']) {
        expect(lazy.get(address), `${path} ${address}`).toEqual(direct.get(address));
      }
      fc.assert(
        fc.property(fc.oneof(ipv4, ipv6), (address) => {
          expect(lazy.get(address)).toEqual(direct.get(address));
        }),
        { numRuns: 300 },
      );
    }
  });

  it('fails where maxmind fails: on bytes that are no database, at its construction', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const database = Buffer.from(bytes);
        let directError: unknown;
        try {
          new MaxmindReader(database);
        } catch (error) {
          directError = error;
        }
        if (directError === undefined) return;
        expect(() => new Reader(database)).toThrow((directError as Error).message);
      }),
      { numRuns: 100 },
    );
  });
});
