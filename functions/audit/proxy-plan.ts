import { GATEWAY_KEY_NAME_PATTERN } from '../core/ports/credential-store.ts';
import type { KeyUsage } from './key-usage.ts';
import { collapseObjectKeys } from './suggest-policy.ts';

/** How one sensitive bucket would be served through maskpoint instead of read directly. */
export interface ProxiedBucket {
  readonly bucket: string;
  /** Key prefixes the key read (`""` for the whole bucket), as `readPrefixes` takes them. */
  readonly readPrefixes: readonly string[];
  /** Whether the key listed the bucket (the gateway then needs `allowListing`). */
  readonly allowListing: boolean;
  /** The `infra/buckets/` file that already protects this bucket, if one does. */
  readonly configuredIn: string | undefined;
  /** Where a new config would go, and its content (when no file protects the bucket yet). */
  readonly configFile: string | undefined;
  readonly configEntry: Readonly<Record<string, unknown>> | undefined;
  readonly configSource: string | undefined;
}

/** The move of a key that only reads sensitive buckets to a maskpoint gateway key. */
export interface ProxyPlan {
  readonly buckets: readonly ProxiedBucket[];
  /** The command that issues the gateway key replacing the AWS access key. */
  readonly gatewayKeyCommand: string;
}

// What the gateway serves (GetObject, HeadObject, ListObjectsV2); the rest only finds the bucket.
const READS = new Set(['s3:GetObject', 's3:ListBucket']);
const INCIDENTAL = new Set(['s3:ListAllMyBuckets', 's3:GetBucketLocation']);

/**
 * Plans how to proxy a key that only ever read sensitive buckets: one protected-bucket config per
 * bucket (the shape of `infra/lib/protected-bucket-config.ts`, gateway front door, read prefixes
 * from the objects read) and the `maskpoint keys create` command for its gateway key. Undefined when
 * the key did anything else (wrote, read another bucket, called another service) or nothing.
 */
export function planProxy(
  userName: string,
  usage: KeyUsage,
  sensitiveBuckets: ReadonlySet<string>,
  configuredBuckets: ReadonlyMap<string, string>,
): ProxyPlan | undefined {
  const keysByBucket = new Map<string, string[]>();
  const listed = new Set<string>();
  for (const [action, resources] of usage.actions) {
    if (INCIDENTAL.has(action)) continue;
    if (!READS.has(action)) return undefined;
    for (const resource of resources) {
      const match = /^arn:[^:]+:s3:::([^/]+)(?:\/(.*))?$/.exec(resource);
      const bucket = match?.[1];
      if (bucket === undefined || !sensitiveBuckets.has(bucket)) return undefined;
      const keys = keysByBucket.get(bucket) ?? [];
      keysByBucket.set(bucket, keys);
      if (action === 's3:ListBucket') listed.add(bucket);
      else keys.push(match?.[2] ?? '*');
    }
  }
  if (keysByBucket.size === 0) return undefined;

  const buckets = [...keysByBucket]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([bucket, keys]) => {
      const readPrefixes = toReadPrefixes(keys);
      const allowListing = listed.has(bucket);
      const configuredIn = configuredBuckets.get(bucket);
      if (configuredIn !== undefined) {
        return {
          bucket,
          readPrefixes,
          allowListing,
          configuredIn,
          configFile: undefined,
          configEntry: undefined,
          configSource: undefined,
        };
      }
      const name = kebabName(bucket, 40, 'bucket');
      const configEntry = {
        name,
        bucket: { source: 'existing', bucketName: bucket },
        rulesDir: 'redaction-rules',
        readPrefixes,
        allowListing,
        frontDoors: { gateway: { kind: 'function-url' } },
      };
      const configSource = [
        "import { defineProtectedBucket } from '../lib/protected-bucket-config.ts';",
        '',
        `export default defineProtectedBucket(${JSON.stringify(configEntry, undefined, 2)});`,
        '',
      ].join('\n');
      return {
        bucket,
        readPrefixes,
        allowListing,
        configuredIn: undefined,
        configFile: `infra/buckets/${name}.ts`,
        configEntry,
        configSource,
      };
    });
  const keyName = kebabName(userName, 64, 'key');
  const bucketOptions = buckets.map(({ bucket }) => `--bucket ${bucket}`).join(' ');
  return { buckets, gatewayKeyCommand: `npx maskpoint keys create --name ${keyName} ${bucketOptions}` };
}

function toReadPrefixes(keys: readonly string[]): string[] {
  if (keys.length === 0) return [''];
  const patterns = collapseObjectKeys(keys);
  // A root-level object or the whole bucket cannot be a folder prefix: serve the bucket.
  if (patterns.some((pattern) => !pattern.endsWith('/*'))) return [''];
  return patterns.map((pattern) => pattern.slice(0, -1));
}

/**
 * A kebab-case name (a-z, 0-9, single hyphens, starting with a letter) of at most `maxLength`
 * characters derived from `text`, as bucket configs and gateway keys need.
 */
export function kebabName(text: string, maxLength: number, fallbackPrefix: string): string {
  let name = text
    .toLowerCase()
    .replaceAll(/[^a-z0-9]+/g, '-')
    .replaceAll(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(name)) name = `${fallbackPrefix}-${name}`.replace(/-+$/, '');
  name = name.slice(0, maxLength).replace(/-+$/, '');
  return GATEWAY_KEY_NAME_PATTERN.test(name) ? name : fallbackPrefix;
}
