import { buildCliBundle, isCliBundleFresh } from '../bin/cli-bundle.js';

/**
 * Builds the CLI bundle once before the tests when a source changed, so the tests that spawn
 * bin/maskpoint.js run the real (bundled) CLI without each rebuilding it.
 */
export default async function setup(): Promise<void> {
  if (!isCliBundleFresh()) await buildCliBundle();
}
