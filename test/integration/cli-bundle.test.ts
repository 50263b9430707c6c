import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  createReadStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSync } from 'recheck';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CLI_BUNDLE, CLI_BUNDLE_DIR } from '../../bin/cli-bundle.js';
import {
  ANCHOR_AUTOMATA_FILE,
  ANCHOR_AUTOMATA_TRANSITIONS_FILE,
  ANCHOR_FACTS_FILE,
  COMPILED_RULE_SETS_FILE,
  createLocalRuleSetSource,
  DEFAULT_RULES_DIR,
  loadRuleCatalog,
  PACKS_SUBDIR,
  PARSED_RULES_FILE,
  PATTERN_FACTS_FILE,
  VALIDATED_RULE_SETS_KIND,
  VALIDATED_RULES_FILE,
  validatedRuleSetKey,
} from '../../functions/adapters/local-rule-set-source.ts';
import { createLocalTokenKeyring } from '../../functions/adapters/local-token-keyring.ts';
import { openRedactionStream } from '../../functions/adapters/node-redaction-stream.ts';
import { RECHECK_VERDICTS_FILE, recheckVerdictKey } from '../../functions/cli/lazy-recheck.ts';
import { compileRuleSet } from '../../functions/core/redaction/compile-rule-set.ts';
import { builtAnchorFacts } from '../../functions/core/redaction/detectors/anchor-facts.ts';
import { builtAutomata } from '../../functions/core/redaction/detectors/anchor-search.ts';
import { detectorPackSchema } from '../../functions/core/redaction/pack-schema.ts';
import {
  patternFactsFromJson,
  patternFactsKey,
  patternFactsOf,
} from '../../functions/core/redaction/pattern-facts.ts';
import { resolveRuleSets } from '../../functions/core/redaction/rule-catalog.ts';
import { RULE_YAML_MAX_ALIAS_COUNT } from '../../functions/core/redaction/rule-file.ts';
import { RULE_YAML_OPTIONS } from '../../functions/core/redaction/rule-file-positions.ts';
import { type RuleSetDocument, ruleSetSchema } from '../../functions/core/redaction/rule-schema.ts';
import { compileCheckKey } from '../../functions/core/rule-registry.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'maskpoint-cli-bundle-'));
const env = { ...process.env, MASKPOINT_HOME: home };

function maskpoint(...args: string[]) {
  return spawnSync(process.execPath, ['bin/maskpoint.js', ...args], { cwd: ROOT, env, maxBuffer: 64 << 20 });
}

