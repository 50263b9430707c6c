import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** GNU time: the one portable way to get a finished process tree's peak RSS (`%M`). */
const GNU_TIME = '/usr/bin/time';
/** How long one measured command may take before it is killed. */
const COMMAND_TIMEOUT_MS = 10 * 60 * 1000;
/** How long `npm start` may take to answer its first request. */
const START_TIMEOUT_MS = 60 * 1000;

/** One whole process as a user starts it: wall time from spawn to exit, and peak RSS. */
export interface ProcessRun {
  readonly seconds: number;
  /** Largest peak RSS of any process in the tree (with npx: npm's own node is one), in KiB; undefined without GNU time. */
  readonly maxRssKiB: number | undefined;
  /** User + system CPU of the whole tree (steadier than wall time on a busy machine); undefined without GNU time. */
  readonly cpuSeconds: number | undefined;
}

/** `npm start` until its first answered request. */
export interface StartRun {
  /** Spawn to the `listening on` line. */
  readonly listeningSeconds: number;
  /** Spawn to the end of the body of the first GET (signed with the printed demo key). */
  readonly firstRequestSeconds: number;
  /**
   * CPU time of the processes still running in the started group when the first GET is answered
   * (npm's and the gateway's, with their threads), from /proc; undefined where there is none.
   */
  readonly cpuSeconds: number | undefined;
}

export interface CliPathOptions {
  readonly repoDir: string;
  /** The CSV the `csv` bench job reads. */
  readonly csvFile: string;
  readonly runs: number;
  readonly onProgress: (label: string) => void;
}

export interface CliPathResult {
  readonly csvFile: string;
  readonly csvBytes: number;
  readonly rows: readonly {
    readonly id: string;
    readonly command: string;
    readonly runs: readonly ProcessRun[];
  }[];
  readonly starts: readonly {
    readonly id: string;
    readonly command: string;
    readonly runs: readonly StartRun[];
  }[];
  readonly hasRss: boolean;
}

/**
 * Measures the paths users run, each as a user runs it, in a fresh process every run: `npx
 * maskpoint redact FILE > /dev/null` and `maskpoint redact` (bin/maskpoint.js, as an installed
 * `maskpoint` runs), `--help` both ways, and `npm start` (and `maskpoint serve`) until the first
 * object is read through it. MASKPOINT_HOME is a temporary folder, so token and gateway keys
 * are made fresh and the checkout's own are never touched.
 */
