import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyringError } from '../core/errors.ts';
import {
  type CredentialStore,
  GATEWAY_KEY_BUCKET_PATTERN,
  GATEWAY_KEY_NAME_PATTERN,
  type GatewayKey,
} from '../core/ports/credential-store.ts';
import { keyFileAsWritten } from './gateway-key-file-as-written.ts';
import type { GatewayKeyFile, StoredKey } from './gateway-key-file-schema.ts';

/** File name of the gateway key registry inside the maskpoint home directory. */
export const GATEWAY_KEYS_FILE = 'gateway-keys.json';

/** A gateway key as `list()` shows it: never the secret. */
export interface GatewayKeySummary extends Omit<GatewayKey, 'secretAccessKey'> {
  readonly isRevoked: boolean;
  /** ISO 8601 revocation time, when revoked. */
  readonly revokedAt?: string | undefined;
}

/** What `maskpoint keys` manages: the local file or the deployed Secrets Manager secret. */
export interface GatewayKeyRegistry {
  /** Issues a key for `buckets` under a new kebab-case `name`; the only time the secret is returned. */
  create(name: string, buckets: readonly string[]): Promise<GatewayKey>;
  /** Every key ever issued, revoked ones included, in creation order. */
  list(): Promise<GatewayKeySummary[]>;
  /** Revokes the key called `name`; its entry stays, with `revokedAt`, as an audit trail. */
  revoke(name: string): Promise<void>;
}

/** The local registry: `find` for the gateway, `create` / `list` / `revoke` for `maskpoint keys`. */
export interface LocalCredentialStore extends CredentialStore, GatewayKeyRegistry {}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const KEY_ID_RANDOM_CHARS = 17;
const SECRET_BYTES = 30;
const LOCK_WAIT_MS = 2_000;
const LOCK_RETRY_MS = 25;

/** What identifies one version of the file: every write renames a new file into place. */
interface FileVersion {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly size: number;
}

/**
 * Gateway keys in `<home>/gateway-keys.json` (directory 0700, file 0600), for local runs and the
 * CLI. A file readable by group or others is refused. Writes are atomic (temporary file, then
 * rename) and serialized by `<file>.lock`; `find` re-reads the file whenever it changed, so keys
 * created or revoked while the gateway runs take effect without a restart.
 *
 * Key ids are `MPK` and 17 base32 characters; secrets are 40 characters of base64 from 30 random bytes.
 *
 * @example
 * ```ts
 * const store = createLocalCredentialStore(resolveMaskpointHome());
 * const key = await store.create('reports-reader', ['reports']);
 * await store.find(key.accessKeyId); // key
 * await store.revoke('reports-reader');
 * await store.find(key.accessKeyId); // undefined
 * ```
 */
