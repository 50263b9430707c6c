import {
  GATEWAY_KEY_BUCKET_PATTERN,
  GATEWAY_KEY_ID_PATTERN,
  GATEWAY_KEY_NAME_PATTERN,
} from '../core/ports/credential-store.ts';
import type { GatewayKeyFile, StoredKey } from './gateway-key-file-schema.ts';
import { hasOnlyKeys, isIsoTimestamp } from './written-json.ts';

/**
 * A key file document read as `gatewayKeyFileSchema` reads it, when it is one as the key stores
 * write it: `{ keys }` and each key with its fields alone, every field as the schema asks, each
 * time as `toISOString` writes a real date. Else `undefined`, and the schema decides (its
 * messages name what is wrong). Every document taken here the schema takes, with the same output;
 * reading one needs no zod, which a start of `serve` with a key file otherwise loads for it.
 */
export function keyFileAsWritten(document: unknown): GatewayKeyFile | undefined {
  if (!hasOnlyKeys(document, ['keys']) || !Array.isArray(document.keys)) return undefined;
  const keys: StoredKey[] = [];
  for (const key of document.keys) {
    const stored = keyAsWritten(key);
    if (stored === undefined) return undefined;
    keys.push(stored);
  }
  return { keys };
}

function keyAsWritten(key: unknown): StoredKey | undefined {
  const fields = ['name', 'accessKeyId', 'secretAccessKey', 'buckets', 'createdAt', 'revokedAt'];
  if (!hasOnlyKeys(key, fields)) return undefined;
  const { name, accessKeyId, secretAccessKey, buckets, createdAt, revokedAt } = key;
  if (
    typeof name !== 'string' ||
    !GATEWAY_KEY_NAME_PATTERN.test(name) ||
    typeof accessKeyId !== 'string' ||
    !GATEWAY_KEY_ID_PATTERN.test(accessKeyId) ||
    typeof secretAccessKey !== 'string' ||
    secretAccessKey.length < 40 ||
    !Array.isArray(buckets) ||
    buckets.length === 0 ||
    !buckets.every((bucket) => typeof bucket === 'string' && GATEWAY_KEY_BUCKET_PATTERN.test(bucket)) ||
    !isIsoTimestamp(createdAt) ||
    (revokedAt !== undefined && !isIsoTimestamp(revokedAt))
  ) {
    return undefined;
  }
  // The schema's output has its fields in its own order, `revokedAt` only when given.
  return {
    name,
    accessKeyId,
    secretAccessKey,
    buckets,
    createdAt,
    ...(revokedAt === undefined ? {} : { revokedAt }),
  };
}
