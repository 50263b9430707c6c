import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { build } from 'esbuild';
import { parse, stringify } from 'yaml';
import { buildCliBundle, CLI_BUNDLE_DIR, isCliBundleFresh } from '../bin/cli-bundle.js';
import {
  ANCHOR_AUTOMATA_FILE,
  ANCHOR_AUTOMATA_TRANSITIONS_FILE,
  PARSED_RULES_FILE,
  PATTERN_FACTS_FILE,
  VALIDATED_RULES_FILE,
} from '../functions/adapters/local-rule-set-source.ts';
import { RECHECK_VERDICTS_FILE } from '../functions/cli/lazy-recheck.ts';
import { type CliPathResult, measureCliPath } from './cli-path.ts';
import { ensureWorkload, type WorkloadKind } from './generate-workload.ts';
import type { JobResult, JobSpec } from './job.ts';
import { type SelfTime, topSelfTime } from './summarize-cpu-profile.ts';
import { measureViewRange, type ViewRangeResult } from './view-range.ts';

/**
 * `npm run bench [-- --size 256MB] [--quick] [--runs 3] [--seed 1] [--only csv,log] [--profile]
 * [--view-size 1GB]`
 *
 * Generates the seeded workloads into bench/.data/ (cached), runs every job N times, each run in
 * its own process, and prints throughput, CPU, peak RSS and match counts next to the targets and
 * to the ceilings measured in the same run (performance-anchors.md §4: ratios gate, absolutes
 * are trend lines). `--profile` runs the jobs from source under `--cpu-prof` (slower; its
 * figures are not comparable) and prints each job's top functions by self time. The
 * `view-range` measurement times the first byte of 1 MiB ranges in the middle of a warmed view of
 * `--view-size` (64 MB with `--quick`) read through a local gateway (see view-range.ts). The
 * `cli` measurement runs the paths users run as they run them (`npx maskpoint redact FILE >
 * /dev/null` on the csv job's file, `maskpoint --help`, `npm start` to its first answered
 * request; see cli-path.ts) and compares them with the `csv` job.
 */

const BENCH_DIR = import.meta.dirname;
const REPO_DIR = join(BENCH_DIR, '..');
const DATA_DIR = join(BENCH_DIR, '.data');
const MB = 1e6;
const FLATNESS_SIZE_BYTES = 128 * MB;
const RSS_TARGET_MIB = 128;
const RSS_FLAT_DELTA_MIB = 16;
const RULES_DIR = join(REPO_DIR, 'redaction-rules');
const VIEW_RANGE_JOB = 'view-range';
/**
 * What the CLI bundle's build works out from the shipped rules (parsed YAML, schema outputs,
 * pattern facts, anchor automata, recheck verdicts), copied beside the job bundle, where the
 * engine looks for them as the CLI and `serve` do: a job loads the shipped rule sets without
 * parsing YAML or loading zod, which grew its heap by ~35 MB before the first byte (the 1 MB
 * JSON job's peak RSS 131 → 120 MiB).
 */
const CLI_BUNDLE_CACHES = [
  PARSED_RULES_FILE,
  PATTERN_FACTS_FILE,
  VALIDATED_RULES_FILE,
  ANCHOR_AUTOMATA_FILE,
  ANCHOR_AUTOMATA_TRANSITIONS_FILE,
  RECHECK_VERDICTS_FILE,
];
const VIEW_RANGE_BYTES = 1024 * 1024;
/** First byte of a range of a warmed view, locally (the issue's target). */
const VIEW_RANGE_TARGET_MS = 20;
const CLI_JOB = 'cli';
/** Issue 12: the CLI within 10 % of the bench job's MB/s, `--help` and the first request of `npm start` fast. */
const CLI_TARGETS = { redactRatio: 0.9, helpSeconds: 0.25, firstRequestSeconds: 0.5 };
/** The shipped detector packs, by name (each file is named after its pack). */
const PACK_NAMES = readdirSync(join(RULES_DIR, 'packs'))
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => file.replace(/\.yaml$/, ''))
  .sort();

/** Issue 12's target for a job: MB/s (with a stretch figure), or a ratio to another job's MB/s. */
type Target =
  | { readonly mbps: number; readonly stretchMbps?: number }
  | { readonly ratioTo: string; readonly atLeast: number };

