import {
  createLocalRuleSetSource,
  DEFAULT_RULES_DIR,
} from '../../../functions/adapters/local-rule-set-source.ts';
import type { CompiledPack, CompiledPackEntry } from '../../../functions/core/redaction/compiled-pack.ts';

/** The packs shipped in `redaction-rules/packs/`. */
export const shippedPacks: readonly CompiledPack[] =
  await createLocalRuleSetSource(DEFAULT_RULES_DIR).loadPacks();

/** Every pattern or block detector of the shipped packs, with its pack. */
export const shippedMembers = shippedPacks.flatMap((pack) =>
  pack.entries.flatMap((entry) =>
    entry.kind === 'member'
      ? [{ pack: pack.name, entry: entry as Extract<CompiledPackEntry, { kind: 'member' }> }]
      : [],
  ),
);

/** The texts a pack detector's examples give (inputs and near misses). */
export function exampleTexts(entry: CompiledPackEntry): string[] {
  return entry.detector.examples.map((example) => ('survives' in example ? example.survives : example.input));
}
