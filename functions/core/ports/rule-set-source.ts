import type { CompiledPack } from '../redaction/compiled-pack.ts';
import type { RuleFileDocument } from '../redaction/rule-file.ts';

/**
 * Where rule files come from (a directory bundled with the function, a local checkout).
 * `resolveRuleSets` turns what it loads (rule files and detector packs) into the catalog.
 */
export interface RuleSetSource {
  /**
   * Reads and validates every rule file.
   *
   * @throws RuleValidationError listing the problems of all files at once; no file is returned
   *   when any is invalid.
   */
  load(): Promise<RuleFileDocument[]>;
  /**
   * Reads and checks every detector pack the rule sets may enable.
   *
   * @throws RuleValidationError listing the problems of all pack files at once.
   */
  loadPacks(): Promise<CompiledPack[]>;
}
