import { parseArgs } from 'node:util';
import { createGatewayUrlPresigner } from '../adapters/gateway-url-presigner.ts';
import { createLocalCredentialStore } from '../adapters/local-credential-store.ts';
import { resolveMaskpointHome } from '../adapters/maskpoint-home.ts';
import { parseDuration } from '../core/duration.ts';
import { InvalidArgumentError, KeyringError } from '../core/errors.ts';
import { MAX_PRESIGN_EXPIRES_SECONDS } from '../core/presign-policy.ts';
import { UsageError } from './usage-error.ts';

const OPTIONS = {
  expires: { type: 'string', default: '1h' },
  endpoint: { type: 'string', default: 'http://127.0.0.1:9000' },
  'key-name': { type: 'string' },
  region: { type: 'string', default: 'us-east-1' },
} as const;

/**
 * `maskpoint presign s3://BUCKET/KEY --key-name NAME [--expires 1h] [--endpoint URL] [--region R]`:
 * prints a GET URL for the local gateway, signed with the named gateway key from
 * `$MASKPOINT_HOME`, valid for `--expires` (`900`, `15m`, `12h`, `3d`; at most 7 days). The URL
 * goes to stdout alone, so scripts can use it; its expiry goes to stderr.
 *
 * @throws UsageError for wrong arguments; InvalidArgumentError for a duration that is malformed,
 *   under 1 second or over 7 days; KeyringError when no active key has that name or it may not
 *   read the bucket.
 */
export async function presignCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  const [location] = positionals;
  const keyName = values['key-name'];
  if (location === undefined || positionals.length > 1 || keyName === undefined) {
    throw new UsageError('presign takes one s3://BUCKET/KEY and --key-name NAME');
  }
  const { bucket, key } = parseS3Location(location);
  const expiresSeconds = parseDuration(values.expires);
  if (expiresSeconds < 1 || expiresSeconds > MAX_PRESIGN_EXPIRES_SECONDS) {
    throw new InvalidArgumentError(
      `--expires ${values.expires} is ${expiresSeconds} seconds: a presigned URL lives from 1 second to 7 days (${MAX_PRESIGN_EXPIRES_SECONDS} s)`,
    );
  }
  const store = createLocalCredentialStore(resolveMaskpointHome());
  const summary = (await store.list()).find(
    (candidate) => candidate.name === keyName && !candidate.isRevoked,
  );
  const gatewayKey = summary && (await store.find(summary.accessKeyId));
  if (gatewayKey === undefined) {
    throw new KeyringError(`no active gateway key is named "${keyName}"; see: maskpoint keys list`);
  }
  if (!gatewayKey.buckets.includes(bucket)) {
    throw new KeyringError(
      `gateway key "${keyName}" may not read bucket ${bucket} (its buckets: ${gatewayKey.buckets.join(', ')})`,
    );
  }
  const signingDate = new Date();
  const url = await createGatewayUrlPresigner({
    endpoint: values.endpoint,
    region: values.region,
    credentials: { accessKeyId: gatewayKey.accessKeyId, secretAccessKey: gatewayKey.secretAccessKey },
  }).presignGetObject({ bucket, key, expiresSeconds, signingDate });
  process.stdout.write(`${url}\n`);
  const expiresAt = new Date(signingDate.getTime() + expiresSeconds * 1000);
  process.stderr.write(`valid until ${expiresAt.toISOString()} (gateway key ${keyName})\n`);
  return 0;
}

function parseS3Location(location: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new UsageError(`"${location}" is not s3://BUCKET/KEY`);
  }
  return { bucket: match[1], key: match[2] };
}
