import { UsageError } from './usage-error.ts';

/** A bucket and a key (or key prefix, possibly empty) named by an `s3://` URL. */
export interface S3Url {
  readonly bucket: string;
  readonly key: string;
}

const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/s;

/**
 * Parses `s3://BUCKET[/KEY]`: the key is everything after the first `/`, as typed (not
 * percent-decoded), `''` when there is none.
 *
 * @throws UsageError naming `option` when the text is not such a URL.
 * @example
 * parseS3Url('s3://data/exports/', '--views-s3'); // { bucket: 'data', key: 'exports/' }
 */
export function parseS3Url(text: string, option: string): S3Url {
  const match = S3_URL.exec(text);
  if (match === null)
    throw new UsageError(`${option} "${text}": expected s3://BUCKET/KEY with an S3 bucket name`);
  return { bucket: match[1] as string, key: match[2] ?? '' };
}
