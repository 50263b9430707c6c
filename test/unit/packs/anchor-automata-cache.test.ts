import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';

type AnchorSearchModule = typeof import('../../../functions/core/redaction/detectors/anchor-search.ts');

/** The anchor search module with none of the automata an earlier test built or was given. */
async function freshModule(): Promise<AnchorSearchModule> {
  vi.resetModules();
  return import('../../../functions/core/redaction/detectors/anchor-search.ts');
}

/** Every occurrence of every anchor (ignoring case) starting at or after 0, by brute force. */
function occurrences(text: string, anchors: readonly string[]): [number, number[]][] {
  const lower = text.toLowerCase();
  const found: [number, number[]][] = [];
  for (let start = 0; start < text.length; start++) {
    const here = anchors.flatMap((anchor, index) =>
      lower.startsWith(anchor.toLowerCase(), start) ? [index] : [],
    );
    if (here.length > 0) found.push([start, here]);
  }
  return found;
}

function walk(search: InstanceType<AnchorSearchModule['AnchorSearch']>, text: string): [number, number[]][] {
  const found: [number, number[]][] = [];
  for (
    let occurrence = search.next(text, 0);
    occurrence !== undefined;
    occurrence = search.next(text, occurrence.start + 1)
  ) {
    found.push([occurrence.start, [...occurrence.anchors].sort((a, b) => a - b)]);
  }
  return found;
}

const anchorsArbitrary = fc.uniqueArray(
  fc.string({
    unit: fc.constantFrom('a', 'b', 'A', 'B', '-', '_', '1', 'é', 'К'),
    minLength: 1,
    maxLength: 6,
  }),
  { minLength: 1, maxLength: 12, comparator: (a, b) => a.toLowerCase() === b.toLowerCase() },
);

/** Texts of anchors among other characters, some long enough (256+) to be read by the lanes. */
const textArbitrary = (anchors: readonly string[]) =>
  fc
    .tuple(
      fc.array(
        fc.oneof(fc.constantFrom(...anchors), fc.constantFrom(' ', 'x', 'A', 'b', '-', 'É', 'к', '😀')),
        {
          maxLength: 60,
        },
      ),
      fc.integer({ min: 1, max: 12 }),
    )
    .map(([parts, times]) => parts.join('').repeat(times));

/** The cache of the automaton of `anchors`, as a module that built it gives it. */
async function builtCache(anchors: readonly string[]) {
  const builder = await freshModule();
  new builder.AnchorSearch(anchors);
  const cache = builder.builtAutomata();
  expect(Object.keys(cache.automata)).toEqual([anchors.join('\0')]);
  return cache;
}

describe("anchor automata from a cache (the CLI bundle's anchor-automata.json)", () => {
  it('are taken by a search for the same anchors, which then builds none and finds what a built one finds, in short and long texts', async () => {
    await fc.assert(
      fc.asyncProperty(
        anchorsArbitrary.chain((anchors) =>
          fc.tuple(fc.constant(anchors), fc.array(textArbitrary(anchors), { minLength: 1, maxLength: 3 })),
        ),
        async ([anchors, texts]) => {
          const cache = await builtCache(anchors);
          const user = await freshModule();
          // As the files carry them: the JSON read back, the bytes at an offset of their own.
          const file = Buffer.concat([Buffer.alloc(3), cache.transitions]).subarray(3);
          user.addKnownAutomata(JSON.parse(JSON.stringify(cache.automata)), file);
          const search = new user.AnchorSearch(anchors);
          expect(user.builtAutomata().automata).toEqual({});
          for (const text of texts) expect(walk(search, text)).toEqual(occurrences(text, anchors));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('are built again when the cached tables do not fit their anchors or are not the bytes hashed: a byte changed, a short file, an unknown anchor, another depth, width or offset', async () => {
    const anchors = ['akia', 'ghp_', 'sk-', 'password', 'Führerschein'];
    const { automata, transitions } = await builtCache(anchors);
    const key = anchors.join('\0');
    const entry = automata[key] as NonNullable<(typeof automata)[string]>;
    const changed = Buffer.from(transitions);
    changed.writeUInt16LE(entry.firstOutputState + entry.outputs.length, 2 * 200);
    const broken: [unknown, Uint8Array][] = [
      [entry, changed],
      [entry, transitions.subarray(0, transitions.length - 8)],
      [{ ...entry, outputs: [...entry.outputs.slice(1), [anchors.length]] }, transitions],
      [{ ...entry, depth: entry.depth + 1 }, transitions],
      [{ ...entry, width: entry.width + 1 }, transitions],
      [{ ...entry, transitionsAt: 2 }, transitions],
      [{ ...entry, extraSymbols: [[0xe9, entry.width]] }, transitions],
      [{ ...entry, isWide: true }, transitions],
    ];
    const text = `${'x AKIA1 ghp_x sk-1 PASSWORD führerschein FÜHRERSCHEIN '.repeat(8)}`;
    for (const [value, bytes] of broken) {
      const user = await freshModule();
      user.addKnownAutomata({ [key]: value }, bytes);
      const search = new user.AnchorSearch(anchors);
      expect(Object.keys(user.builtAutomata().automata)).toEqual([key]);
      expect(walk(search, text)).toEqual(occurrences(text, anchors));
    }
  });

  it('are not taken for the same anchors in another order: the anchors are the key', async () => {
    const anchors = ['akia', 'ghp_', 'sk-'];
    const cache = await builtCache(anchors);
    const user = await freshModule();
    user.addKnownAutomata(cache.automata, cache.transitions);
    const reordered = ['sk-', 'akia', 'ghp_'];
    const search = new user.AnchorSearch(reordered);
    expect(Object.keys(user.builtAutomata().automata)).toEqual([reordered.join('\0')]);
    const text = 'AKIA sk-1 ghp_ '.repeat(30);
    expect(walk(search, text)).toEqual(occurrences(text, reordered));
  });
});