interface JobDefinition {
  readonly id: string;
  readonly workload: WorkloadKind;
  readonly sizeBytes: number;
  readonly mode: JobSpec['mode'];
  readonly ruleSetName?: string;
  readonly target?: Target;
  /** Ids of the jobs this one is divided by in the ratio column. */
  readonly ratioTo?: readonly string[];
  readonly expectsRefusal?: boolean;
  /** Worker threads for one object (redacted in segments). */
  readonly threads?: number;
  /** Objects redacted per process, for the steady figure of a small object (see `JobSpec`). */
  readonly objects?: number;
}

interface JobOutcome {
  readonly id: string;
  readonly file: string;
  /** Plaintext bytes of the input (uncompressed size for gzip). */
  readonly plainBytes: number;
  readonly runs: readonly JobResult[];
  readonly error?: string;
  /** Top functions by self time in the first run, with `--profile`. */
  readonly profile?: readonly SelfTime[];
}

interface Summary {
  readonly medianMbps: number;
  readonly minMbps: number;
  readonly maxMbps: number;
  readonly cpuSecondsPerGb: number;
  readonly medianRssMiB: number;
  readonly maxRssMiB: number;
  readonly firstByteMs: number | undefined;
  readonly foreignCpuPct: number | undefined;
}

const options = parseOptions(process.argv.slice(2));
const allJobs = defineJobs(options.sizeBytes);
const jobIds = [...allJobs.map((job) => job.id), VIEW_RANGE_JOB, CLI_JOB];
const unknownJobs = [...(options.only ?? [])].filter((id) => !jobIds.includes(id));
if (unknownJobs.length > 0) {
  throw new Error(`--only ${unknownJobs.join(',')}: unknown job; jobs are ${jobIds.join(', ')}`);
}
const jobs = allJobs.filter((job) => options.only === undefined || options.only.has(job.id));
const jobBundle = await bundleJob();
const benchRulesDir = await writeBenchRules();
const outcomes: JobOutcome[] = [];
try {
  for (const job of jobs) outcomes.push(await runJob(job, benchRulesDir));
} finally {
  await rm(benchRulesDir, { recursive: true, force: true });
}
const viewRange =
  options.only === undefined || options.only.has(VIEW_RANGE_JOB)
    ? await withProgress(`${VIEW_RANGE_JOB} (${formatMb(options.viewSizeBytes)} MB view)`, () =>
        measureViewRange({
          viewBytes: options.viewSizeBytes,
          rangeBytes: VIEW_RANGE_BYTES,
          ranges: options.viewRanges,
          rulesDir: RULES_DIR,
        }),
      )
    : undefined;
const cliPath = options.only === undefined || options.only.has(CLI_JOB) ? await measureCli() : undefined;
report(outcomes);
reportViewRange(viewRange);
reportCliPath(cliPath, outcomes);
await writeResults(outcomes, viewRange, cliPath);

