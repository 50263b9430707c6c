import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let yaml: typeof Yaml | undefined;

/**
 * YAML, loaded on first use. The CLI bundle (bin/cli-bundle.js) maps `yaml` to this module: the
 * bundle ships what YAML reads from the shipped rule and pack files (`PARSED_RULES_FILE`), so
 * `serve` and `redact` with the shipped rules parse no YAML unless a message needs a position,
 * and loading the package costs ~30 ms of CPU at every start. Only what
 * functions/core/redaction/rule-file.ts uses is here.
 */
function load(): typeof Yaml {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml;
}

export const parseDocument = ((...args: Parameters<typeof Yaml.parseDocument>) =>
  load().parseDocument(...args)) as typeof Yaml.parseDocument;

export const isMap = ((node: unknown) => load().isMap(node)) as typeof Yaml.isMap;

export const isPair = ((node: unknown) => load().isPair(node)) as typeof Yaml.isPair;

export const isScalar = ((node: unknown) => load().isScalar(node)) as typeof Yaml.isScalar;

export const isSeq = ((node: unknown) => load().isSeq(node)) as typeof Yaml.isSeq;

/** A constructor whose `new` gives an instance of YAML's own LineCounter. */
export const LineCounter = function LineCounter() {
  return new (load().LineCounter)();
} as unknown as typeof Yaml.LineCounter;
