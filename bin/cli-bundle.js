#!/usr/bin/env node
// The CLI and `serve` run from one prebuilt bundle: plain JavaScript that Node loads without a
// TypeScript loader, split into one chunk per command so `--help` loads almost nothing.
// `npm ci` builds it (the `prepare` script runs this file); bin/maskpoint.js rebuilds it when a
// source is newer. Plain JavaScript so that it runs before anything is compiled.
import { createHash } from 'node:crypto';
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The bundle's folder; the entry point is {@link CLI_BUNDLE}, the command chunks sit beside it. */
export const CLI_BUNDLE_DIR = join(ROOT, 'dist/cli');
/** The bundle's entry point, relative to the repository (the Dockerfile runs it as /app/dist/cli/maskpoint.mjs). */
export const CLI_BUNDLE = 'dist/cli/maskpoint.mjs';
/** The source files the bundle was built from, relative to the repository, one per line. */
const INPUTS_FILE = join(CLI_BUNDLE_DIR, 'inputs.txt');
/** What YAML reads from the shipped rule and pack files (functions/adapters/local-rule-set-source.ts, PARSED_RULES_FILE). */
const PARSED_RULES_FILE = join(CLI_BUNDLE_DIR, 'parsed-rules.json');
/** recheck's verdicts on the shipped custom patterns (functions/cli/lazy-recheck.ts, RECHECK_VERDICTS_FILE). */
const RECHECK_VERDICTS_FILE = join(CLI_BUNDLE_DIR, 'recheck-verdicts.json');
/** The facts of the shipped packs' patterns (functions/adapters/local-rule-set-source.ts, PATTERN_FACTS_FILE). */
const PATTERN_FACTS_FILE = join(CLI_BUNDLE_DIR, 'pattern-facts.json');
/** The schema's output for the shipped rule and pack files and merged rule sets (functions/adapters/local-rule-set-source.ts, VALIDATED_RULES_FILE). */
const VALIDATED_RULES_FILE = join(CLI_BUNDLE_DIR, 'validated-rules.json');
/** The shipped rule sets that compile, by compile check key (functions/adapters/local-rule-set-source.ts, COMPILED_RULE_SETS_FILE). */
const COMPILED_RULE_SETS_FILE = join(CLI_BUNDLE_DIR, 'compiled-rule-sets.json');
/** The anchor automata of the shipped rule sets (functions/adapters/local-rule-set-source.ts, ANCHOR_AUTOMATA_FILE). */
const ANCHOR_AUTOMATA_FILE = join(CLI_BUNDLE_DIR, 'anchor-automata.json');
/** Their transitions (ANCHOR_AUTOMATA_TRANSITIONS_FILE there). */
const ANCHOR_AUTOMATA_TRANSITIONS_FILE = join(CLI_BUNDLE_DIR, 'anchor-automata.bin');
/** The anchor facts of the shipped packs' members (functions/adapters/local-rule-set-source.ts, ANCHOR_FACTS_FILE). */
const ANCHOR_FACTS_FILE = join(CLI_BUNDLE_DIR, 'anchor-facts.json');
/** The shipped rule sets and, in its packs/ folder, the detector packs. */
const RULES_DIR = join(ROOT, 'redaction-rules');

/**
 * Packages bundled into the chunks, with the packages they import, instead of imported from
 * node_modules: what `serve` and `redact` load at every start and that costs most as separate
 * files. zod's classic API is ~230 ESM files and libphonenumber-js/max ~230, each of which Node
 * resolves, reads and links; @smithy/signature-v4 (the gateway's SigV4 check) requires the CommonJS
 * builds of all of @smithy/core, ~22 ms of CPU, where its ESM build bundled keeps only what it uses.
 */
const BUNDLED_PACKAGES = ['zod', 'libphonenumber-js', '@smithy/signature-v4'];

/**
 * Packages the bundle maps to a module of its own: recheck is loaded on the first custom pattern
 * instead of at start (functions/cli/lazy-recheck.ts), and YAML on the first rule file the
 * shipped parse does not cover (functions/cli/lazy-yaml.ts), and libmime on the first mail
 * object (functions/cli/lazy-libmime.ts), and maxmind on the first geo lookup
 * (functions/cli/lazy-maxmind.ts).
 */