function parseOptions(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      size: { type: 'string', default: '1GB' },
      quick: { type: 'boolean', default: false },
      runs: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'view-size': { type: 'string', default: '1GB' },
    },
  });
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs ${values.runs}: expected a positive integer`);
  if (!Number.isInteger(seed)) throw new Error(`--seed ${values.seed}: expected an integer`);
  return {
    sizeBytes: values.quick ? 64 * MB : parseSize(values.size),
    runs,
    seed,
    only: values.only === undefined ? undefined : new Set(values.only.split(',')),
    isProfiling: values.profile,
    viewSizeBytes: values.quick ? 64 * MB : parseSize(values['view-size']),
    viewRanges: values.quick ? 20 : 50,
  };
}

/** Decimal units, as in the anchors: `128MB` = 128 × 10^6 bytes. */
function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(text.trim());
  if (match === null) throw new Error(`--size ${text}: expected a size such as 64MB, 256MB or 1GB`);
  const units: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };
  return Math.round(Number(match[1]) * (units[(match[2] ?? 'B').toUpperCase()] ?? 1));
}

function defineJobs(size: number): JobDefinition[] {
  // Worst-case probes: a quarter of the main size keeps the run short while staying far past warm-up.
  const adversarialSize = Math.round(size / 4);
  // Issue 12's table: CSV, NDJSON and logs ≥ 150 MB/s (stretch 300), CSV with tokenized and hashed
  // columns ≥ 80 (120), csv.gz ≥ 0.85× gunzip→gzip-1, one object on 2 cores ≥ 1.7× one core,
  // the 1 MB single-line JSON document ≥ 60.
  const defaultTarget: Target = { mbps: 150, stretchMbps: 300 };
  const engine = (
    id: string,
    workload: WorkloadKind,
    extra: Partial<JobDefinition> = {},
    sizeBytes = size,
  ): JobDefinition => ({ id, workload, sizeBytes, mode: 'redact', ruleSetName: 'default', ...extra });
  const definitions: JobDefinition[] = [
    { id: 'ceiling-raw', workload: 'csv', sizeBytes: size, mode: 'raw' },
    { id: 'ceiling-utf8-csv', workload: 'csv', sizeBytes: size, mode: 'utf8' },
    { id: 'ceiling-utf8-ndjson', workload: 'ndjson', sizeBytes: size, mode: 'utf8' },
    { id: 'ceiling-utf8-log', workload: 'log', sizeBytes: size, mode: 'utf8' },
    { id: 'ceiling-gunzip-gzip1', workload: 'csv-gz', sizeBytes: size, mode: 'gzip' },
    engine('csv', 'csv', { target: defaultTarget, ratioTo: ['ceiling-raw', 'ceiling-utf8-csv'] }),
    // One big object on two cores (segments on worker threads): issue 12 asks ≥ 1.7× csv.
    engine('csv-2-cores', 'csv', { threads: 2, target: { ratioTo: 'csv', atLeast: 1.7 }, ratioTo: ['csv'] }),
    engine('csv-fields', 'csv', {
      ruleSetName: 'bench-fields',
      target: { mbps: 80, stretchMbps: 120 },
      ratioTo: ['csv', 'ceiling-utf8-csv'],
    }),
    engine('ndjson', 'ndjson', { target: defaultTarget, ratioTo: ['ceiling-utf8-ndjson'] }),
    engine('log', 'log', { target: defaultTarget, ratioTo: ['ceiling-utf8-log'] }),
    engine('csv-gz', 'csv-gz', {
      target: { ratioTo: 'ceiling-gunzip-gzip1', atLeast: 0.85 },
      ratioTo: ['ceiling-gunzip-gzip1', 'csv'],
    }),
    engine('csv-gz-2-cores', 'csv-gz', { threads: 2, ratioTo: ['ceiling-gunzip-gzip1', 'csv-gz'] }),
    engine('adversarial-digits', 'adversarial-digits', {}, adversarialSize),
    engine('adversarial-words', 'adversarial-words', {}, adversarialSize),
    engine('adversarial-cjk', 'adversarial-cjk', {}, adversarialSize),
    // 1 MB is 16 ms at 60 MB/s: one object per process would time the JIT warming up, which a
    // server pays once, so the job redacts it as 32 objects and reports both figures.
    engine('adversarial-line', 'adversarial-line', { objects: 32, target: { mbps: 60 } }),
    engine('adversarial-invalid', 'adversarial-invalid', { expectsRefusal: true }, adversarialSize),
  ];
  if (size !== FLATNESS_SIZE_BYTES) {
    definitions.push(engine('csv-128MB', 'csv', { ratioTo: ['csv'] }, FLATNESS_SIZE_BYTES));
  }
  // Detector packs: the shipped default (which enables some) against no packs and every pack,
  // and each pack alone on logs, where every byte is scanned.
  for (const workload of ['csv', 'ndjson', 'log'] as const) {
    definitions.push(
      engine(`${workload}-no-packs`, workload, { ruleSetName: 'bench-no-packs', ratioTo: [workload] }),
      engine(`${workload}-all-packs`, workload, {
        ruleSetName: 'bench-all-packs',
        ratioTo: [workload, `${workload}-no-packs`],
      }),
    );
  }
  for (const pack of PACK_NAMES) {
    definitions.push(
      engine(`log-pack-${pack}`, 'log', { ruleSetName: `bench-pack-${pack}`, ratioTo: ['log-no-packs'] }),
    );
  }
  return definitions;
}

/**
 * Bundles job.ts and the engine into one ES module (and the segment worker into another), as a
 * Lambda deployment would, with the CLI bundle's build caches beside it (see
 * {@link CLI_BUNDLE_CACHES}); running it
 * under tsx instead adds a loader thread (~36 MiB RSS) and on-the-fly compilation to every job.
 * recheck is loaded on first use, as in the CLI bundle (bin/cli-bundle.js): the engine never
 * calls it, only the check of custom patterns does, and loading it at start added ~27 MiB to
 * every job's peak RSS (135 MiB against 108 MiB on the 64 MB csv job).
 */
async function bundleJob(): Promise<string> {
  await build({
    // The segment worker beside the job: worker threads load it by file.
    // Named entry points: with a list, esbuild keeps their folders below the common ancestor
    // (bench/job.mjs, functions/adapters/segment-worker.mjs), not job.mjs beside the worker.
    entryPoints: {
      job: join(BENCH_DIR, 'job.ts'),
      'segment-worker': join(REPO_DIR, 'functions/adapters/segment-worker.ts'),
    },
    outdir: DATA_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    alias: { recheck: './functions/cli/lazy-recheck.ts' },
    absWorkingDir: REPO_DIR,
    logLevel: 'warning',
  });
  if (!isCliBundleFresh()) await buildCliBundle();
  for (const name of CLI_BUNDLE_CACHES) await cp(join(CLI_BUNDLE_DIR, name), join(DATA_DIR, name));
  return join(DATA_DIR, 'job.mjs');
}

/**
 * The csv-fields rule set: the default detectors, two name columns tokenized (AES-SIV) and the
 * uuid column hashed. It extends nothing, so only what is written here applies. Beside it, with
 * the shipped packs: the default detectors and field rules with no pack (`bench-no-packs`), with
 * every pack (`bench-all-packs`) and with each pack alone (`bench-pack-NAME`).
 */
async function writeBenchRules(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'maskpoint-bench-rules-'));
  const defaults = parse(await readFile(join(RULES_DIR, 'default.yaml'), 'utf8')) as {
    detectors: unknown[];
    fields: unknown[];
  };
  await cp(join(RULES_DIR, 'packs'), join(dir, 'packs'), { recursive: true });
  const withPacks = (name: string, packs: readonly string[]) =>
    writeFile(
      join(dir, `${name}.yaml`),
      stringify({ name, detectors: defaults.detectors, fields: defaults.fields, packs }),
    );
  await withPacks('bench-no-packs', []);
  await withPacks('bench-all-packs', PACK_NAMES);
  for (const pack of PACK_NAMES) await withPacks(`bench-pack-${pack}`, [pack]);
  const fields = {
    name: 'bench-fields',
    description: 'Benchmark: default detectors, tokenized name columns, hashed uuid.',
    detectors: defaults.detectors,
    fields: [
      { id: 'bench-names', names: ['first_name', 'last_name'], action: { type: 'tokenize', mode: 'siv' } },
      { id: 'bench-uuid', names: ['uuid'], action: { type: 'hash' } },
    ],
  };
  await writeFile(join(dir, 'bench-fields.yaml'), stringify(fields));
  return dir;
}

async function runJob(job: JobDefinition, benchRulesDir: string): Promise<JobOutcome> {
  const onGenerate = (path: string): void => {
    process.stderr.write(`generating ${path}\n`);
  };
  const file = await ensureWorkload(job.workload, job.sizeBytes, options.seed, DATA_DIR, onGenerate);
  const plainFile =
    job.workload === 'csv-gz' ? await ensureWorkload('csv', job.sizeBytes, options.seed, DATA_DIR) : file;
  const plainBytes = (await stat(plainFile)).size;
  const spec: JobSpec =
    job.mode === 'redact'
      ? {
          mode: 'redact',
          file,
          rulesDir: job.ruleSetName?.startsWith('bench-') ? benchRulesDir : RULES_DIR,
          ruleSetName: job.ruleSetName ?? 'default',
          ...(job.threads !== undefined && { threads: job.threads }),
          ...(job.objects !== undefined && { objects: job.objects }),
        }
      : { mode: job.mode, file };
  const profileDir = join(DATA_DIR, 'profiles', job.id);
  if (options.isProfiling) {
    await rm(profileDir, { recursive: true, force: true });
    await mkdir(profileDir, { recursive: true });
  }
  const runs: JobResult[] = [];
  for (let run = 1; run <= options.runs; run++) {
    try {
      const result = await withProgress(`${job.id} run ${run}/${options.runs}`, () =>
        runChild(spec, options.isProfiling ? profileDir : undefined),
      );
      runs.push(result);
    } catch (error) {
      return { id: job.id, file, plainBytes, runs, error: (error as Error).message };
    }
  }
  if (!options.isProfiling) return { id: job.id, file, plainBytes, runs };
  const first = (await readdir(profileDir)).sort()[0];
  const profile = first === undefined ? undefined : await topSelfTime(join(profileDir, first), 15);
  return { id: job.id, file, plainBytes, runs, ...(profile && { profile }) };
}

async function withProgress<T>(label: string, task: () => Promise<T>): Promise<T> {
  const start = performance.now();
  process.stderr.write(`${label} …`);
  try {
    return await task();
  } finally {
    process.stderr.write(` ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
  }
}

