import { createHash } from 'node:crypto';
import { type AccessGrant, allowsPassthrough } from '../access-policy.ts';
import { PreconditionFailedError, ServiceUnavailableError } from '../errors.ts';
import { openRedactedObject } from '../open-redacted-object.ts';
import type {
  ObjectLocation,
  ObjectSource,
  SourceConditions,
  SourceObject,
  SourceObjectHead,
} from '../ports/object-source.ts';
import type { OpenRedaction } from '../ports/redaction-engine.ts';
import type { TokenKeys } from '../ports/token-keyring.ts';
import { coversEveryCaller, scopeCoversObject } from '../redaction/scope-match.ts';
import type { RuleRegistry } from '../rule-registry.ts';
import { type ViewIdentity, viewId } from './view-id.ts';
import { type OpenViewSource, UnstorableViewError } from './view-materializer.ts';

/** One stored object under one rule set: what a view is made of. */
export interface ObjectViewTarget extends ObjectLocation {
  /** The rule set: the one chosen for a caller (`grantFor`), or one of `ruleSetsForKey`. */
  readonly grant: AccessGrant;
  /** `viewKeyIds(keys)` of the token keys the rule set was compiled with. */
  readonly tokenKeyIds: readonly string[];
}

/** What reading and redacting a stored object takes. */
export interface ObjectViewDependencies {
  readonly source: ObjectSource;
  readonly openRedaction: OpenRedaction;
}

/** A stored object's metadata with the ETag a view needs. */
export interface ViewableHead extends SourceObjectHead {
  readonly etag: string;
}

/** A view of one object version under one rule set, ready to look up or make. */
export interface ObjectView {
  readonly identity: ViewIdentity;
  /** `viewId(identity)`. */
  readonly id: string;
  /**
   * Reads the object (GET with the HEAD's ETag as `If-Match`) and opens its redaction as GET
   * serves it; for `ViewMaterializer.materialize`. An object changed since the HEAD rejects with
   * `ServiceUnavailableError` (retry with a fresh HEAD), as the materializer does when a source
   * cannot send `If-Match`.
   */
  readonly open: OpenViewSource;
}

/**
 * What stands for the token keys in a view's identity: the current key's id and a fingerprint of
 * its bytes. Two key sets that share an id but not their bytes (a laptop's local `k1` and a
 * deployed secret's `k1`) hash and tokenize differently, so their views must never share an id.
 * The fingerprint reaches no output: it is hashed into the view id.
 */
export function viewKeyIds(keys: TokenKeys): string[] {
  const key = keys.keys.get(keys.currentKeyId);
  if (key === undefined) return [keys.currentKeyId];
  const fingerprint = createHash('sha256').update('maskpoint-view-key/1\n').update(key).digest('hex');
  return [`${keys.currentKeyId}:${fingerprint.slice(0, 32)}`];
}

/**
 * The identity of the view of `target` whose stored object has `sourceEtag` (from a HEAD, or
 * from the GET a request is being served from).
 */
export function viewIdentityOf(target: ObjectViewTarget, sourceEtag: string): ViewIdentity {
  return {
    bucket: target.bucket,
    key: target.key,
    sourceEtag,
    sourceVersionId: target.versionId,
    ruleSetName: target.grant.compiled.name,
    ruleSetVersion: target.grant.compiled.versionHash,
    tokenKeyIds: target.tokenKeyIds,
  };
}

/**
 * HEAD of the stored object that views of it are named after.
 *
 * @throws UnstorableViewError when the object has no ETag (its versions could not be told
 *   apart); the source's errors (`NoSuchKeyError`, `PreconditionFailedError` for `conditions`, …).
 */
export async function headForViews(
  location: ObjectLocation,
  source: ObjectSource,
  conditions: SourceConditions = {},
): Promise<ViewableHead> {
  const head = await source.headObject(location, conditions);
  const { etag } = head;
  if (etag === undefined) {
    throw new UnstorableViewError('the stored object has no ETag, so its versions cannot be told apart');
  }
  return { ...head, etag };
}

/**
 * The view of `target` as of `head`: its identity and how to make it.
 *
 * @example
 * const head = await headForViews({ bucket, key }, deps.source);
 * const view = objectView({ bucket, key, grant, tokenKeyIds: viewKeyIds(keys) }, head, deps);
 * const metadata = await materializer.materialize(view.identity, view.open);
 */
export function objectView(
  target: ObjectViewTarget,
  head: ViewableHead,
  deps: ObjectViewDependencies,
): ObjectView {
  const identity = viewIdentityOf(target, head.etag);
  const location = { bucket: target.bucket, key: target.key, versionId: target.versionId };
  return {
    identity,
    id: viewId(identity),
    async open() {
      let source: SourceObject;
      try {
        source = await deps.source.getObject(location, { ifMatch: head.etag });
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        throw new ServiceUnavailableError(
          'the object changed while its redacted view was being made; retry',
          {
            cause: error,
          },
        );
      }
      return openRedactedObject(
        source,
        {
          ruleSet: target.grant.compiled,
          key: target.key,
          allowPassthrough: allowsPassthrough(target.grant.ruleSet, target.key),
        },
        deps.openRedaction,
      );
    },
  };
}

/**
 * Every rule set that some caller could be served `key` under, for warming its views: those
 * whose bucket and key globs match, less those below a rule set that every caller matches at a
 * higher priority (`chooseRuleSet` never picks them). Sorted by name.
 */
export function ruleSetsForKey(rules: RuleRegistry, bucket: string, key: string): AccessGrant[] {
  const matching = rules.ruleSets.filter((ruleSet) => scopeCoversObject(ruleSet, { bucket, key }));
  const floor = Math.max(
    Number.NEGATIVE_INFINITY,
    ...matching.filter(coversEveryCaller).map((ruleSet) => ruleSet.priority),
  );
  return matching
    .filter((ruleSet) => ruleSet.priority >= floor)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((ruleSet) => {
      const compiled = rules.compiled.get(ruleSet.name);
      return compiled === undefined ? [] : [{ ruleSet, compiled }];
    });
}
