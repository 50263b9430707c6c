import { readFile } from 'node:fs/promises';

/** One function's share of a V8 CPU profile. */
export interface SelfTime {
  /** `name file:line`, or a V8 pseudo-frame such as `(garbage collector)`; regexes show their source. */
  readonly frame: string;
  readonly seconds: number;
  readonly percent: number;
}

interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * The functions with the most self time in a `.cpuprofile` written by `node --cpu-prof`.
 *
 * @example
 * for (const { frame, percent } of await topSelfTime('bench/.data/profiles/csv/x.cpuprofile', 10)) {
 *   console.log(`${percent.toFixed(1)}% ${frame}`);
 * }
 */
export async function topSelfTime(path: string, count: number): Promise<SelfTime[]> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const frames = new Map(
    profile.nodes.map(({ id, callFrame }) => {
      const file = callFrame.url.split('/').slice(-2).join('/');
      // Line 0 is all a tsx-compiled module reports, so only real lines are shown.
      const line = callFrame.lineNumber > 0 ? `:${callFrame.lineNumber + 1}` : '';
      return [id, `${callFrame.functionName || '(anonymous)'}${file ? ` ${file}${line}` : ''}`];
    }),
  );
  const micros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((node, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = frames.get(node) ?? '(unknown)';
    micros.set(frame, (micros.get(frame) ?? 0) + delta);
    total += delta;
  });
  return [...micros]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, value]) => ({ frame, seconds: value / 1e6, percent: (100 * value) / total }));
}
