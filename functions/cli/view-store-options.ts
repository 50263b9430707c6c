import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createLocalViewStore } from '../adapters/local-view-store.ts';
import { resolveMaskpointHome } from '../adapters/maskpoint-home.ts';
import { parseByteSize } from '../core/byte-size.ts';
import type { ViewStore } from '../core/ports/view-store.ts';
import { parseS3Url } from './s3-url.ts';
import { UsageError } from './usage-error.ts';

/** Size cap of a local view directory when `--views-max` is not given. */
export const DEFAULT_VIEWS_MAX = '10GiB';

/** Key prefix of the views in a cache bucket named without one (what the deployed stack uses). */
export const DEFAULT_VIEWS_S3_PREFIX = 'views/';

/** `--views DIR`, `--views-s3 s3://BUCKET/PREFIX` and `--views-max SIZE`, for `parseArgs`. */
export const VIEW_STORE_OPTIONS = {
  views: { type: 'string' },
  'views-s3': { type: 'string' },
  'views-max': { type: 'string', default: DEFAULT_VIEWS_MAX },
} as const;

/** What `parseArgs` gives for {@link VIEW_STORE_OPTIONS}. */
export interface ViewStoreOptionValues {
  readonly views?: string | undefined;
  readonly 'views-s3'?: string | undefined;
  readonly 'views-max': string;
}

/**
 * The view store the options name: an S3 cache bucket (`--views-s3`, under the URL's prefix as a
 * folder, `views/` when it names none) or a local directory capped at `--views-max` (`--views`, default
 * `$MASKPOINT_HOME/views`). The S3 adapter (AWS SDK, lib-storage) is loaded only for `--views-s3`.
 *
 * @throws UsageError when both are given or a value is malformed; InvalidArgumentError for a bad size.
 */
export async function openViewStore(
  values: ViewStoreOptionValues,
  s3Client: () => S3Client | Promise<S3Client>,
): Promise<ViewStore> {
  const s3 = values['views-s3'];
  if (s3 !== undefined && values.views !== undefined) {
    throw new UsageError('give --views DIR or --views-s3 s3://BUCKET/PREFIX, not both');
  }
  if (s3 !== undefined) {
    const { bucket, key } = parseS3Url(s3, '--views-s3');
    const prefix = key === '' ? DEFAULT_VIEWS_S3_PREFIX : key.endsWith('/') ? key : `${key}/`;
    const { createS3ViewStore } = await import('../adapters/s3-view-store.ts');
    return createS3ViewStore({ client: await s3Client(), bucket, prefix });
  }
  return createLocalViewStore({
    directory: values.views ?? join(resolveMaskpointHome(), 'views'),
    maxBytes: parseByteSize(values['views-max']),
  });
}
