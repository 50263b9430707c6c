import { createHash, type Hash } from 'node:crypto';

/**
 * Version of the redaction engine's output. Bump it with any change that makes the engine
 * write different bytes for the same object and rule set: every stored view then stops matching.
 */
export const REDACTION_ENGINE_VERSION = '4';

/** Everything that decides the bytes of a redacted view. */
export interface ViewIdentity {
  readonly bucket: string;
  readonly key: string;
  /**
   * ETag of the stored object (quoted or not, weak or not: the same view). It tells versions
   * apart. Required: an object without one cannot be told from its next version, so it gets
   * no view.
   */
  readonly sourceEtag: string;
  /**
   * The version the request names (`?versionId=`), else `undefined`: a listing names no
   * version, and its entries must find the views a GET of the latest version made.
   */
  readonly sourceVersionId?: string | undefined;
  readonly ruleSetName: string;
  /** `CompiledRuleSet.versionHash`. */
  readonly ruleSetVersion: string;
  /**
   * Ids of the token keys the rule set's `hash` and `tokenize` actions use (today
   * `TokenKeys.currentKeyId`); order and repeats do not matter.
   */
  readonly tokenKeyIds: readonly string[];
  /** @default REDACTION_ENGINE_VERSION */
  readonly engineVersion?: string | undefined;
}

/** A view id: 32 hex digits for the stored object (bucket, key), `-`, 64 for the view itself. */
export const VIEW_ID_PATTERN = /^[0-9a-f]{32}-[0-9a-f]{64}$/;

/**
 * The id of the view `identity` describes: SHA-256 over a length-prefixed encoding of every
 * field, so no two identities share an id and the id reveals no bucket, key or ETag. A new
 * object version, rule set version, token key or engine version gives a new id, so an old view
 * can never be served for it.
 *
 * @example
 * const id = viewId({ bucket: 'data', key: 'people.csv', sourceEtag: '"9b2c…"', ruleSetName: 'pii',
 *   ruleSetVersion: compiled.versionHash, tokenKeyIds: [keys.currentKeyId] });
 * const metadata = await store.get(id);
 */
export function viewId(identity: ViewIdentity): string {
  const hash = createHash('sha256').update('maskpoint-view/1\n');
  updateString(hash, identity.bucket);
  updateString(hash, identity.key);
  updateString(hash, bareEtag(identity.sourceEtag));
  updateString(hash, identity.sourceVersionId);
  updateString(hash, identity.ruleSetName);
  updateString(hash, identity.ruleSetVersion);
  const keyIds = [...new Set(identity.tokenKeyIds)].sort();
  hash.update(`l${keyIds.length}:`);
  for (const keyId of keyIds) updateString(hash, keyId);
  updateString(hash, identity.engineVersion ?? REDACTION_ENGINE_VERSION);
  return `${objectViewsPrefix(identity.bucket, identity.key)}${hash.digest('hex')}`;
}

/**
 * The start shared by the ids of every view of one stored object (any version, any rule set),
 * for `ViewStore.deleteObjectViews`.
 */
export function objectViewsPrefix(bucket: string, key: string): string {
  const hash = createHash('sha256').update('maskpoint-view-object/1\n');
  updateString(hash, bucket);
  updateString(hash, key);
  return `${hash.digest('hex').slice(0, 32)}-`;
}

/** Feeds one field, tagged and length-prefixed, so that field boundaries cannot shift. */
function updateString(hash: Hash, value: string | undefined): void {
  if (value === undefined) {
    hash.update('u;');
    return;
  }
  const bytes = Buffer.from(value, 'utf8');
  hash.update(`s${bytes.byteLength}:`);
  hash.update(bytes);
}

/** True when two ETags name the same stored bytes, whatever their quoting. */
export function sameEtag(a: string, b: string): boolean {
  return bareEtag(a) === bareEtag(b);
}

function bareEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}