async function runChild(spec: JobSpec, profileDir: string | undefined): Promise<JobResult> {
  // Profiles are taken from source so that frames name the engine's files, not the bundle.
  const args =
    profileDir === undefined
      ? [jobBundle]
      : ['--cpu-prof', '--cpu-prof-dir', profileDir, '--import', 'tsx', join(BENCH_DIR, 'job.ts')];
  const { stdout } = await promisify(execFile)(process.execPath, [...args, JSON.stringify(spec)], {
    cwd: REPO_DIR,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as JobResult;
}

function summarize(outcome: JobOutcome): Summary | undefined {
  if (outcome.runs.length === 0) return undefined;
  const mbps = outcome.runs.map((run) => outcome.plainBytes / MB / run.seconds);
  const rss = outcome.runs.map((run) => run.maxRssKiB / 1024);
  const firstBytes = outcome.runs.flatMap((run) => (run.firstByteMs === undefined ? [] : [run.firstByteMs]));
  const foreign = outcome.runs.flatMap((run) => (run.foreignCpuPct === undefined ? [] : [run.foreignCpuPct]));
  return {
    medianMbps: median(mbps),
    minMbps: Math.min(...mbps),
    maxMbps: Math.max(...mbps),
    cpuSecondsPerGb: median(outcome.runs.map((run) => run.cpuSeconds / (outcome.plainBytes / 1e9))),
    medianRssMiB: median(rss),
    maxRssMiB: Math.max(...rss),
    firstByteMs: firstBytes.length === 0 ? undefined : median(firstBytes),
    foreignCpuPct: foreign.length === 0 ? undefined : Math.max(...foreign),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function report(results: readonly JobOutcome[]): void {
  const summaries = new Map(results.map((outcome) => [outcome.id, summarize(outcome)]));
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const header = [
    'job',
    'input MB',
    'MB/s median',
    'min–max',
    'CPU-s/GB',
    'MB/CPU-s',
    'RSS MiB',
    '1st byte ms',
    'foreign %',
    'target',
    'ratio',
  ];
  const rows = results.map((outcome) => {
    const job = byId.get(outcome.id);
    const summary = summaries.get(outcome.id);
    if (summary === undefined || job === undefined) {
      return [outcome.id, formatMb(outcome.plainBytes), 'failed (below)'];
    }
    const ratios = (job.ratioTo ?? []).flatMap((other) => {
      const base = summaries.get(other);
      return base === undefined ? [] : [`${(summary.medianMbps / base.medianMbps).toFixed(2)}× ${other}`];
    });
    return [
      outcome.id,
      formatMb(outcome.plainBytes),
      summary.medianMbps.toFixed(1),
      `${summary.minMbps.toFixed(1)}–${summary.maxMbps.toFixed(1)}`,
      summary.cpuSecondsPerGb.toFixed(1),
      (1000 / summary.cpuSecondsPerGb).toFixed(0),
      `${summary.medianRssMiB.toFixed(0)}${summary.maxRssMiB > RSS_TARGET_MIB ? ' ✗' : ''}`,
      summary.firstByteMs === undefined ? '' : summary.firstByteMs.toFixed(0),
      summary.foreignCpuPct === undefined ? '' : summary.foreignCpuPct.toFixed(0),
      formatTarget(job.target, summary.medianMbps, summaries),
      ratios.join(', '),
    ];
  });
  console.log(
    `\nmaskpoint bench — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${options.runs} runs, seed ${options.seed}`,
  );
  console.log(
    [
      'MB = 10^6 bytes of plaintext input (decompressed for gzip); MB/s = median wall-clock throughput.',
      'MB/CPU-s = throughput per CPU-second of the job process: steadier than MB/s on a busy machine.',
      `RSS = peak resident set of the job process, target ≤ ${RSS_TARGET_MIB} MiB (✗ = exceeded in some run).`,
      'foreign % = most CPU used by other processes during a run, in % of one core (> 20: MB/s is noisy).\n',
    ].join('\n'),
  );
  printTable(header, rows);
  reportFlatness(summaries);
  reportObjects(results, byId);
  reportRefusals(results, byId);
  reportCounts(results);
  reportProfiles(results);
  const failed = results.filter((outcome) => outcome.error !== undefined);
  for (const outcome of failed) console.log(`\n${outcome.id} failed:\n${outcome.error}`);
}

function reportViewRange(result: ViewRangeResult | undefined): void {
  if (result === undefined) return;
  const first = [...result.firstByteMs].sort((a, b) => a - b);
  const total = [...result.totalMs].sort((a, b) => a - b);
  const p95 = (sorted: readonly number[]) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? 0;
  const verdict = median(first) < VIEW_RANGE_TARGET_MS ? '✓' : '✗';
  console.log(
    `\nview-range: ${first.length} ranges of ${result.rangeBytes / 2 ** 20} MiB around the middle of a warmed ${formatMb(result.viewBytes)} MB view, SDK → gateway → local view store: first byte median ${median(first).toFixed(1)} ms, p95 ${p95(first).toFixed(1)} ms (target < ${VIEW_RANGE_TARGET_MS} ms) ${verdict}; whole range median ${median(total).toFixed(1)} ms, p95 ${p95(total).toFixed(1)} ms`,
  );
}

/** The CLI paths on the csv job's file; the bundle is built first so no run pays for it. */
async function measureCli(): Promise<CliPathResult> {
  if (!isCliBundleFresh()) await buildCliBundle();
  const csvFile = await ensureWorkload('csv', options.sizeBytes, options.seed, DATA_DIR);
  let label = '';
  let started = 0;
  const done = () => {
    if (label !== '') process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  };
  try {
    return await measureCliPath({
      repoDir: REPO_DIR,
      csvFile,
      runs: options.runs,
      onProgress: (next) => {
        done();
        label = next;
        started = performance.now();
        process.stderr.write(`${CLI_JOB} ${next} …`);
      },
    });
  } finally {
    done();
  }
}

function reportCliPath(result: CliPathResult | undefined, results: readonly JobOutcome[]): void {
  if (result === undefined) return;
  const plainBytes = result.csvBytes;
  const csv = results.find((outcome) => outcome.id === 'csv');
  const job = csv === undefined ? undefined : summarize(csv);
  const header = [
    'path (each run a new process)',
    'runs',
    'seconds median',
    'min–max',
    'MB/s',
    'CPU-s',
    'MB/CPU-s',
    'peak RSS MiB',
    'target',
  ];
  const rows = result.rows.map(({ id, command, runs }) => {
    const seconds = runs.map((run) => run.seconds);
    const rss = runs.flatMap((run) => (run.maxRssKiB === undefined ? [] : [run.maxRssKiB / 1024]));
    const maxRss = rss.length === 0 ? undefined : Math.max(...rss);
    const isRedact = id.endsWith('redact');
    const mbps = isRedact ? plainBytes / MB / median(seconds) : undefined;
    const cpu = runs.flatMap((run) => (run.cpuSeconds === undefined ? [] : [run.cpuSeconds]));
    const cpuSeconds = cpu.length === 0 ? undefined : median(cpu);
    const targets: string[] = [];
    if (isRedact) {
      const ratio = mbps === undefined || job === undefined ? undefined : mbps / job.medianMbps;
      targets.push(
        ratio === undefined
          ? `≥ ${CLI_TARGETS.redactRatio}× csv job (not run)`
          : `${ratio.toFixed(2)}× csv job (≥ ${CLI_TARGETS.redactRatio}) ${ratio >= CLI_TARGETS.redactRatio ? '✓' : '✗'}`,
      );
      if (cpuSeconds !== undefined && job !== undefined) {
        const jobMbPerCpuSecond = 1000 / job.cpuSecondsPerGb;
        targets.push(`per CPU-s ${(plainBytes / MB / cpuSeconds / jobMbPerCpuSecond).toFixed(2)}× csv job`);
      }
      if (maxRss !== undefined)
        targets.push(`RSS ≤ ${RSS_TARGET_MIB} ${maxRss <= RSS_TARGET_MIB ? '✓' : '✗'}`);
    } else if (id === 'bin-help') {
      targets.push(
        `≤ ${CLI_TARGETS.helpSeconds} s ${median(seconds) <= CLI_TARGETS.helpSeconds ? '✓' : '✗'}`,
      );
    }
    return [
      `${id}: ${command.replace(`${DATA_DIR}/`, '')}`,
      String(runs.length),
      median(seconds).toFixed(2),
      `${Math.min(...seconds).toFixed(2)}–${Math.max(...seconds).toFixed(2)}`,
      mbps === undefined ? '' : mbps.toFixed(1),
      cpuSeconds === undefined ? '' : cpuSeconds.toFixed(2),
      cpuSeconds === undefined || !isRedact ? '' : (plainBytes / MB / cpuSeconds).toFixed(0),
      rss.length === 0 ? '' : `${median(rss).toFixed(0)} (max ${maxRss?.toFixed(0)})`,
      targets.join(', '),
    ];
  });
  for (const { id, command, runs } of result.starts) {
    const first = runs.map((run) => run.firstRequestSeconds);
    const listening = median(runs.map((run) => run.listeningSeconds));
    const verdict = median(first) <= CLI_TARGETS.firstRequestSeconds ? '✓' : '✗';
    rows.push([
      `${id}: ${command.replace(REPO_DIR, '')} → first GET`,
      String(runs.length),
      median(first).toFixed(2),
      `${Math.min(...first).toFixed(2)}–${Math.max(...first).toFixed(2)}`,
      '',
      '',
      '',
      '',
      `≤ ${CLI_TARGETS.firstRequestSeconds} s ${verdict} (listening at ${listening.toFixed(2)} s)`,
    ]);
  }
  console.log(
    [
      '',
      `CLI paths as users run them (${formatMb(plainBytes)} MB csv, stdout on /dev/null; seconds = spawn to exit, or to the end of the first`,
      'GET body for serve; MB/s = file size / median seconds, start-up included; csv job = the csv row above, measured inside its process;',
      'CPU-s = user + system CPU of the whole process tree, npm included: the ratio per CPU-s is the steadier one on a busy machine).',
      result.hasRss
        ? 'peak RSS = largest process of the tree (GNU time %M): through npx, npm’s own node process is one of them.'
        : 'peak RSS: not measured (no /usr/bin/time).',
    ].join('\n'),
  );
  printTable(header, rows);
}

function formatTarget(
  target: Target | undefined,
  mbps: number,
  summaries: ReadonlyMap<string, Summary | undefined>,
): string {
  if (target === undefined) return '';
  if ('ratioTo' in target) {
    const base = summaries.get(target.ratioTo)?.medianMbps;
    const mark = base === undefined ? '(not run)' : mbps / base >= target.atLeast ? '✓' : '✗';
    return `≥ ${target.atLeast}× ${target.ratioTo} ${mark}`;
  }
  const mark =
    mbps >= (target.stretchMbps ?? Number.POSITIVE_INFINITY) ? '✓✓' : mbps >= target.mbps ? '✓' : '✗';
  return `≥ ${target.mbps}${target.stretchMbps === undefined ? '' : ` (${target.stretchMbps})`} ${mark}`;
}

function reportFlatness(summaries: ReadonlyMap<string, Summary | undefined>): void {
  const small = summaries.get('csv-128MB');
  const main = summaries.get('csv');
  if (small === undefined || main === undefined) return;
  const delta = main.medianRssMiB - small.medianRssMiB;
  const verdict = delta <= RSS_FLAT_DELTA_MIB ? '✓' : '✗';
  console.log(
    `\nRSS flatness (csv, median peak RSS): ${formatMb(options.sizeBytes)} MB ${main.medianRssMiB.toFixed(0)} MiB vs 128 MB ${small.medianRssMiB.toFixed(0)} MiB: Δ ${delta.toFixed(1)} MiB (target ≤ ${RSS_FLAT_DELTA_MIB}) ${verdict}`,
  );
}

/** Jobs of repeated objects: what the steady figure is, and the first object's. */
function reportObjects(results: readonly JobOutcome[], byId: ReadonlyMap<string, JobDefinition>): void {
  for (const outcome of results) {
    const objects = byId.get(outcome.id)?.objects;
    const firsts = outcome.runs.flatMap((run) => (run.first === undefined ? [] : [run.first]));
    if (objects === undefined || firsts.length === 0) continue;
    const mb = outcome.plainBytes / MB;
    const seconds = median(firsts.map((first) => first.seconds));
    const cpuSeconds = median(firsts.map((first) => first.cpuSeconds));
    console.log(
      `\n${outcome.id}: the same ${formatMb(outcome.plainBytes)} MB object redacted ${objects} times per process, each as a new object (new stream and redactor), as a server does; the row above is the median object of the last ${objects - Math.floor(objects / 2)} (warm). The first object, JIT warm-up included (rule-set compile excluded, as in every job): ${(seconds * 1000).toFixed(0)} ms, ${(mb / seconds).toFixed(1)} MB/s, ${(mb / cpuSeconds).toFixed(1)} MB/CPU-s (median of runs).`,
    );
  }
}

function reportRefusals(results: readonly JobOutcome[], byId: ReadonlyMap<string, JobDefinition>): void {
  for (const outcome of results) {
    const expectsRefusal = byId.get(outcome.id)?.expectsRefusal === true;
    const refused = outcome.runs.filter((run) => run.refused !== undefined);
    if (!expectsRefusal && refused.length === 0) continue;
    const first = refused[0];
    if (first?.refused === undefined || refused.length !== outcome.runs.length) {
      console.log(
        `\n${outcome.id}: ${expectsRefusal ? `✗ expected a refusal, ${refused.length}/${outcome.runs.length} runs refused` : `✗ ${refused.length} runs refused unexpectedly`}${first?.refused ? `: ${first.refused.code}: ${first.refused.message}` : ''}`,
      );
      continue;
    }
    const ms = median(refused.map((run) => run.seconds * 1000));
    console.log(
      `\n${outcome.id}: ${expectsRefusal ? '✓ refused' : '✗ refused unexpectedly'} (${first.refused.code}: ${first.refused.message}) after ${formatMb(first.fileBytes)} MB read and ${formatMb(first.outBytes)} MB written, median ${ms.toFixed(0)} ms (the invalid byte sits at the middle of a ${formatMb(outcome.plainBytes)} MB file)`,
    );
  }
}

/** Match counts are the correctness canary: they must be equal across runs and stable across commits. */
function reportCounts(results: readonly JobOutcome[]): void {
  console.log('\nmatches per rule id (run 1; ≠ marks runs that disagree):');
  for (const outcome of results) {
    const first = outcome.runs[0];
    if (first === undefined || Object.keys(first.counts).length === 0) continue;
    const key = JSON.stringify(first.counts);
    const isStable = outcome.runs.every((run) => JSON.stringify(run.counts) === key);
    const counts = Object.entries(first.counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, count]) => `${id} ${count}`)
      .join(', ');
    console.log(`  ${outcome.id}${isStable ? '' : ' ≠'}: ${counts}`);
  }
}

function reportProfiles(results: readonly JobOutcome[]): void {
  for (const outcome of results) {
    if (outcome.profile === undefined) continue;
    console.log(`\n${outcome.id}: top functions by self time (run 1, profiled from source)`);
    for (const { frame, seconds, percent } of outcome.profile) {
      console.log(
        `  ${percent.toFixed(1).padStart(5)}%  ${seconds.toFixed(2).padStart(6)} s  ${frame.slice(0, 150)}`,
      );
    }
  }
}

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${header.map((_, column) => (cells[column] ?? '').padEnd(widths[column] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

function formatMb(bytes: number): string {
  return (bytes / MB).toFixed(bytes < 10 * MB ? 2 : 0);
}

async function writeResults(
  results: readonly JobOutcome[],
  viewRange: ViewRangeResult | undefined,
  cliPath: CliPathResult | undefined,
): Promise<void> {
  const path = join(DATA_DIR, `results-${new Date().toISOString().replaceAll(':', '-')}.json`);
  const document = {
    node: process.version,
    cpus: cpus().map((cpu) => cpu.model),
    sizeBytes: options.sizeBytes,
    runs: options.runs,
    seed: options.seed,
    jobs: results.map((outcome) => ({ ...outcome, summary: summarize(outcome) })),
    viewRange,
    cliPath,
  };
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`\nresults: ${path}`);
}