const LAZY_PACKAGES = {
  recheck: './functions/cli/lazy-recheck.ts',
  yaml: './functions/cli/lazy-yaml.ts',
  libmime: './functions/cli/lazy-libmime.ts',
  maxmind: './functions/cli/lazy-maxmind.ts',
};

/**
 * An esbuild plugin that leaves every package import an import, as `packages: 'external'` does
 * (https://esbuild.github.io/api/#packages), except those of `bundled` (and their subpaths) and
 * those made from a bundled package's files (its own dependencies).
 * https://esbuild.github.io/plugins/#on-resolve: a bare specifier is a package; relative and
 * absolute paths, and `node:` built-ins, are left to esbuild. Plugins resolve before `alias`
 * applies, so an aliased package must be among `bundled`.
 *
 * @param {readonly string[]} bundled package names
 * @returns {import('esbuild').Plugin}
 */
function externalPackagesExcept(bundled) {
  return {
    name: 'external-packages-except',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || args.importer.includes('/node_modules/')) return undefined;
        const name = args.path.startsWith('@')
          ? args.path.split('/').slice(0, 2).join('/')
          : (args.path.split('/')[0] ?? args.path);
        return bundled.includes(name) ? undefined : { path: args.path, external: true };
      });
    },
  };
}

/**
 * An esbuild plugin that bundles zod's `locales` namespace (`z.locales`: the error messages of
 * every language, ~360 KB of the ~750 KB zod adds to the chunks, kept whole because `z` is used
 * as a value) with English alone: nothing here switches zod's language, and its schemas import the
 * English messages themselves (zod/v4/classic/schemas.js). Each start of `serve` or `redact`
 * then parses less (~5 ms of CPU). https://esbuild.github.io/plugins/#on-load
 *
 * @returns {import('esbuild').Plugin}
 */
function zodEnglishOnly() {
  return {
    name: 'zod-english-only',
    setup(build) {
      build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
        contents: "export { default as en } from './en.js';",
        resolveDir: dirname(args.path),
        loader: 'js',
      }));
    },
  };
}

/**
 * An esbuild plugin that bundles libphonenumber-js's metadata (~150 KB, exported by
 * `metadata.*.json.js` as an object literal) as `JSON.parse` of the package's `metadata.*.json`
 * beside it, the same values, which V8 reads several times faster than the literal in code
 * (https://v8.dev/blog/cost-of-javascript-2019#json): each start of `serve` or `redact`
 * evaluates it (~4 ms of CPU).
 *
 * @returns {import('esbuild').Plugin}
 */
function phoneMetadataAsJson() {
  return {
    name: 'phone-metadata-as-json',
    setup(build) {
      build.onLoad({ filter: /[\\/]libphonenumber-js[\\/]metadata\.[a-z]+\.json\.js$/ }, (args) => {
        const json = readFileSync(args.path.replace(/\.js$/, ''), 'utf8');
        return {
          contents: `export default JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(json)))});`,
          loader: 'js',
        };
      });
    },
  };
}

/**
 * Whether the bundle exists and no source it was built from changed since. A source that is gone
 * counts as unchanged: an image ships the bundle without the sources.
 *
 * @returns {boolean}
 */
export function isCliBundleFresh() {
  let builtAt;
  let inputs;
  try {
    builtAt = statSync(INPUTS_FILE).mtimeMs;
    inputs = readFileSync(INPUTS_FILE, 'utf8').split('\n').filter(Boolean);
  } catch {
    return false;
  }
  return inputs.every(
    (input) => (statSync(join(ROOT, input), { throwIfNoEntry: false })?.mtimeMs ?? 0) <= builtAt,
  );
}

/**
 * Bundles functions/cli/main.ts into dist/cli with esbuild (a dev dependency). Every file is
 * written to a temporary name and renamed, chunks first and the entry point last, then the
 * chunks of earlier builds are removed, so a CLI started meanwhile (or a concurrent build of the
 * same sources) never reads half a file or misses a chunk. Options:
 * https://esbuild.github.io/api/#splitting (code splitting needs ESM and outdir),
 * https://esbuild.github.io/api/#packages (node_modules stay imports, loaded only by the chunk that uses them,
 * except BUNDLED_PACKAGES).
 *
 * @returns {Promise<void>}
 */
