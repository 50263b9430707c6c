import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyringError } from '../core/errors.ts';
import {
  TOKEN_KEY_ID_PATTERN,
  TOKEN_MASTER_KEY_BYTES,
  type TokenKeyring,
  type TokenKeys,
} from '../core/ports/token-keyring.ts';

/** File name of the key file inside the maskpoint home directory. */
export const TOKEN_KEYS_FILE = 'token-keys.json';

interface KeyFile {
  currentKeyId: string;
  keys: Record<string, string>;
}

/**
 * Token keys in `<home>/token-keys.json` (`{ "currentKeyId": "k1", "keys": { "k1": "<base64>" } }`),
 * for local runs and the CLI. The first `load()` creates the file with one random key `k1`
 * (directory 0700, file 0600). A key file readable by group or others is refused.
 *
 * `rotate()` adds key `k<n+1>`, makes it current and keeps the old keys, so tokens made before
 * the rotation still reverse; it returns the new key id.
 *
 * @example
 * ```ts
 * const keyring = createLocalTokenKeyring(resolveMaskpointHome());
 * const keys = await keyring.load();
 * await keyring.rotate(); // 'k2'
 * ```
 */
export function createLocalTokenKeyring(home: string): TokenKeyring & { rotate(): Promise<string> } {
  const path = join(home, TOKEN_KEYS_FILE);

  async function readKeyFile(): Promise<KeyFile | undefined> {
    let mode: number;
    try {
      mode = (await stat(path)).mode;
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw new KeyringError(`cannot read token key file ${path}`, { cause: error });
    }
    if ((mode & 0o077) !== 0) {
      throw new KeyringError(
        `token key file ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
      );
    }
    let document: unknown;
    try {
      document = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new KeyringError(`token key file ${path} is not valid JSON`, { cause: error });
    }
    return validate(document, path);
  }

  /** Writes the file only if none exists, complete or not at all, so racing processes agree. */
  async function createKeyFile(): Promise<void> {
    await mkdir(home, { recursive: true, mode: 0o700 });
    const content = serialize({
      currentKeyId: 'k1',
      keys: { k1: randomBytes(TOKEN_MASTER_KEY_BYTES).toString('base64') },
    });
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
    try {
      await link(temporary, path);
    } catch (error) {
      if (!isErrno(error, 'EEXIST'))
        throw new KeyringError(`cannot create token key file ${path}`, { cause: error });
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async function readOrCreateKeyFile(): Promise<KeyFile> {
    const existing = await readKeyFile();
    if (existing !== undefined) return existing;
    await createKeyFile();
    const created = await readKeyFile();
    if (created === undefined)
      throw new KeyringError(`token key file ${path} disappeared after it was created`);
    return created;
  }

  async function load(): Promise<TokenKeys> {
    return toTokenKeys(await readOrCreateKeyFile());
  }

  async function rotate(): Promise<string> {
    await readOrCreateKeyFile();
    // A second rotator would rewrite the file from a stale copy and lose a key, and with it
    // every token made with that key; the lock makes the read-modify-write exclusive.
    const lock = `${path}.lock`;
    try {
      await writeFile(lock, String(process.pid), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
      throw new KeyringError(`another key rotation holds ${lock}; remove it if no rotation is running`, {
        cause: error,
      });
    }
    try {
      const file = await readOrCreateKeyFile();
      const numbers = Object.keys(file.keys).map((id) => Number(/^k(\d+)$/.exec(id)?.[1] ?? 0));
      const keyId = `k${Math.max(0, ...numbers) + 1}`;
      const next: KeyFile = {
        currentKeyId: keyId,
        keys: { ...file.keys, [keyId]: randomBytes(TOKEN_MASTER_KEY_BYTES).toString('base64') },
      };
      const temporary = `${path}.${randomUUID()}.tmp`;
      await writeFile(temporary, serialize(next), { mode: 0o600, flag: 'wx' });
      await rename(temporary, path);
      return keyId;
    } finally {
      await rm(lock, { force: true });
    }
  }

  return { load, rotate };
}

function validate(document: unknown, path: string): KeyFile {
  const file = document as Partial<KeyFile> | null;
  if (typeof file !== 'object' || file === null || typeof file.keys !== 'object' || file.keys === null) {
    throw new KeyringError(
      `token key file ${path}: expected { "currentKeyId": "k1", "keys": { "k1": "<base64>" } }`,
    );
  }
  for (const [keyId, encoded] of Object.entries(file.keys)) {
    if (!TOKEN_KEY_ID_PATTERN.test(keyId)) {
      throw new KeyringError(`token key file ${path}: key id "${keyId}" is not 1-16 characters of a-z, 0-9`);
    }
    if (typeof encoded !== 'string' || !isCanonicalKey(encoded)) {
      throw new KeyringError(
        `token key file ${path}: key "${keyId}" is not ${TOKEN_MASTER_KEY_BYTES} bytes of standard base64`,
      );
    }
  }
  if (typeof file.currentKeyId !== 'string' || !Object.hasOwn(file.keys, file.currentKeyId)) {
    throw new KeyringError(`token key file ${path}: currentKeyId must name one of the keys`);
  }
  return file as KeyFile;
}

function isCanonicalKey(encoded: string): boolean {
  const bytes = Buffer.from(encoded, 'base64');
  return bytes.length === TOKEN_MASTER_KEY_BYTES && bytes.toString('base64') === encoded;
}

function toTokenKeys(file: KeyFile): TokenKeys {
  const keys = new Map<string, Uint8Array>();
  for (const [keyId, encoded] of Object.entries(file.keys))
    keys.set(keyId, new Uint8Array(Buffer.from(encoded, 'base64')));
  return { currentKeyId: file.currentKeyId, keys };
}

function serialize(file: KeyFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
