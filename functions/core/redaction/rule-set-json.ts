import type { Hash } from 'node:crypto';
import type { DetectorPack } from './pack-schema.ts';
import type { RuleSet } from './rule-schema.ts';

/** The JSON of each rule set and pack serialised so far, by object: they are never changed. */
const serialised = new WeakMap<object, string>();

/**
 * `JSON.stringify(value)` of a rule set or a detector pack, worked out once per object: the
 * compile check key and the version hash of every rule set serialise the packs it enables
 * (~135 KB for the shipped ones, which both shipped rule sets enable), ~1-5 ms of CPU each while
 * `serve` starts.
 */
export function ruleSetJson(value: RuleSet | DetectorPack): string {
  let json = serialised.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    serialised.set(value, json);
  }
  return json;
}

/**
 * Feeds `hash` the bytes of `JSON.stringify({ ruleSet, packs })`, the rule set and each pack
 * serialised once by {@link ruleSetJson}; `packs` holds packs or `[name, pack]` pairs.
 */
export function updateWithRuleSetJson(
  hash: Hash,
  ruleSet: RuleSet,
  packs: readonly DetectorPack[] | readonly (readonly [string, DetectorPack])[],
): Hash {
  hash.update('{"ruleSet":').update(ruleSetJson(ruleSet)).update(',"packs":[');
  packs.forEach((entry, index) => {
    if (index > 0) hash.update(',');
    if (Array.isArray(entry)) {
      const [name, pack] = entry as readonly [string, DetectorPack];
      hash
        .update(`[${JSON.stringify(name)},`)
        .update(ruleSetJson(pack))
        .update(']');
    } else {
      hash.update(ruleSetJson(entry as DetectorPack));
    }
  });
  return hash.update(']}');
}