export async function buildCliBundle() {
  const { build } = await import('esbuild').catch((error) => {
    throw new Error(
      'esbuild, a dev dependency, is not installed: install with dev dependencies (npm ci), or with --ignore-scripts where only the built dist/cli is used',
      { cause: error },
    );
  });
  const startedAt = new Date();
  const result = await build({
    absWorkingDir: ROOT,
    // The segment worker is an entry point of its own: `redact` starts it as a worker thread
    // (functions/adapters/segment-worker-pool.ts finds it beside the chunks).
    entryPoints: {
      maskpoint: 'functions/cli/main.ts',
      'segment-worker': 'functions/adapters/segment-worker.ts',
    },
    outdir: CLI_BUNDLE_DIR,
    outExtension: { '.js': '.mjs' },
    // Chunks sit beside the entry point, two folders below the repository like their sources
    // (functions/X/), so `new URL('../../redaction-rules/', import.meta.url)` still finds the rules.
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // A bundled package without an `exports` map (@smithy/*) is bundled from its ESM build, which
    // esbuild can tree-shake, not its `main` CommonJS one (the default order for platform node):
    // https://esbuild.github.io/api/#main-fields
    mainFields: ['module', 'main'],
    plugins: [
      zodEnglishOnly(),
      phoneMetadataAsJson(),
      externalPackagesExcept([...BUNDLED_PACKAGES, ...Object.keys(LAZY_PACKAGES)]),
    ],
    alias: LAZY_PACKAGES,
    sourcemap: true,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const entry = join(CLI_BUNDLE_DIR, 'maskpoint.mjs');
  const files = [...result.outputFiles].sort((a, b) => Number(a.path === entry) - Number(b.path === entry));
  await mkdir(CLI_BUNDLE_DIR, { recursive: true });
  const shippedRules = await parseShippedRules();
  writeAtomically(PARSED_RULES_FILE, JSON.stringify(shippedRules));
  writeAtomically(RECHECK_VERDICTS_FILE, JSON.stringify(await checkShippedPatterns(shippedRules)));
  writeAtomically(PATTERN_FACTS_FILE, JSON.stringify(await shippedPatternFacts(build, shippedRules)));
  await checkShippedRules(build, shippedRules);
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    writeAtomically(file.path, file.contents);
  }
  // A bundled package counts as one input, its package.json, which an update of it rewrites: a
  // stat of each of its files would cost more at every start (~500 files, ~10 ms) than it tells.
  const inputs = new Set([
    ...Object.keys(result.metafile.inputs).map((input) => {
      const packageDir = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
      return packageDir === undefined ? input : `${packageDir}/package.json`;
    }),
    ...shippedRuleInputs(),
  ]);
  writeAtomically(INPUTS_FILE, `${[...inputs].join('\n')}\n`);
  // A source saved while esbuild read it is newer than the start, so the next run rebuilds.
  utimesSync(INPUTS_FILE, startedAt, startedAt);
  const written = new Set([
    ...files.map((file) => file.path),
    INPUTS_FILE,
    PARSED_RULES_FILE,
    RECHECK_VERDICTS_FILE,
    PATTERN_FACTS_FILE,
    VALIDATED_RULES_FILE,
    COMPILED_RULE_SETS_FILE,
    ANCHOR_AUTOMATA_FILE,
    ANCHOR_AUTOMATA_TRANSITIONS_FILE,
    ANCHOR_FACTS_FILE,
  ]);
  for (const name of readdirSync(CLI_BUNDLE_DIR, { recursive: true, encoding: 'utf8' })) {
    const path = join(CLI_BUNDLE_DIR, name);
    if (!written.has(path) && statSync(path).isFile() && !/\.tmp(\.mjs)?$/.test(path)) rmSync(path);
  }
}

/**
 * The shipped rule and pack files and their folders (a file added or removed changes the
 * folder's mtime), relative to the repository: the caches beside the bundle are worked out from
 * them, so an edited pack makes the bundle stale and the next run rebuilds them, instead of
 * working out at every start what they no longer hold.
 *
 * @returns {string[]}
 */
function shippedRuleInputs() {
  return [RULES_DIR, join(RULES_DIR, 'packs')].flatMap((dir) => {
    if (!existsSync(dir)) return [];
    const files = readdirSync(dir, { withFileTypes: true }).filter(
      (entry) => entry.isFile() && /\.ya?ml$/.test(entry.name),
    );
    return [relative(ROOT, dir), ...files.map((entry) => relative(ROOT, join(dir, entry.name)))];
  });
}

/**
 * What YAML reads from each shipped rule and pack file, by the SHA-256 of its text, read with the
 * options of functions/core/redaction/rule-file-positions.ts (RULE_YAML_OPTIONS) and rule-file.ts
 * (RULE_YAML_MAX_ALIAS_COUNT; test/integration/cli-bundle.test.ts checks that every entry is what
 * it reads). Parsing them is
 * most of the cost of loading the rules at start. Files YAML cannot read, and values JSON cannot
 * carry exactly, are left out: they are parsed (and reported) at start as before.
 *
 * @returns {Promise<Record<string, unknown>>}
 */
async function parseShippedRules() {
  const { parseDocument } = await import('yaml');
  /** @type {Record<string, unknown>} */
  const values = {};
  for (const dir of [RULES_DIR, join(RULES_DIR, 'packs')]) {
    // A build without the rules (a bundle built from the sources alone) holds nothing.
    const entries = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [];
    const names = entries
      .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
      .map((entry) => entry.name);
    for (const name of names) {
      const text = readFileSync(join(dir, name), 'utf8');
      const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
      if (document.errors.length > 0) continue;
      let value;
      try {
        value = document.toJS({ maxAliasCount: 100 });
      } catch {
        continue;
      }
      if (!isDeepStrictEqual(JSON.parse(JSON.stringify(value) ?? 'null'), value)) continue;
      values[createHash('sha256').update(text).digest('hex')] = value;
    }
  }
  return values;
}

/**
 * recheck's verdicts on the custom patterns (`detectors[].pattern`) of the shipped rule files,
 * those it finds safe, by `JSON.stringify([pattern, flags])` (recheckVerdictKey). Run on this
 * thread (its `pure` backend, as the CLI runs it); a pattern it does not find safe is left out,
 * to be checked, and reported, at start.
 *
 * @param {Record<string, unknown>} shippedRules what parseShippedRules gives
 * @returns {Promise<Record<string, unknown>>}
 */
async function checkShippedPatterns(shippedRules) {
  /** @type {Record<string, unknown>} */
  const verdicts = {};
  // Rule sets only: a pack's patterns pass the structural check, never recheck.
  const patterns = Object.values(shippedRules).flatMap((value) => {
    const document = /** @type {{ pack?: unknown, detectors?: unknown }} */ (value ?? {});
    return document.pack === undefined && Array.isArray(document.detectors) ? document.detectors : [];
  });
  if (!patterns.some((detector) => typeof detector?.pattern === 'string')) return verdicts;
  const { checkSync } = await import('recheck');
  const backend = process.env.RECHECK_SYNC_BACKEND;
  process.env.RECHECK_SYNC_BACKEND = 'pure';
  try {
    for (const { pattern, flags = '' } of patterns) {
      if (typeof pattern !== 'string' || typeof flags !== 'string') continue;
      const diagnostics = checkSync(pattern, flags);
      if (diagnostics.status === 'safe') verdicts[JSON.stringify([pattern, flags])] = diagnostics;
    }
  } finally {
    if (backend === undefined) delete process.env.RECHECK_SYNC_BACKEND;
    else process.env.RECHECK_SYNC_BACKEND = backend;
  }
  return verdicts;
}

/**
 * The facts of the shipped packs' patterns and bareValue patterns (`patternFactsOf` of
 * functions/core/redaction/pattern-facts.ts), by `patternFactsKey`. They are worked out by the
 * same code `serve` runs: that module is bundled on its own, its packages included, and imported
 * from memory. A pattern whose check fails is left out, to be checked, and reported, at start.
 *
 * @param {typeof import('esbuild').build} build esbuild's
 * @param {Record<string, unknown>} shippedRules what parseShippedRules gives
 * @returns {Promise<Record<string, unknown>>}
 */
async function shippedPatternFacts(build, shippedRules) {
  /** @type {Record<string, unknown>} */
  const facts = {};
  // A detector's bareValue pattern too: its check at start is the facts' (detector-pack.ts, likelihoodProblems).
  const patterns = Object.values(shippedRules).flatMap((value) => {
    const document = /** @type {{ pack?: unknown, detectors?: unknown }} */ (value ?? {});
    const detectors =
      document.pack !== undefined && Array.isArray(document.detectors) ? document.detectors : [];
    return detectors.flatMap((detector) =>
      typeof detector?.bareValue === 'string'
        ? [detector, { pattern: detector.bareValue, flags: detector.flags }]
        : [detector],
    );
  });
  if (!patterns.some((detector) => typeof detector?.pattern === 'string')) return facts;
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['functions/core/redaction/pattern-facts.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The facts never call recheck; the bundle, imported from a data: URL, cannot resolve packages.
    alias: { recheck: './functions/cli/lazy-recheck.ts' },
    write: false,
    logLevel: 'warning',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no bundle of pattern-facts.ts');
  const source = Buffer.from(output.contents).toString('base64');
  const { patternFactsOf, patternFactsKey } = await import(`data:text/javascript;base64,${source}`);
  for (const { pattern, flags = '' } of patterns) {
    if (typeof pattern !== 'string' || typeof flags !== 'string') continue;
    try {
      facts[patternFactsKey(pattern, flags)] = patternFactsOf(pattern, flags);
    } catch {
      // Reported at start, with the file and line.
    }
  }
  return facts;
}

/**
 * Writes the schema's output for the shipped rule and pack files (VALIDATED_RULES_FILE), then
 * adds that of the shipped rule sets with `extends` merged, then which shipped rule sets compile
 * without a problem (COMPILED_RULE_SETS_FILE) and the anchor automata and anchor facts those
 * compiles built (ANCHOR_AUTOMATA_FILE, ANCHOR_AUTOMATA_TRANSITIONS_FILE, ANCHOR_FACTS_FILE), as functions/cli/shipped-rule-set-checks.ts works them out: that module is bundled as the chunks are and run from a file beside them, so it
 * validates and compiles with the code `serve` runs, reading the shipped-rule files written before
 * it (parsed-rules.json, recheck-verdicts.json, pattern-facts.json, then validated-rules.json) as
 * `serve` does.
 *
 * @param {typeof import('esbuild').build} build esbuild's
 * @param {Record<string, unknown>} shippedRules what parseShippedRules gives
 * @returns {Promise<void>}
 */
async function checkShippedRules(build, shippedRules) {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['functions/cli/shipped-rule-set-checks.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    plugins: [externalPackagesExcept([...BUNDLED_PACKAGES, ...Object.keys(LAZY_PACKAGES)])],
    alias: LAZY_PACKAGES,
    write: false,
    logLevel: 'warning',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no bundle of shipped-rule-set-checks.ts');
  // A .tmp name, which a concurrent build's clean-up leaves alone, that Node imports as ESM.
  const file = join(CLI_BUNDLE_DIR, `shipped-rule-set-checks.${process.pid}.tmp.mjs`);
  writeFileSync(file, output.contents);
  try {
    const {
      validatedShippedRules,
      validatedShippedRuleSets,
      shippedRuleSetChecks,
      shippedAnchorAutomata,
      shippedAnchorFacts,
    } = await import(pathToFileURL(file).href);
    const validatedFiles = validatedShippedRules(shippedRules);
    writeAtomically(VALIDATED_RULES_FILE, JSON.stringify(validatedFiles));
    // Merged rule sets, from the files as serve reads them (the entries just written).
    const ruleSets = await validatedShippedRuleSets();
    writeAtomically(VALIDATED_RULES_FILE, JSON.stringify({ ...validatedFiles, ruleSets }));
    // The compiles build every automaton: none is read from an earlier build's file.
    rmSync(ANCHOR_AUTOMATA_FILE, { force: true });
    rmSync(ANCHOR_AUTOMATA_TRANSITIONS_FILE, { force: true });
    rmSync(ANCHOR_FACTS_FILE, { force: true });
    writeAtomically(COMPILED_RULE_SETS_FILE, JSON.stringify(await shippedRuleSetChecks()));
    const { automata, transitions } = shippedAnchorAutomata();
    // The bytes first: a start reading the JSON of these finds them.
    writeAtomically(ANCHOR_AUTOMATA_TRANSITIONS_FILE, transitions);
    writeAtomically(ANCHOR_AUTOMATA_FILE, JSON.stringify(automata));
    writeAtomically(ANCHOR_FACTS_FILE, JSON.stringify(shippedAnchorFacts()));
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * @param {string} path
 * @param {string | Uint8Array} contents
 */
function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

if (process.argv[1] !== undefined && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  await buildCliBundle().catch((error) => {
    process.stderr.write(
      `maskpoint: could not build ${CLI_BUNDLE}: ${error instanceof Error ? error.message : error}\n`,
    );
    process.exit(1);
  });
}
