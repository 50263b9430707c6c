import { parseArgs } from 'node:util';
import { createLocalCredentialStore, type GatewayKeyRegistry } from '../adapters/local-credential-store.ts';
import { resolveMaskpointHome } from '../adapters/maskpoint-home.ts';
import { DEFAULT_KEY_REFRESH_SECONDS } from '../adapters/secrets-manager-credential-store.ts';
import { createSecretsManagerClient } from '../adapters/secrets-manager-json.ts';
import { createSecretsManagerKeyRegistry } from '../adapters/secrets-manager-key-registry.ts';
import { UsageError } from './usage-error.ts';

/** Where the keys live: the deployed stack's secret, or the local file. */
interface OpenedRegistry {
  readonly registry: GatewayKeyRegistry;
  readonly isDeployed: boolean;
}

const SECRET_ID_OPTION = { 'secret-id': { type: 'string' } } as const;

/**
 * `maskpoint keys create|list|revoke`: manages the gateway's access keys in the Secrets Manager
 * secret given by `--secret-id ARN` or `MASKPOINT_GATEWAY_KEYS_SECRET_ARN` (a deployed stack's
 * registry), else in `$MASKPOINT_HOME`. `create` prints the secret once (`--json` for scripts);
 * `list` never prints secrets.
 */
export async function keysCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'create') return create(rest);
  if (action === 'list') return list(rest);
  if (action === 'revoke') return revoke(rest);
  throw new UsageError('keys takes create, list or revoke');
}

function openRegistry(secretIdOption: string | undefined): OpenedRegistry {
  if (secretIdOption === '')
    throw new UsageError('--secret-id takes the ARN or name of the gateway keys secret');
  const secretId = secretIdOption ?? process.env.MASKPOINT_GATEWAY_KEYS_SECRET_ARN;
  if (secretId === undefined || secretId === '') {
    return { registry: createLocalCredentialStore(resolveMaskpointHome()), isDeployed: false };
  }
  // The stack's region, from the ARN: the operator's default region may be another one.
  const region = /^arn:[^:]+:secretsmanager:([^:]+):/.exec(secretId)?.[1];
  return {
    registry: createSecretsManagerKeyRegistry(createSecretsManagerClient(region ? { region } : {}), secretId),
    isDeployed: true,
  };
}

async function create(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      bucket: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      ...SECRET_ID_OPTION,
    },
  });
  if (values.name === undefined || values.bucket === undefined) {
    throw new UsageError('keys create takes --name NAME and one or more --bucket BUCKET');
  }
  const { registry, isDeployed } = openRegistry(values['secret-id']);
  const key = await registry.create(values.name, values.bucket);
  if (isDeployed) warnOfRefresh('accept it');
  if (values.json) {
    const { name, accessKeyId, secretAccessKey, buckets } = key;
    process.stdout.write(`${JSON.stringify({ name, accessKeyId, secretAccessKey, buckets })}\n`);
    return 0;
  }
  process.stdout.write(
    [
      `created gateway key ${key.name} for bucket(s) ${key.buckets.join(', ')}`,
      `  access key id:     ${key.accessKeyId}`,
      `  secret access key: ${key.secretAccessKey}`,
      '',
    ].join('\n'),
  );
  process.stderr.write('warning: store the secret access key now; it is not shown again.\n');
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean', default: false }, ...SECRET_ID_OPTION },
  });
  const keys = await openRegistry(values['secret-id']).registry.list();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(keys)}\n`);
    return 0;
  }
  if (keys.length === 0) {
    process.stdout.write(
      'no gateway keys; create one with: maskpoint keys create --name NAME --bucket BUCKET\n',
    );
    return 0;
  }
  const rows = [
    ['NAME', 'ACCESS KEY ID', 'BUCKETS', 'CREATED', 'STATUS'],
    ...keys.map((key) => [
      key.name,
      key.accessKeyId,
      key.buckets.join(','),
      key.createdAt,
      key.revokedAt === undefined ? 'active' : `revoked ${key.revokedAt}`,
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  for (const row of rows) {
    process.stdout.write(
      `${row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
  return 0;
}

async function revoke(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: SECRET_ID_OPTION });
  const [name] = positionals;
  if (name === undefined || positionals.length > 1) throw new UsageError('keys revoke takes one NAME');
  const { registry, isDeployed } = openRegistry(values['secret-id']);
  await registry.revoke(name);
  process.stdout.write(`revoked gateway key ${name}\n`);
  if (isDeployed) warnOfRefresh('stop accepting it');
  return 0;
}

/** Deployed gateways cache the registry, so a change is not instant there. */
function warnOfRefresh(effect: string): void {
  process.stderr.write(`note: running gateways ${effect} within ${DEFAULT_KEY_REFRESH_SECONDS} s.\n`);
}
