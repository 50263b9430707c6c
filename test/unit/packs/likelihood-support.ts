import fc from 'fast-check';
import { expect } from 'vitest';
import { RuleValidationError } from '../../../functions/core/errors.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { compileRuleSetOrigin } from '../../../functions/core/redaction/compile-rule-set-origin.ts';
import type { CompiledPack } from '../../../functions/core/redaction/compiled-pack.ts';
import { compilePackFile } from '../../../functions/core/redaction/detector-pack.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import type { TextFormat } from '../../../functions/core/redaction/formats/format-redactor.ts';
import type { Likelihood } from '../../../functions/core/redaction/likelihood.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';
import { shippedPacks } from './shipped-packs.ts';

/** A rule set's pack entry: a name (the default likelihood) or the pack with its options. */
export type PackUse = string | { pack: string; likelihood: Likelihood; except?: string[] };

/** The rule set of `uses` alone, over `packs` (the shipped ones unless given). */
export function compiledWith(
  uses: readonly PackUse[],
  packs: readonly CompiledPack[] = shippedPacks,
): CompiledRuleSet {
  return compileRuleSet(
    ruleSetSchema.parse({ name: 'likelihood', packs: uses }),
    testTokenKeys('k1'),
    undefined,
    new Map(packs.map((pack) => [pack.name, pack])),
  );
}

/** `compiled` made again from its plain-data origin after a structured clone, as a worker thread gets it. */
export function recompiledFromOrigin(compiled: CompiledRuleSet): CompiledRuleSet {
  if (compiled.origin === undefined) throw new Error('a compiled rule set keeps its origin');
  return compileRuleSetOrigin(structuredClone(compiled.origin));
}

/** `chunks` pushed through the format redactor of `format`, joined. */
export function redact(compiled: CompiledRuleSet, format: TextFormat, chunks: readonly string[]): string {
  const redactor = createFormatRedactor(format, new Redactor(compiled));
  return chunks.map((chunk) => redactor.push(chunk)).join('') + redactor.end();
}

/** Text before and after a value that names no identifier: no keyword of any pack. */
export const before = fc.constantFrom('', 'ref ', 'order: ', 'id=', '(', '"', 'line\n', '\t');
export const after = fc.constantFrom('', ' ', '.', ',', ')', '"', '\n', ' shipped');

/** `text` as a regex source that matches it literally. */
export const escaped = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** Where the pack files of {@link acmePackText} say they are. */
export const ACME_PACK_FILE = 'redaction-rules/packs/acme.yaml';

/**
 * A pack file of one detector, `acme-number` with `pattern` and `maxLength`, its `detector` lines
 * (written as its members are, four spaces in) and two examples.
 */
export function acmePackText(pattern: string, maxLength: number, detector: readonly string[]): string {
  return [
    'pack: acme',
    'description: Acme numbers.',
    'detectors:',
    '  - id: acme-number',
    '    label: ACME_NUMBER',
    '    description: Acme numbers',
    `    pattern: '${pattern}'`,
    `    maxLength: ${maxLength}`,
    ...detector,
    '    examples:',
    "      - { input: 'acme 00000018', output: 'acme [ACME_NUMBER]' }",
    "      - { survives: 'acme 00000017' }",
    '',
  ].join('\n');
}

/** The message a pack file of `text` is rejected with (the test fails when it compiles). */
export function packProblems(text: string): string {
  try {
    compilePackFile(text, ACME_PACK_FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleValidationError);
    return (error as RuleValidationError).message;
  }
  throw new Error('expected the pack file to be rejected');
}