export async function measureCliPath(options: CliPathOptions): Promise<CliPathResult> {
  const home = await mkdtemp(join(tmpdir(), 'maskpoint-bench-home-'));
  const env = { ...process.env, MASKPOINT_HOME: home };
  const hasRss = existsSync(GNU_TIME);
  const bin = [process.execPath, 'bin/maskpoint.js'];
  const npx = ['npx', 'maskpoint'];
  try {
    // Token keys are created by the first command that needs them: not a cost of every run.
    await timeProcess([...bin, 'token-keys', 'list'], options.repoDir, env, false);
    const measure = async (id: string, command: readonly string[], runs: number) => {
      const measured: ProcessRun[] = [];
      for (let run = 1; run <= runs; run++) {
        options.onProgress(`${id} run ${run}/${runs}`);
        measured.push(await timeProcess(command, options.repoDir, env, hasRss));
      }
      return { id, command: command.join(' ').replace(process.execPath, 'node'), runs: measured };
    };
    const helpRuns = Math.max(5, options.runs);
    const rows = [
      await measure('npx-redact', [...npx, 'redact', options.csvFile], options.runs),
      await measure('bin-redact', [...bin, 'redact', options.csvFile], options.runs),
      await measure('bin-help', [...bin, '--help'], helpRuns),
      await measure('npx-help', [...npx, '--help'], helpRuns),
    ];
    const start = async (id: string, command: readonly string[]) => {
      const measured: StartRun[] = [];
      for (let run = 1; run <= options.runs; run++) {
        options.onProgress(`${id} run ${run}/${options.runs}`);
        const runHome = await mkdtemp(join(tmpdir(), 'maskpoint-bench-start-'));
        try {
          measured.push(
            await timeFirstRequest(command, options.repoDir, { ...env, MASKPOINT_HOME: runHome }),
          );
        } finally {
          await rm(runHome, { recursive: true, force: true });
        }
      }
      return { id, command: command.join(' ').replace(process.execPath, 'node'), runs: measured };
    };
    const starts = [
      await start('npm-start', ['npm', 'start', '--', '--port', '0']),
      await start('bin-serve', [...bin, 'serve', '--port', '0', '--bucket', 'example=examples/bucket']),
    ];
    return { csvFile: options.csvFile, csvBytes: (await stat(options.csvFile)).size, rows, starts, hasRss };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** Runs `command` with stdout on /dev/null, under GNU time when `withRss`. */
async function timeProcess(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  withRss: boolean,
): Promise<ProcessRun> {
  const devNull = await open('/dev/null', 'w');
  const report = withRss ? join(await mkdtemp(join(tmpdir(), 'maskpoint-bench-time-')), 'time') : undefined;
  const [file, ...args] =
    report === undefined ? command : [GNU_TIME, '-f', '%M %U %S', '-o', report, ...command];
  try {
    const started = performance.now();
    const child = spawn(file as string, args, { cwd, env, stdio: ['ignore', devNull.fd, 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const code = await exitOf(child, COMMAND_TIMEOUT_MS);
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`${command.join(' ')} exited with ${code}:\n${stderr}`);
    if (report === undefined) return { seconds, maxRssKiB: undefined, cpuSeconds: undefined };
    // The last line: GNU time writes "Command exited with non-zero status" lines before it.
    const [rss, user, system] = ((await readFile(report, 'utf8')).trim().split('\n').at(-1) ?? '')
      .split(' ')
      .map(Number);
    return { seconds, maxRssKiB: rss, cpuSeconds: (user ?? Number.NaN) + (system ?? Number.NaN) };
  } finally {
    await devNull.close();
    if (report !== undefined) await rm(join(report, '..'), { recursive: true, force: true });
  }
}

/** Starts the gateway with `command`, reads an example object through it with the printed demo key, stops it. */
export async function timeFirstRequest(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = START_TIMEOUT_MS,
): Promise<StartRun> {
  const [file, ...args] = command;
  const started = performance.now();
  // Its own process group: npm runs the script under a shell, and SIGTERM must reach the gateway.
  const child = spawn(file as string, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // Killed whole at the deadline, whatever it waits for: the output below then ends, or the GET fails.
  const deadline = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }, timeoutMs);
  let output = '';
  let listeningAt: number | undefined;
  try {
    const printed = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (listeningAt === undefined && output.includes('listening on')) listeningAt = performance.now();
        if (/secret access key: +\S+/.test(output)) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${command.join(' ')} exited with ${code}:\n${output}`)));
      setTimeout(
        () => reject(new Error(`${command.join(' ')}: no demo key within ${timeoutMs} ms`)),
        timeoutMs,
      ).unref();
    });
    await printed;
    const url = /listening on (\S+) \(region (\S+)\)/.exec(output);
    const accessKeyId = /access key id: +(\S+)/.exec(output)?.[1];
    const secretAccessKey = /secret access key: +(\S+)/.exec(output)?.[1];
    if (url?.[1] === undefined || accessKeyId === undefined || secretAccessKey === undefined) {
      throw new Error(`unexpected gateway output:\n${output}`);
    }
    const client = new S3Client({
      endpoint: url[1],
      region: url[2] ?? 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
    });
    const object = await client.send(new GetObjectCommand({ Bucket: 'example', Key: 'customers.csv' }));
    await object.Body?.transformToString();
    const firstRequestSeconds = (performance.now() - started) / 1000;
    const cpuSeconds = child.pid === undefined ? undefined : await groupCpuSeconds(child.pid);
    client.destroy();
    return {
      listeningSeconds: ((listeningAt ?? performance.now()) - started) / 1000,
      firstRequestSeconds,
      cpuSeconds,
    };
  } finally {
    clearTimeout(deadline);
    child.stdout?.resume();
    child.stderr?.resume();
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = exitOf(child, 10_000).catch(() => undefined);
      process.kill(-child.pid, 'SIGTERM');
      if ((await exited) === undefined) process.kill(-child.pid, 'SIGKILL');
    }
  }
}

/**
 * The CPU time of every thread of the processes in process group `group`, from the first field
 * of /proc/PID/task/TID/schedstat (nanoseconds, where /proc/PID/stat counts 10 ms ticks);
 * undefined without /proc.
 */
async function groupCpuSeconds(group: number): Promise<number | undefined> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let nanoseconds = 0;
  for (const pid of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces), from the third: state, ppid, pgrp.
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== group) continue;
      for (const task of await readdir(`/proc/${pid}/task`)) {
        const schedstat = await readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8');
        nanoseconds += Number(schedstat.split(' ')[0]);
      }
    } catch {
      // Exited meanwhile.
    }
  }
  return nanoseconds / 1e9;
}

/** The exit code (or signal) of `child`; kills it after `timeoutMs`. */
function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal ?? 'unknown');
    });
  });
}
