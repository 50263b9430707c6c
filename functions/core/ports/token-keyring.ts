/** Key ids name master keys inside tokens (`tok:<keyId>:…`) and key files: 1–16 of `a-z0-9`. */
export const TOKEN_KEY_ID_PATTERN = /^[a-z0-9]{1,16}$/;

/** Length in bytes of every master key. */
export const TOKEN_MASTER_KEY_BYTES = 32;

/** Key material for hash and tokenize actions: 32-byte master keys by id; new tokens use currentKeyId. */
export interface TokenKeys {
  readonly currentKeyId: string;
  readonly keys: ReadonlyMap<string, Uint8Array>;
}

/** Port: where token keys come from (local file, Secrets Manager). */
export interface TokenKeyring {
  load(): Promise<TokenKeys>;
}
