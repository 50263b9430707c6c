import { resolve } from 'node:path';
import { UsageError } from './usage-error.ts';

/**
 * Parses `--bucket NAME=DIR`: a bucket name served from a local directory (resolved against the
 * working directory).
 *
 * @throws UsageError when the text is not NAME=DIR with an S3 bucket name.
 */
export function parseBucketOption(value: string): [name: string, directory: string] {
  const match = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])=(.+)$/.exec(value);
  if (match === null) throw new UsageError(`--bucket "${value}": expected NAME=DIR with an S3 bucket name`);
  return [match[1] as string, resolve(match[2] as string)];
}
