import { type CompiledPack, compilePack, compilePacks, type ValidatedPackFile } from './compiled-pack.ts';
import { detectorPackSchema } from './pack-schema.ts';
import type { PatternFactsLookup } from './pattern-facts.ts';
import { parseYamlFile, type RuleFileText } from './rule-file.ts';

/**
 * Parses, validates and checks every pack file, reporting the problems of all of them at once:
 * schema errors (file:line:column), then what {@link compilePacks} checks. `cachedFacts` gives
 * the facts of patterns already checked (a cache built from the shipped packs); the others are
 * checked here.
 *
 * @throws RuleValidationError listing every problem, one per line.
 */
export function compilePackFiles(
  sources: readonly RuleFileText[],
  cachedFacts?: PatternFactsLookup,
): CompiledPack[] {
  return compilePacks(sources, validatePackFile, cachedFacts);
}

/**
 * Parses, validates and checks one pack file (see {@link compilePackFiles}); `value` is what YAML
 * reads from `text` and `output` the schema's output for it when a cache holds them (see
 * `parseYamlFile`), `cachedFacts` as in compilePackFiles.
 *
 * @throws RuleValidationError listing every problem of the file.
 */
export function compilePackFile(
  text: string,
  file: string,
  value?: unknown,
  cachedFacts?: PatternFactsLookup,
  output?: unknown,
): CompiledPack {
  return compilePack(file, validatePackFile({ file, text, value, output }), cachedFacts);
}

/**
 * A pack file parsed and validated against the pack schema, or its output a cache holds (see
 * `parseYamlFile`).
 *
 * @throws RuleValidationError listing the file's schema problems.
 */
export function validatePackFile({ file, text, value, output }: RuleFileText): ValidatedPackFile {
  const validated = parseYamlFile(text, file, detectorPackSchema, value, output);
  return { pack: validated.output, positionOf: validated.positionOf };
}
