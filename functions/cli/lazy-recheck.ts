import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Recheck from 'recheck';

/**
 * The file beside the bundle's chunks (bin/cli-bundle.js writes it) with recheck's verdicts on
 * the custom patterns of the shipped rule files that it found safe, by {@link recheckVerdictKey}.
 */
export const RECHECK_VERDICTS_FILE = 'recheck-verdicts.json';

let recheck: typeof Recheck | undefined;
let verdicts: ReadonlyMap<string, Recheck.Diagnostics> | undefined;

/**
 * recheck's `checkSync`, loading recheck on the first call. The CLI bundle (bin/cli-bundle.js)
 * and the bench job map `recheck` to this module: recheck is 2.9 MB of Scala.js that costs ~30
 * MiB resident and ~0.1 s of CPU to load, and only custom patterns are checked with it, so
 * `redact` with the default rules and `--help` never load it. A pattern the bundle's build found
 * safe with the default parameters (recheck's checks are seeded: the same input, the same
 * verdict) gets that verdict without loading recheck, so `serve` with the shipped rules (whose
 * analytics-partner set has a custom pattern) does not load it either.
 */
export const checkSync: typeof Recheck.checkSync = (source, flags, params) => {
  if (params === undefined) {
    verdicts ??= readVerdicts();
    const known = verdicts.get(recheckVerdictKey(source, flags));
    if (known !== undefined) return known;
  }
  recheck ??= createRequire(import.meta.url)('recheck') as typeof Recheck;
  return recheck.checkSync(source, flags, params);
};

/** How {@link RECHECK_VERDICTS_FILE} names the check of `source` with `flags`. */
export function recheckVerdictKey(source: string, flags: string): string {
  return JSON.stringify([source, flags]);
}

function readVerdicts(): ReadonlyMap<string, Recheck.Diagnostics> {
  let json: string;
  try {
    json = readFileSync(new URL(RECHECK_VERDICTS_FILE, import.meta.url), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  return new Map(Object.entries(JSON.parse(json) as Record<string, Recheck.Diagnostics>));
}
