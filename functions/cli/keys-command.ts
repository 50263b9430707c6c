import { parseArgs } from 'node:util';
import { createLocalCredentialStore, type LocalCredentialStore } from '../adapters/local-credential-store.ts';
import { resolveMaskpointHome } from '../adapters/maskpoint-home.ts';
import { UsageError } from './usage-error.ts';

/**
 * `maskpoint keys create|list|revoke`: manages the gateway's access keys in `$MASKPOINT_HOME`.
 * `create` prints the secret once (`--json` for scripts); `list` never prints secrets.
 */
export async function keysCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const store = createLocalCredentialStore(resolveMaskpointHome());
  if (action === 'create') return create(store, rest);
  if (action === 'list') return list(store, rest);
  if (action === 'revoke') return revoke(store, rest);
  throw new UsageError('keys takes create, list or revoke');
}

async function create(store: LocalCredentialStore, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      bucket: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.name === undefined || values.bucket === undefined) {
    throw new UsageError('keys create takes --name NAME and one or more --bucket BUCKET');
  }
  const key = await store.create(values.name, values.bucket);
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

async function list(store: LocalCredentialStore, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  const keys = await store.list();
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

async function revoke(store: LocalCredentialStore, args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [name] = positionals;
  if (name === undefined || positionals.length > 1) throw new UsageError('keys revoke takes one NAME');
  await store.revoke(name);
  process.stdout.write(`revoked gateway key ${name}\n`);
  return 0;
}