export function createLocalCredentialStore(home: string): LocalCredentialStore {
  const path = join(home, GATEWAY_KEYS_FILE);
  const lockPath = `${path}.lock`;
  let cached: { version: FileVersion; activeKeys: ReadonlyMap<string, GatewayKey> } | undefined;

  /** The file's version, or undefined when there is no file yet; refuses an insecure file. */
  async function currentVersion(): Promise<FileVersion | undefined> {
    let stats: Awaited<ReturnType<typeof stat>>;
    try {
      stats = await stat(path);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw new KeyringError(`cannot read gateway key file ${path}`, { cause: error });
    }
    if ((stats.mode & 0o077) !== 0) {
      throw new KeyringError(
        `gateway key file ${path} is readable by group or others (mode ${(stats.mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
      );
    }
    return { ino: stats.ino, mtimeMs: stats.mtimeMs, size: stats.size };
  }

  async function readKeyFile(): Promise<GatewayKeyFile> {
    if ((await currentVersion()) === undefined) return { keys: [] };
    let document: unknown;
    try {
      document = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return { keys: [] };
      throw new KeyringError(`gateway key file ${path} is not valid JSON`, { cause: error });
    }
    return await validate(document, path);
  }

  async function writeKeyFile(file: GatewayKeyFile): Promise<void> {
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    const written = await stat(temporary);
    await rename(temporary, path);
    // `find` need not read back what it would find: renaming keeps the inode, size and
    // modification time, and a file renamed over it by anyone else has another inode. (The first
    // GET after the demo key was created spent ~4 ms validating the file it had just written.)
    cached = {
      version: { ino: written.ino, mtimeMs: written.mtimeMs, size: written.size },
      activeKeys: activeKeysById(file),
    };
  }

  /** Runs a read-modify-write alone: two concurrent writers would otherwise lose one's change. */
  async function withLock<T>(update: () => Promise<T>): Promise<T> {
    await mkdir(home, { recursive: true, mode: 0o700 });
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await writeFile(lockPath, String(process.pid), { mode: 0o600, flag: 'wx' });
        break;
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw error;
        if (Date.now() > deadline) {
          throw new KeyringError(
            `another maskpoint keys command holds ${lockPath}; remove it if none is running`,
            { cause: error },
          );
        }
        await sleep(LOCK_RETRY_MS);
      }
    }
    try {
      return await update();
    } finally {
      await rm(lockPath, { force: true });
    }
  }

  async function find(accessKeyId: string): Promise<GatewayKey | undefined> {
    const version = await currentVersion();
    if (version === undefined) return undefined;
    if (cached === undefined || !isSameVersion(cached.version, version)) {
      cached = { version, activeKeys: activeKeysById(await readKeyFile()) };
    }
    return cached.activeKeys.get(accessKeyId);
  }

  async function create(name: string, buckets: readonly string[]): Promise<GatewayKey> {
    const key = issueGatewayKey(name, buckets);
    await withLock(async () => writeKeyFile(addGatewayKey(await readKeyFile(), key)));
    return key;
  }

  async function list(): Promise<GatewayKeySummary[]> {
    return summarizeGatewayKeys(await readKeyFile());
  }

  async function revoke(name: string): Promise<void> {
    await withLock(async () => {
      const file = await readKeyFile();
      const revoked = revokeGatewayKey(file, name, new Date().toISOString());
      if (revoked !== file) await writeKeyFile(revoked);
    });
  }

  return { find, create, list, revoke };
}

/**
 * A new key for `buckets` under `name`, not yet in any registry.
 *
 * @throws KeyringError when `name` is not kebab-case, `buckets` is empty or names a non-bucket.
 */
export function issueGatewayKey(name: string, buckets: readonly string[]): GatewayKey {
  if (!GATEWAY_KEY_NAME_PATTERN.test(name)) {
    throw new KeyringError(
      `gateway key name "${name}" is not kebab-case (1-64 of a-z, 0-9 and single hyphens, starting with a letter)`,
    );
  }
  if (buckets.length === 0) throw new KeyringError('a gateway key needs at least one bucket');
  for (const bucket of buckets) {
    if (!GATEWAY_KEY_BUCKET_PATTERN.test(bucket)) {
      throw new KeyringError(
        `bucket name "${bucket}" is not an S3 bucket name (3-63 of a-z, 0-9, "." and "-", starting and ending with a letter or digit)`,
      );
    }
  }
  return {
    name,
    accessKeyId: newAccessKeyId(),
    secretAccessKey: randomBytes(SECRET_BYTES).toString('base64'),
    buckets: [...new Set(buckets)],
    createdAt: new Date().toISOString(),
  };
}

/**
 * `file` with `key` appended.
 *
 * @throws KeyringError when `file` already has a key of that name (revoked ones included) or id.
 */
export function addGatewayKey(file: GatewayKeyFile, key: GatewayKey): GatewayKeyFile {
  if (file.keys.some((existing) => existing.name === key.name)) {
    throw new KeyringError(
      `a gateway key named "${key.name}" already exists (revoked names stay taken for the audit trail)`,
    );
  }
  if (file.keys.some((existing) => existing.accessKeyId === key.accessKeyId)) {
    throw new KeyringError(`access key id ${key.accessKeyId} is already taken; run the command again`);
  }
  return { keys: [...file.keys, { ...key, buckets: [...key.buckets] }] };
}

/**
 * `file` with the key called `name` revoked at `revokedAt`; `file` itself when it already is.
 *
 * @throws KeyringError when no key is called `name`.
 */
export function revokeGatewayKey(file: GatewayKeyFile, name: string, revokedAt: string): GatewayKeyFile {
  const key = file.keys.find((candidate) => candidate.name === name);
  if (key === undefined) throw new KeyringError(`no gateway key is named "${name}"`);
  if (key.revokedAt !== undefined) return file;
  return {
    keys: file.keys.map((candidate) => (candidate === key ? { ...candidate, revokedAt } : candidate)),
  };
}

/** The keys of `file` without their secrets, revoked ones included, in creation order. */
export function summarizeGatewayKeys(file: GatewayKeyFile): GatewayKeySummary[] {
  return file.keys.map((key) => ({
    name: key.name,
    accessKeyId: key.accessKeyId,
    buckets: key.buckets,
    createdAt: key.createdAt,
    isRevoked: key.revokedAt !== undefined,
    ...(key.revokedAt === undefined ? {} : { revokedAt: key.revokedAt }),
  }));
}

async function validate(document: unknown, path: string): Promise<GatewayKeyFile> {
  const file = keyFileAsWritten(document) ?? (await validateWithSchema(document, path));
  const names = new Set<string>();
  const ids = new Set<string>();
  for (const key of file.keys) {
    if (names.has(key.name) || ids.has(key.accessKeyId)) {
      throw new KeyringError(`gateway key file ${path} lists key "${key.name}" or its access key id twice`);
    }
    names.add(key.name);
    ids.add(key.accessKeyId);
  }
  return file;
}

/** The schema's output for a key file not as the stores write it; imported here, as it loads zod. */
async function validateWithSchema(document: unknown, path: string): Promise<GatewayKeyFile> {
  const { gatewayKeyFileSchema } = await import('./gateway-key-file-schema.ts');
  const result = gatewayKeyFileSchema.safeParse(document);
  if (!result.success) {
    // Issues name the field and the rule only: a value here could be a secret.
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new KeyringError(`gateway key file ${path} is invalid:\n${problems.join('\n')}`);
  }
  return result.data;
}

function activeKeysById(file: GatewayKeyFile): Map<string, GatewayKey> {
  const keys = new Map<string, GatewayKey>();
  for (const key of file.keys) {
    if (key.revokedAt === undefined) keys.set(key.accessKeyId, toGatewayKey(key));
  }
  return keys;
}

function toGatewayKey(key: StoredKey): GatewayKey {
  return {
    name: key.name,
    accessKeyId: key.accessKeyId,
    secretAccessKey: key.secretAccessKey,
    buckets: key.buckets,
    createdAt: key.createdAt,
  };
}

function newAccessKeyId(): string {
  // 32 divides 256, so masking a byte to 5 bits picks each base32 character equally often.
  const suffix = [...randomBytes(KEY_ID_RANDOM_CHARS)].map((byte) => BASE32_ALPHABET[byte & 31]).join('');
  return `MPK${suffix}`;
}

function isSameVersion(a: FileVersion, b: FileVersion): boolean {
  return a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.size === b.size;
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
