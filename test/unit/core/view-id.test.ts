import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  objectViewsPrefix,
  REDACTION_ENGINE_VERSION,
  VIEW_ID_PATTERN,
  type ViewIdentity,
  viewId,
} from '../../../functions/core/views/view-id.ts';

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const etags = fc.stringMatching(/^[0-9a-f]{1,32}(-[0-9]{1,3})?$/);
const keyIds = fc.stringMatching(/^[a-z0-9]{1,16}$/);

const identities: fc.Arbitrary<ViewIdentity> = fc.record({
  bucket: text,
  key: text,
  sourceEtag: etags,
  sourceVersionId: fc.option(text, { nil: undefined }),
  ruleSetName: text,
  ruleSetVersion: text,
  tokenKeyIds: fc.uniqueArray(keyIds, { maxLength: 3 }),
  engineVersion: fc.option(text, { nil: undefined }),
});

type Field = keyof ViewIdentity;

/** A copy of `identity` with one field changed to a value that means something else. */
const changedIdentities = fc
  .tuple(identities, fc.constantFrom<Field>(...(Object.keys(identitiesFields()) as Field[])), text, keyIds)
  .filter(([identity, field, value, keyId]) => {
    if (field === 'tokenKeyIds') return !identity.tokenKeyIds.includes(keyId);
    if (field === 'sourceEtag') return /^[0-9a-f]+$/.test(value) && value !== identity.sourceEtag;
    if (field === 'engineVersion') return value !== (identity.engineVersion ?? REDACTION_ENGINE_VERSION);
    return value !== identity[field];
  })
  .map(([identity, field, value, keyId]) => {
    const changed: ViewIdentity =
      field === 'tokenKeyIds'
        ? { ...identity, tokenKeyIds: [keyId, ...identity.tokenKeyIds.slice(1)] }
        : { ...identity, [field]: value };
    return { identity, field, changed };
  });

function identitiesFields(): Record<Field, true> {
  return {
    bucket: true,
    key: true,
    sourceEtag: true,
    sourceVersionId: true,
    ruleSetName: true,
    ruleSetVersion: true,
    tokenKeyIds: true,
    engineVersion: true,
  };
}

describe('viewId', () => {
  it('gives the same id for the same inputs, computed again from a copy', () => {
    fc.assert(
      fc.property(identities, (identity) => {
        expect(viewId(structuredClone(identity))).toBe(viewId(identity));
      }),
    );
  });

  it('changes when any one input changes: object, version, rule set, token keys or engine', () => {
    fc.assert(
      fc.property(changedIdentities, ({ identity, changed }) => {
        expect(viewId(changed)).not.toBe(viewId(identity));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps fields apart: moving characters from one field to the next changes the id', () => {
    fc.assert(
      fc.property(
        identities,
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.nat(),
        (base, joined, i, j) => {
          const [a, b] = [i % (joined.length + 1), j % (joined.length + 1)].sort((x, y) => x - y) as [
            number,
            number,
          ];
          fc.pre(a !== b);
          const first = { ...base, bucket: joined.slice(0, a), key: joined.slice(a) };
          const second = { ...base, bucket: joined.slice(0, b), key: joined.slice(b) };
          expect(viewId(first)).not.toBe(viewId(second));
        },
      ),
    );
  });

  it('tells an absent version id from an empty one', () => {
    fc.assert(
      fc.property(identities, (identity) => {
        expect(viewId({ ...identity, sourceVersionId: undefined })).not.toBe(
          viewId({ ...identity, sourceVersionId: '' }),
        );
      }),
    );
  });

  it('ignores the order and repeats of token key ids, and the quoting of the ETag', () => {
    fc.assert(
      fc.property(identities, (identity) => {
        const id = viewId(identity);
        const keys = [...identity.tokenKeyIds].reverse();
        expect(viewId({ ...identity, tokenKeyIds: [...keys, ...keys] })).toBe(id);
        expect(viewId({ ...identity, sourceEtag: `"${identity.sourceEtag}"` })).toBe(id);
        expect(viewId({ ...identity, sourceEtag: `W/"${identity.sourceEtag}"` })).toBe(id);
      }),
    );
  });

  it('names no bucket, key or ETag: ids are hex only, whatever the inputs', () => {
    fc.assert(
      fc.property(identities, (identity) => {
        const id = viewId({ ...identity, key: `secret/${identity.key}.csv` });
        expect(id).toMatch(VIEW_ID_PATTERN);
        expect(id).not.toContain('secret');
      }),
    );
  });

  it('starts every view id of one object with that object prefix, and no other object shares it', () => {
    fc.assert(
      fc.property(identities, identities, (a, b) => {
        expect(viewId(a).startsWith(objectViewsPrefix(a.bucket, a.key))).toBe(true);
        const isSameObject = a.bucket === b.bucket && a.key === b.key;
        expect(objectViewsPrefix(a.bucket, a.key) === objectViewsPrefix(b.bucket, b.key)).toBe(isSameObject);
      }),
    );
  });
});
