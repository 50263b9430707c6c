#!/usr/bin/env node
// Runs the prebuilt CLI bundle (bin/cli-bundle.js; `npm ci` builds it). In a checkout whose
// sources changed since, it rebuilds the bundle first and says so, so the CLI never runs stale
// code and never falls back to compiling TypeScript on the fly.
import { buildCliBundle, CLI_BUNDLE, isCliBundleFresh } from './cli-bundle.js';

if (!isCliBundleFresh()) {
  const started = performance.now();
  try {
    await buildCliBundle();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `maskpoint: ${CLI_BUNDLE} is missing or older than its sources and could not be built (${reason});\n` +
        '  run `npm ci` (or `npm run build`) in the maskpoint checkout\n',
    );
    process.exit(1);
  }
  process.stderr.write(
    `maskpoint: rebuilt ${CLI_BUNDLE} from changed sources in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
await import(`../${CLI_BUNDLE}`);