/** What the engine writes for `file` with the named rule set and the keys in `home`, in this process. */
async function redactInProcess(file: string, ruleSetName: string): Promise<Buffer> {
  const resolved = (await loadRuleCatalog(DEFAULT_RULES_DIR)).get(ruleSetName);
  if (resolved === undefined) throw new Error(`no rule set ${ruleSetName}`);
  const keys = await createLocalTokenKeyring(home).load();
  const ruleSet = compileRuleSet(resolved.ruleSet, keys, (path) => resolved.positionOf(path), resolved.packs);
  const stream = await openRedactionStream(createReadStream(file), { ruleSet, key: file });
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Package imports reachable through static imports from a bundle file: what loading it loads. */
function staticPackages(file: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  if (seen.has(file)) return packages;
  seen.add(file);
  const source = readFileSync(join(CLI_BUNDLE_DIR, file), 'utf8');
  for (const [, specifier] of source.matchAll(/^import\s(?:[^'"]*?\sfrom\s)?["']([^"']+)["'];?$/gms)) {
    if (specifier === undefined || specifier.startsWith('node:')) continue;
    if (specifier.startsWith('./')) {
      for (const name of staticPackages(specifier.slice(2), seen)) packages.add(name);
    } else {
      packages.add(specifier);
    }
  }
  return packages;
}

/** The file of the chunk that `chunk` imports on demand for the module `name` (esbuild names it after the module). */
function importedChunk(chunk: string, name: string): string {
  const source = readFileSync(join(CLI_BUNDLE_DIR, chunk), 'utf8');
  const imported = new RegExp(`import\\("\\./(${name}-[A-Z0-9]+\\.mjs)"\\)`).exec(source)?.[1];
  if (imported === undefined) throw new Error(`${chunk} imports no chunk for ${name}`);
  return imported;
}

/** The file of the chunk the entry point imports for `command`. */
function commandChunk(command: string): string {
  const entry = readFileSync(join(ROOT, CLI_BUNDLE), 'utf8');
  const chunk = new RegExp(`import\\("\\./(${command}-command-[^"]+\\.mjs)"\\)`).exec(entry)?.[1];
  if (chunk === undefined) throw new Error(`no chunk imported for ${command}`);
  return chunk;
}

/** A copy of the shipped rules in a temporary folder, removed after the test. */
/** Compiles every shipped rule set in this process (from the sources: what a cache holds is built here). */
async function compileShippedRuleSets(): Promise<void> {
  const catalog = await loadRuleCatalog(DEFAULT_RULES_DIR);
  const keys = await createLocalTokenKeyring(home).load();
  for (const resolved of catalog.values()) {
    compileRuleSet(resolved.ruleSet, keys, (path) => resolved.positionOf(path), resolved.packs);
  }
}

function copyOfShippedRules(): string {
  const dir = mkdtempSync(join(tmpdir(), 'maskpoint-cli-shipped-rules-'));
  cpSync(DEFAULT_RULES_DIR, dir, { recursive: true });
  return dir;
}

describe('the maskpoint CLI (bin/maskpoint.js → the prebuilt bundle)', () => {
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('prints its usage with --help and exits 0', () => {
    const run = maskpoint('--help');
    expect(run.status).toBe(0);
    expect(run.stdout.toString()).toBe('');
    expect(run.stderr.toString()).toMatch(/^maskpoint — sensitive-data proxy for Amazon S3\n\nUsage:\n/);
    expect(run.stderr.toString()).toContain('maskpoint redact [--rules DIR]');
  });

  it('rejects an unknown command, even an Object.prototype name, with the usage and exit code 2', () => {
    for (const name of ['bogus', 'toString', 'constructor']) {
      const run = maskpoint(name);
      expect(run.status, name).toBe(2);
      expect(run.stderr.toString(), name).toContain('Usage:');
    }
  });

  it('forks the workers of serve before it loads the rule engine, the key stores, the server or any package', () => {
    expect([...staticPackages(commandChunk('serve'))]).toEqual([]);
    // Nor zod (bundled, ~0.75 MB): esbuild marks each bundled module with a comment naming its path.
    const chunks = new Set<string>();
    staticPackages(commandChunk('serve'), chunks);
    expect(
      [...chunks].filter((chunk) => readFileSync(join(CLI_BUNDLE_DIR, chunk), 'utf8').includes('/zod/')),
    ).toEqual([]);
    const engine = [...staticPackages(importedChunk(commandChunk('serve'), 'dependencies'))];
    expect(engine).toEqual(expect.arrayContaining(['@eslint-community/regexpp']));
  });

  it("bundles zod with its English messages alone, which its schemas use, and none of the other languages'", () => {
    const chunks = readdirSync(CLI_BUNDLE_DIR).filter((name) => name.endsWith('.mjs'));
    const sources = chunks.map((chunk) => readFileSync(join(CLI_BUNDLE_DIR, chunk), 'utf8'));
    expect(sources.some((source) => source.includes('/zod/v4/locales/en.js'))).toBe(true);
    expect(
      sources.filter((source) => /\/zod\/v4\/locales\/(?!en\.js|index\.js)[a-z-]+\.js/i.test(source)),
    ).toEqual([]);
  });

  it('loads no package for --help, and no AWS SDK, maxmind, ioredis or recheck for redact', () => {
    expect([...staticPackages('maskpoint.mjs')]).toEqual([]);
    const redact = [...staticPackages(commandChunk('redact'))];
    expect(redact.filter((name) => /^@aws-sdk\/|^maxmind$|^ioredis$|^@middy\/|^recheck$/.test(name))).toEqual(
      [],
    );
    // The check itself finds a command's packages: presign does load the SDK.
    expect([...staticPackages(commandChunk('presign'))].some((name) => name.startsWith('@aws-sdk/'))).toBe(
      true,
    );
  });

  it('starts serve without the AWS SDK, ioredis, Powertools, recheck, YAML, zod, the rate limiter or maxmind: each is loaded only for the option, file, count or geo lookup that needs it', () => {
    // What every start loads: the command, then the rule engine and key stores, then the server.
    const serve = [
      ...new Set(
        [
          commandChunk('serve'),
          ...['dependencies', 'server'].map((name) => importedChunk(commandChunk('serve'), name)),
        ].flatMap((chunk) => [...staticPackages(chunk)]),
      ),
    ];
    expect(
      serve.filter((name) =>
        /^@aws-sdk\/|^ioredis$|^@middy\/|^@aws-lambda-powertools\/|^recheck$|^yaml$|^rate-limiter-flexible\b|^maxmind$/.test(
          name,
        ),
      ),
    ).toEqual([]);
    // What serving local buckets does need is still found.
    expect(serve).toEqual(expect.arrayContaining(['@eslint-community/regexpp']));
    // The SigV4 check is bundled with what it uses of @smithy/core (bin/cli-bundle.js, BUNDLED_PACKAGES).
    expect(serve.filter((name) => name.startsWith('@smithy/'))).toEqual([]);
    // Nor zod (bundled): the shipped rules' schema output is shipped, and a first start only
    // writes its key file. esbuild marks each bundled module with a comment naming its path.
    const chunks = new Set<string>();
    for (const name of ['dependencies', 'keys-from-env', 'local-credential-store', 'server']) {
      staticPackages(importedChunk(commandChunk('serve'), name), chunks);
    }
    expect(
      [...chunks].filter((chunk) => readFileSync(join(CLI_BUNDLE_DIR, chunk), 'utf8').includes('/zod/')),
    ).toEqual([]);
  });

  for (const [sample, ruleSetName] of [
    ['customers.csv', 'default'],
    ['orders.ndjson', 'default'],
    ['app.log', 'default'],
    ['profile.json', 'default'],
    ['customers.csv', 'analytics-partner'],
    ['events.csv.gz', 'default'],
  ] as const) {
    it(`redacts ${sample} with the ${ruleSetName} rule set byte for byte as the engine does`, async () => {
      const file = join(ROOT, 'examples/bucket', sample);
      const run = maskpoint('redact', '--ruleset', ruleSetName, file);
      expect(run.stderr.toString()).toBe('');
      expect(run.status).toBe(0);
      const expected = await redactInProcess(file, ruleSetName);
      expect(run.stdout.length).toBeGreaterThan(0);
      expect(run.stdout.equals(expected)).toBe(true);
    });
  }

  it('redacts standard input on two worker threads of the bundle byte for byte as one thread does', async () => {
    const [header, ...rows] = readFileSync(join(ROOT, 'examples/bucket/customers.csv'), 'utf8').split('\n');
    // About 10 MB: several segments of ~1 MiB.
    const input = Buffer.from(`${header}\n${rows.join('\n').repeat(15_000)}`);
    // Standard input has no known size, so it is always cut into segments when threads are asked for.
    const run = spawnSync(
      process.execPath,
      ['bin/maskpoint.js', 'redact', '--threads', '2', '--content-type', 'text/csv', '-'],
      { cwd: ROOT, env, input, maxBuffer: 64 << 20 },
    );
    expect(run.stderr.toString()).toBe('');
    expect(run.status).toBe(0);
    const single = spawnSync(
      process.execPath,
      ['bin/maskpoint.js', 'redact', '--content-type', 'text/csv', '-'],
      { cwd: ROOT, env, input, maxBuffer: 64 << 20 },
    );
    expect(run.stdout.length).toBeGreaterThan(0);
    expect(run.stdout.equals(single.stdout)).toBe(true);
  });

  it('rejects --threads that is not a whole number from 1, or auto', () => {
    const run = maskpoint('redact', '--threads', '0', join(ROOT, 'examples/bucket/app.log'));
    expect(run.status).toBe(2);
    expect(run.stderr.toString()).toContain('--threads "0" is not allowed');
  });

  it('ships what YAML reads from every shipped rule and pack file, by the hash of its text', () => {
    const parsed = JSON.parse(readFileSync(join(CLI_BUNDLE_DIR, PARSED_RULES_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    const files = [DEFAULT_RULES_DIR, join(DEFAULT_RULES_DIR, PACKS_SUBDIR)].flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => /\.ya?ml$/.test(name))
        .map((name) => join(dir, name)),
    );
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const read = parseDocument(text, RULE_YAML_OPTIONS).toJS({ maxAliasCount: RULE_YAML_MAX_ALIAS_COUNT });
      expect(parsed[createHash('sha256').update(text).digest('hex')], file).toEqual(read);
    }
    expect(Object.keys(parsed)).toHaveLength(files.length);
  });

  it("ships recheck's verdict on every custom pattern of the shipped rule sets, as recheck gives it", () => {
    const verdicts = JSON.parse(readFileSync(join(CLI_BUNDLE_DIR, RECHECK_VERDICTS_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    const patterns = readdirSync(DEFAULT_RULES_DIR)
      .filter((name) => /\.ya?ml$/.test(name))
      .flatMap((name) => {
        const { detectors = [] } = parseDocument(
          readFileSync(join(DEFAULT_RULES_DIR, name), 'utf8'),
        ).toJS() as {
          detectors?: { pattern?: string; flags?: string }[];
        };
        return detectors.flatMap(({ pattern, flags = '' }) =>
          pattern === undefined ? [] : [{ pattern, flags }],
        );
      });
    // The shipped analytics-partner set has one (EMP-…); recheck would otherwise be loaded at every serve start.
    expect(patterns.length).toBeGreaterThan(0);
    for (const { pattern, flags } of patterns) {
      expect(verdicts[recheckVerdictKey(pattern, flags)], pattern).toEqual(checkSync(pattern, flags));
    }
    expect(Object.keys(verdicts)).toHaveLength(patterns.length);
  });

  it('ships the facts of every pattern of the shipped packs, as the engine works them out', () => {
    const facts = JSON.parse(readFileSync(join(CLI_BUNDLE_DIR, PATTERN_FACTS_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    const dir = join(DEFAULT_RULES_DIR, PACKS_SUBDIR);
    const patterns = readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .flatMap((name) => {
        const { detectors = [] } = parseDocument(readFileSync(join(dir, name), 'utf8')).toJS() as {
          detectors?: { pattern?: string; flags?: string; bareValue?: string }[];
        };
        // A bareValue pattern too: its check at start is the facts'.
        return detectors.flatMap(({ pattern, flags = '', bareValue }) =>
          [pattern, bareValue].flatMap((each) => (each === undefined ? [] : [{ pattern: each, flags }])),
        );
      });
    // Checking them is most of what serve spends on rules at start.
    expect(patterns.length).toBeGreaterThan(100);
    const keys = new Set(patterns.map(({ pattern, flags }) => patternFactsKey(pattern, flags)));
    for (const { pattern, flags } of patterns) {
      const shipped = facts[patternFactsKey(pattern, flags)];
      expect(shipped, pattern).toBeDefined();
      expect(patternFactsFromJson(shipped), pattern).toEqual(patternFactsOf(pattern, flags));
    }
    expect(Object.keys(facts)).toHaveLength(keys.size);
  });

  it("ships the schema's output for every shipped rule and pack file, by the hash of its text, as the schema gives it", () => {
    const validated = JSON.parse(readFileSync(join(CLI_BUNDLE_DIR, VALIDATED_RULES_FILE), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    for (const [kind, dir, schema] of [
      ['rules', DEFAULT_RULES_DIR, ruleSetSchema],
      ['packs', join(DEFAULT_RULES_DIR, PACKS_SUBDIR), detectorPackSchema],
    ] as const) {
      const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));
      expect(files.length, kind).toBeGreaterThan(1);
      for (const name of files) {
        const text = readFileSync(join(dir, name), 'utf8');
        const read = parseDocument(text, RULE_YAML_OPTIONS).toJS({
          maxAliasCount: RULE_YAML_MAX_ALIAS_COUNT,
        });
        expect(validated[kind]?.[createHash('sha256').update(text).digest('hex')], name).toEqual(
          schema.parse(read),
        );
      }
      expect(Object.keys(validated[kind] ?? {}), kind).toHaveLength(files.length);
    }
  });

  it("ships the schema's output for every shipped rule set with extends merged, by the key of its merged document, as the schema gives it", async () => {
    const validated = JSON.parse(readFileSync(join(CLI_BUNDLE_DIR, VALIDATED_RULES_FILE), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    // From the sources: no cache beside the module, so every file and merged rule set is validated.
    const source = createLocalRuleSetSource(DEFAULT_RULES_DIR);
    const documents = new Map<string, RuleSetDocument>();
    const catalog = resolveRuleSets(await source.load(), await source.loadPacks(), (document) => {
      documents.set(document.name, document);
      return undefined;
    });
    expect(catalog.size).toBeGreaterThan(1);
    for (const [name, resolved] of catalog) {
      const document = documents.get(name);
      const key = document === undefined ? undefined : validatedRuleSetKey(document);
      expect(key, name).toBeDefined();
      expect(validated[VALIDATED_RULE_SETS_KIND]?.[key as string], name).toEqual(resolved.ruleSet);
    }
    expect(Object.keys(validated[VALIDATED_RULE_SETS_KIND] ?? {})).toHaveLength(catalog.size);
  });

  it('ships the compile check of every shipped rule set, each compiling as the engine compiles it', async () => {
    const checks = JSON.parse(readFileSync(join(CLI_BUNDLE_DIR, COMPILED_RULE_SETS_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    const catalog = await loadRuleCatalog(DEFAULT_RULES_DIR);
    const keys = await createLocalTokenKeyring(home).load();
    expect(catalog.size).toBeGreaterThan(1);
    for (const [name, resolved] of catalog) {
      expect(checks[compileCheckKey(resolved)], name).toBe(name);
      expect(() =>
        compileRuleSet(resolved.ruleSet, keys, (path) => resolved.positionOf(path), resolved.packs),
      ).not.toThrow();
    }
    expect(Object.keys(checks)).toHaveLength(catalog.size);
  });

  it('ships the anchor automata of the shipped rule sets, each as the engine builds it for the same anchors', async () => {
    const shipped = JSON.parse(readFileSync(join(CLI_BUNDLE_DIR, ANCHOR_AUTOMATA_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    await compileShippedRuleSets();
    // In this process (from the sources, no file beside them) every automaton is built.
    const built = builtAutomata();
    const shippedBytes = readFileSync(join(CLI_BUNDLE_DIR, ANCHOR_AUTOMATA_TRANSITIONS_FILE));
    expect(Object.keys(shipped).length).toBeGreaterThan(0);
    for (const [anchors, automaton] of Object.entries(shipped)) {
      // The shipped packs' anchors and keywords, one automaton for both shipped rule sets.
      expect(anchors.split('\0').length).toBeGreaterThan(300);
      const entry = built.automata[anchors];
      expect(entry).toBeDefined();
      const { transitionsAt, ...rest } = automaton as { transitionsAt: number };
      const { transitionsAt: builtAt, ...builtRest } = entry as { transitionsAt: number };
      expect(rest).toEqual(JSON.parse(JSON.stringify(builtRest)));
      const { transitionsSha256, firstOutputState, outputs, width, isWide } = rest as {
        transitionsSha256: string;
        firstOutputState: number;
        outputs: unknown[];
        width: number;
        isWide: boolean;
      };
      const length = (firstOutputState + outputs.length) * width * (isWide ? 4 : 2);
      const own = built.transitions.subarray(builtAt, builtAt + length);
      expect(createHash('sha256').update(own).digest('hex')).toBe(transitionsSha256);
      expect(
        Buffer.from(shippedBytes.subarray(transitionsAt, transitionsAt + length)).equals(Buffer.from(own)),
      ).toBe(true);
    }
  });

  it("ships the anchor facts of the shipped packs' members, each as the engine works them out for the same pattern and anchors", async () => {
    const shipped = JSON.parse(readFileSync(join(CLI_BUNDLE_DIR, ANCHOR_FACTS_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    await compileShippedRuleSets();
    // In this process (from the sources, no file beside them) all are worked out.
    const built = JSON.parse(JSON.stringify(builtAnchorFacts())) as Record<string, unknown>;
    expect(Object.keys(shipped).length).toBeGreaterThan(50);
    expect(shipped).toEqual(built);
  });

  it('counts the shipped rule and pack files and their folders among the inputs of the bundle, so that one edited, added or removed makes it stale', () => {
    const inputs = readFileSync(join(CLI_BUNDLE_DIR, 'inputs.txt'), 'utf8').split('\n');
    const packs = readdirSync(join(DEFAULT_RULES_DIR, PACKS_SUBDIR)).filter((name) => name.endsWith('.yaml'));
    expect(packs.length).toBeGreaterThan(5);
    for (const pack of packs) expect(inputs).toContain(`redaction-rules/packs/${pack}`);
    expect(inputs).toContain('redaction-rules/default.yaml');
    expect(inputs).toContain('redaction-rules/packs');
    expect(inputs).toContain('redaction-rules');
  });

  it('refuses to start serve, naming the line, with a shipped rule set edited after the build so that it no longer compiles', () => {
    const rules = copyOfShippedRules();
    const serveHome = mkdtempSync(join(tmpdir(), 'maskpoint-cli-bundle-serve-'));
    try {
      const file = join(rules, 'analytics-partner.yaml');
      const text = readFileSync(file, 'utf8');
      const edited = text.replace('detectors:\n', 'detectors:\n  - id: no-such-detector\n');
      expect(edited).not.toBe(text);
      writeFileSync(file, edited);
      const line = edited.split('\n').indexOf('  - id: no-such-detector') + 1;
      const run = spawnSync(
        process.execPath,
        [
          'bin/maskpoint.js',
          'serve',
          '--port',
          '0',
          '--workers',
          '1',
          '--rules',
          rules,
          '--bucket',
          'example=examples/bucket',
        ],
        // A start that wrongly succeeds is stopped rather than left to hang the suite.
        { cwd: ROOT, env: { ...env, MASKPOINT_HOME: serveHome }, killSignal: 'SIGKILL', timeout: 60_000 },
      );
      expect(run.status).toBe(1);
      expect(run.stdout.toString()).not.toContain('listening');
      expect(run.stderr.toString()).toContain(
        `${file}:${line}:5: unknown built-in detector "no-such-detector"`,
      );
    } finally {
      rmSync(rules, { recursive: true, force: true });
      rmSync(serveHome, { recursive: true, force: true });
    }
  });

  it('checks a shipped pack detector edited after the build: its own limits with a shipped pattern, a new pattern in full', () => {
    const rules = copyOfShippedRules();
    try {
      const file = join(rules, PACKS_SUBDIR, 'health.yaml');
      const text = readFileSync(file, 'utf8');
      const at = `${file}:${text.split('\n').findIndex((line) => line.startsWith('    pattern: ')) + 1}:14`;
      // The pattern's facts are shipped; the detector's maxLength is checked against them.
      const shorter = text.replace(/^ {4}maxLength: 13$/m, '    maxLength: 12');
      expect(shorter).not.toBe(text);
      writeFileSync(file, shorter);
      const limit = maskpoint('rules', 'validate', '--rules', rules);
      expect(limit.status).toBe(1);
      expect(limit.stderr.toString()).toContain(
        `${at}: detectors[0] "us-mbi": it can redact 13 characters, more than maxLength 12`,
      );
      // A pattern the build did not see is checked at start.
      const unbounded = text.replace("[0-9]{2}(?![A-Za-z0-9])'", "[0-9]+(?![A-Za-z0-9])'");
      expect(unbounded).not.toBe(text);
      writeFileSync(file, unbounded);
      const pattern = maskpoint('rules', 'validate', '--rules', rules);
      expect(pattern.status).toBe(1);
      expect(pattern.stderr.toString()).toContain(`${at}: detectors[0] "us-mbi": unbounded quantifier \`+\``);
    } finally {
      rmSync(rules, { recursive: true, force: true });
    }
  });

  it('redacts with a shipped rule file as edited after the build, not as it was shipped', () => {
    const rules = copyOfShippedRules();
    try {
      const file = join(rules, 'default.yaml');
      const text = readFileSync(file, 'utf8');
      const edited = text.replace('  - id: email\n', '  - id: email\n    label: MAIL\n');
      expect(edited).not.toBe(text);
      writeFileSync(file, edited);
      const run = spawnSync(
        process.execPath,
        ['bin/maskpoint.js', 'redact', '--rules', rules, '--content-type', 'text/plain', '-'],
        { cwd: ROOT, env, input: 'user bob@example.com\n' },
      );
      expect(run.stderr.toString()).toBe('');
      expect(run.stdout.toString()).toBe('user [MAIL]\n');
    } finally {
      rmSync(rules, { recursive: true, force: true });
    }
  });

  it('names the line and column in a shipped rule or pack file that the start did not parse', () => {
    const rules = copyOfShippedRules();
    try {
      /** `file:line:column` of the value after `start` on the line that begins with it. */
      const at = (file: string, start: string) => {
        const lines = readFileSync(join(rules, file), 'utf8').split('\n');
        const line = lines.findIndex((text) => text.startsWith(start));
        expect(line, start).toBeGreaterThanOrEqual(0);
        return `${join(rules, file)}:${line + 1}:${start.length + 1}`;
      };
      // A second pack with the shipped health pack's detector ids.
      const health = readFileSync(join(rules, PACKS_SUBDIR, 'health.yaml'), 'utf8');
      writeFileSync(join(rules, PACKS_SUBDIR, 'zz.yaml'), health.replace(/^pack: health$/m, 'pack: zz'));
      const packs = maskpoint('rules', 'validate', '--rules', rules);
      expect(packs.status).toBe(1);
      expect(packs.stderr.toString()).toContain(
        `"us-mbi" is already used at ${at('packs/health.yaml', '  - id: ')};`,
      );
      rmSync(join(rules, PACKS_SUBDIR, 'zz.yaml'));
      // A second rule set named as the shipped default.
      writeFileSync(join(rules, 'zz.yaml'), 'name: default\n');
      const ruleSets = maskpoint('rules', 'validate', '--rules', rules);
      expect(ruleSets.status).toBe(1);
      expect(ruleSets.stderr.toString()).toContain(`already defined at ${at('default.yaml', 'name: ')};`);
    } finally {
      rmSync(rules, { recursive: true, force: true });
    }
  });

  it('still rejects a custom pattern with catastrophic backtracking (recheck, loaded on first use)', () => {
    const rules = mkdtempSync(join(tmpdir(), 'maskpoint-cli-rules-'));
    try {
      writeFileSync(
        join(rules, 'slow.yaml'),
        "name: slow\ndetectors:\n  - id: slow\n    pattern: '(?:a|a){1,30}b'\n    label: SLOW\n    action: { type: redact }\n",
      );
      const run = maskpoint('rules', 'validate', '--rules', rules);
      expect(run.status).toBe(1);
      expect(run.stderr.toString()).toContain('catastrophic backtracking: recheck found exponential');
    } finally {
      rmSync(rules, { recursive: true, force: true });
    }
  });

  it('stops quietly with exit code 0 when its reader goes away (EPIPE, as in | head)', async () => {
    const file = join(home, 'big.log');
    writeFileSync(file, 'user alice@example.com logged in from 10.1.2.3\n'.repeat(200_000));
    const child = spawn(process.execPath, ['bin/maskpoint.js', 'redact', file], { cwd: ROOT, env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('fails with exit code 1 and one line when a rule set is unknown, naming the ones found', () => {
    const run = maskpoint('redact', '--ruleset', 'nope', join(ROOT, 'examples/bucket/app.log'));
    expect(run.status).toBe(1);
    expect(run.stdout.toString()).toBe('');
    expect(run.stderr.toString()).toMatch(
      /^maskpoint: no rule set named "nope" in .* \(found: .*default.*\)\n$/,
    );
  });
});
