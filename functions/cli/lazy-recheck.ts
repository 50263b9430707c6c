import { createRequire } from 'node:module';
import type * as Recheck from 'recheck';

let recheck: typeof Recheck | undefined;

/**
 * recheck's `checkSync`, loading recheck on the first call. The CLI bundle (bin/cli-bundle.js)
 * and the bench job map `recheck` to this module: recheck is 2.9 MB of Scala.js that costs ~30
 * MiB resident and ~0.3 s to load, and only custom patterns are checked with it, so `redact`
 * with the default rules and `--help` never load it.
 */
export const checkSync: typeof Recheck.checkSync = (source, flags, params) => {
  recheck ??= createRequire(import.meta.url)('recheck') as typeof Recheck;
  return recheck.checkSync(source, flags, params);
};
