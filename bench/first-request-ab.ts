import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type StartRun, timeFirstRequest } from './cli-path.ts';

/** A start that has not answered its first GET by then is killed (its whole process group). */
const TIMEOUT_MS = 20_000;

/**
 * `tsx bench/first-request-ab.ts [--runs 10] [--npm] [--profile DIR] REPO_A [REPO_B]`: starts
 * the gateway of each checkout in turn (A, B, B, A, A, B…: neither always goes first on a busy
 * machine), each run with a fresh MASKPOINT_HOME so the demo key is printed, and prints per run
 * spawn → `listening on`, spawn → first GET answered, and the CPU time of the started processes
 * by then; then the medians and how many pairs B won. The command is `node bin/maskpoint.js
 * serve --port 0 --bucket example=examples/bucket`, or with `--npm` `npm start -- --port 0` (as
 * bench/cli-path.ts runs both). `--profile DIR` runs node with `--cpu-prof` into DIR/A and
 * DIR/B (written as each process exits, on the SIGTERM that ends each run; not with `--npm`:
 * NODE_OPTIONS may not hold it).
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '10' },
    npm: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const repos = positionals.map((dir) => resolve(dir));
if (repos.length === 0 || repos.length > 2) {
  throw new Error('usage: first-request-ab.ts [--runs N] [--npm] [--profile DIR] REPO_A [REPO_B]');
}
if (values.npm && values.profile !== undefined)
  throw new Error('--profile profiles node bin/maskpoint.js, not npm');
const commandOf = (label: string): string[] => [
  ...(values.npm
    ? ['npm', 'start', '--', '--port', '0']
    : [
        process.execPath,
        ...(values.profile === undefined
          ? []
          : ['--cpu-prof', '--cpu-prof-dir', join(resolve(values.profile), label)]),
        'bin/maskpoint.js',
        'serve',
        '--port',
        '0',
        '--bucket',
        'example=examples/bucket',
      ]),
];
const labels = ['A', 'B'].slice(0, repos.length);
const runs = new Map<string, StartRun[]>(labels.map((label) => [label, []]));
for (let run = 0; run < Number(values.runs); run++) {
  const order = run % 2 === 0 ? labels : [...labels].reverse();
  for (const label of order) {
    const repo = repos[labels.indexOf(label)] as string;
    const home = await mkdtemp(join(tmpdir(), 'maskpoint-first-request-'));
    try {
      const result = await timeFirstRequest(
        commandOf(label),
        repo,
        { ...process.env, MASKPOINT_HOME: home },
        TIMEOUT_MS,
      );
      runs.get(label)?.push(result);
      console.log(
        `${label} listening ${result.listeningSeconds.toFixed(3)} first ${result.firstRequestSeconds.toFixed(3)} cpu ${result.cpuSeconds?.toFixed(3) ?? '-'}`,
      );
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }
}
const median = (numbers: readonly number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
for (const [label, measured] of runs) {
  console.log(
    `${label} median listening ${median(measured.map((run) => run.listeningSeconds)).toFixed(3)} first ${median(measured.map((run) => run.firstRequestSeconds)).toFixed(3)} cpu ${median(measured.map((run) => run.cpuSeconds ?? Number.NaN)).toFixed(3)}`,
  );
}
const [a, b] = [runs.get('A') ?? [], runs.get('B') ?? []];
if (b.length > 0) {
  const won = (pick: (run: StartRun) => number) =>
    a.filter((run, index) => pick(b[index] as StartRun) < pick(run)).length;
  console.log(
    `B won first GET ${won((run) => run.firstRequestSeconds)}/${a.length}, CPU ${won((run) => run.cpuSeconds ?? Number.NaN)}/${a.length}, listening ${won((run) => run.listeningSeconds)}/${a.length}`,
  );
}
