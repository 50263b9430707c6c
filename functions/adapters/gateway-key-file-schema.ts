import { z } from 'zod';
import {
  GATEWAY_KEY_BUCKET_PATTERN,
  GATEWAY_KEY_ID_PATTERN,
  GATEWAY_KEY_NAME_PATTERN,
} from '../core/ports/credential-store.ts';

const storedKeySchema = z.object({
  name: z.string().regex(GATEWAY_KEY_NAME_PATTERN),
  accessKeyId: z.string().regex(GATEWAY_KEY_ID_PATTERN),
  secretAccessKey: z.string().min(40),
  buckets: z.array(z.string().regex(GATEWAY_KEY_BUCKET_PATTERN)).min(1),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().optional(),
});

/**
 * The gateway key registry, revoked keys included: the local file's and the Secrets Manager
 * secret's shape. A module of its own, which the local key store imports only for a file that
 * is not as the stores write it (see `keyFileAsWritten`): a start of `serve` does not load zod.
 */
export const gatewayKeyFileSchema = z.object({ keys: z.array(storedKeySchema) });

/** One key as the registry stores it. */
export type StoredKey = z.infer<typeof storedKeySchema>;
/** The registry document: every key ever issued, in creation order. */
export type GatewayKeyFile = z.infer<typeof gatewayKeyFileSchema>;
