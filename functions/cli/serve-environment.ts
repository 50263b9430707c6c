import { UsageError } from './usage-error.ts';

/**
 * Environment variables `serve` reads, each standing for one flag (a container is configured
 * through its environment). A comma-separated variable gives the flag once per item.
 */
interface Variable {
  readonly name: string;
  readonly flag: string;
  readonly toValue?: (value: string) => string;
  readonly isList?: boolean;
}

const VARIABLES: readonly Variable[] = [
  { name: 'MASKPOINT_S3_BUCKETS', flag: 's3-bucket', isList: true },
  { name: 'MASKPOINT_HOST', flag: 'host' },
  { name: 'MASKPOINT_PORT', flag: 'port' },
  { name: 'MASKPOINT_REGION', flag: 'region' },
  { name: 'MASKPOINT_RULES_DIR', flag: 'rules' },
  { name: 'MASKPOINT_WORKERS', flag: 'workers' },
  { name: 'MASKPOINT_DRAIN_SECONDS', flag: 'drain-seconds' },
  { name: 'MASKPOINT_RATE_LIMIT_STORE', flag: 'rate-limit-store' },
  { name: 'MASKPOINT_TRUSTED_PROXY', flag: 'trusted-proxy' },
  { name: 'MASKPOINT_GEO_DB', flag: 'geo-db' },
  { name: 'MASKPOINT_KEEP_ALIVE_TIMEOUT', flag: 'keep-alive-timeout' },
  { name: 'MASKPOINT_VIEWS_BUCKET', flag: 'views-s3', toValue: (bucket) => `s3://${bucket}/` },
];

/**
 * The flags the environment sets, to be put before the command line's (whose single-valued flags
 * then win). Empty variables are unset ones. Gateway and token keys come from Secrets Manager
 * through `MASKPOINT_GATEWAY_KEYS_SECRET_ARN` and `MASKPOINT_TOKEN_KEYS_SECRET_ARN`, read where
 * the stores are made.
 *
 * @throws UsageError when a set variable stands for a flag `options` does not have.
 * @example
 * serveArgsFromEnvironment({ MASKPOINT_S3_BUCKETS: 'a,b', MASKPOINT_WORKERS: '4' }, OPTIONS)
 * // ['--s3-bucket', 'a', '--s3-bucket', 'b', '--workers', '4']
 */
export function serveArgsFromEnvironment(env: NodeJS.ProcessEnv, options: object): string[] {
  const args: string[] = [];
  for (const { name, flag, toValue = (value: string) => value, isList = false } of VARIABLES) {
    const value = env[name]?.trim();
    if (value === undefined || value === '') continue;
    if (!(flag in options)) throw new UsageError(`${name} is set, but this maskpoint serve has no --${flag}`);
    const items = isList
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '')
      : [value];
    for (const item of items) args.push(`--${flag}`, toValue(item));
  }
  return args;
}
