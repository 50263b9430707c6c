import type { StartSequences } from '../pattern-start-sequences.ts';
import { type AnchorEdges, allowedAfterOf, charsAfter, excludedBeforeOf } from './anchor-edges.ts';

/** What a pack member's start sequences tell of its anchors (see {@link anchorFactsOf}). */
export interface AnchorFacts {
  /** The anchors, each followed by each character that can come after it when those are few (see `lengthened`). */
  readonly anchors: readonly string[];
  /** What can come before and after each of {@link anchors} where the member's matches start with it. */
  readonly edges: readonly AnchorEdges[];
}

/**
 * Anchor facts as a cache carries them ({@link builtAnchorFacts}): the edges' bits as arrays of
 * eight numbers, `null` for an `allowedAfter` that allows any character.
 */
export interface AnchorFactsJson {
  readonly anchors: readonly string[];
  readonly excludedBefore: readonly number[];
  readonly allowedAfter: readonly (readonly number[] | null)[];
}

/** From this many characters on, the character after an anchor is not written into it (see {@link lengthened}). */
const maxFollowers = 24;

/**
 * The anchors of a member whose every match starts with one of them and one of `start`'s
 * sequences, lengthened (see {@link lengthened}), and the edges of each (see `AnchorEdges`).
 */
export function anchorFactsOf(anchors: readonly string[], start: StartSequences): AnchorFacts {
  const lengthenedAnchors = anchors.flatMap((anchor) => lengthened(anchor, start));
  // One member's matches exclude the same characters before every anchor.
  const excludedBefore = excludedBeforeOf(start);
  return {
    anchors: lengthenedAnchors,
    edges: lengthenedAnchors.map((anchor) => ({
      excludedBefore,
      allowedAfter: allowedAfterOf(anchor, start),
    })),
  };
}

/**
 * `anchor` followed by each character that can come after it in a match, when there are few
 * (ASCII, under {@link maxFollowers}) and every start sequence holding the anchor says which:
 * the anchor search then finds no occurrence the start check rejects (see `possibleStartTest`).
 * The Twilio key's `SK` occurs in 41,584 `SKU-` codes per 16 MB of the bench CSV, each an
 * occurrence recorded, handed to the group and checked; `SK0`..`SKf` occur 28 times.
 */
function lengthened(anchor: string, start: StartSequences): string[] {
  const followers = charsAfter(anchor, start);
  // An anchor holds no control characters (see `AnchorSearch`); which characters above U+007F
  // can follow the sets do not say (they are one member, 128).
  if (followers === undefined || followers.size > maxFollowers) return [anchor];
  for (const code of followers) if (code < 32 || code >= 127) return [anchor];
  return followers.size === 0 ? [anchor] : [...followers].map((code) => anchor + String.fromCharCode(code));
}

/** Anchor facts by {@link anchorFactsKey} that a cache gave ({@link addKnownAnchorFacts}). */
const knownAnchorFacts = new Map<string, AnchorFacts>();

/** Anchor facts by {@link anchorFactsKey} worked out here, the last few thousand. */
const workedOut = new Map<string, AnchorFacts>();
const maxWorkedOut = 4096;

/**
 * The anchor facts of a pack member with `pattern`, `flags` and `anchors`, whose start sequences
 * `start` are those of its pattern (`startSequencesOf`): those a cache gave, those worked out
 * before in this process, or else worked out now. Working them out for the shipped packs reads
 * ~12,600 start sequences (~8 ms of each compile of the default rule set, the code cold, and
 * another ~8 ms lengthening the anchors), which the first request after `serve` starts waited for.
 */
export function anchorFactsFor(
  pattern: string,
  flags: string,
  anchors: readonly string[],
  start: StartSequences,
): AnchorFacts {
  const key = anchorFactsKey(pattern, flags, anchors);
  let facts = knownAnchorFacts.get(key) ?? workedOut.get(key);
  if (facts === undefined) {
    facts = anchorFactsOf(anchors, start);
    if (workedOut.size >= maxWorkedOut) workedOut.delete(workedOut.keys().next().value as string);
    workedOut.set(key, facts);
  }
  return facts;
}

/** How a cache of anchor facts names those of a member (see {@link anchorFactsFor}). */
export function anchorFactsKey(pattern: string, flags: string, anchors: readonly string[]): string {
  return JSON.stringify([pattern, flags, anchors]);
}

/**
 * The anchor facts worked out here, as a cache carries them: what the CLI bundle's build writes
 * after compiling the shipped rule sets (bin/cli-bundle.js, ANCHOR_FACTS_FILE).
 */
export function builtAnchorFacts(): Record<string, AnchorFactsJson> {
  const json: Record<string, AnchorFactsJson> = {};
  for (const [key, { anchors, edges }] of workedOut) {
    json[key] = {
      anchors,
      excludedBefore: [...(edges[0]?.excludedBefore ?? new Uint16Array(8))],
      allowedAfter: edges.map(({ allowedAfter }) => (allowedAfter === undefined ? null : [...allowedAfter])),
    };
  }
  return json;
}

/**
 * Makes the anchor facts of a cache ({@link builtAnchorFacts}) those of their members. An entry
 * that is not of that form (an edge of other than eight 16-bit numbers, an edge per anchor) is
 * left out: those are worked out.
 */
export function addKnownAnchorFacts(cache: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(cache)) {
    const facts = anchorFactsFromJson(value as AnchorFactsJson);
    if (facts !== undefined) knownAnchorFacts.set(key, facts);
  }
}

function anchorFactsFromJson(json: AnchorFactsJson): AnchorFacts | undefined {
  try {
    const { anchors, allowedAfter } = json;
    const excludedBefore = bitsFromJson(json.excludedBefore);
    if (
      excludedBefore === undefined ||
      !Array.isArray(anchors) ||
      !anchors.every((anchor) => typeof anchor === 'string' && anchor !== '') ||
      !Array.isArray(allowedAfter) ||
      allowedAfter.length !== anchors.length
    )
      return undefined;
    const edges: AnchorEdges[] = [];
    for (const bits of allowedAfter) {
      const after = bits === null ? undefined : bitsFromJson(bits);
      if (bits !== null && after === undefined) return undefined;
      edges.push({ excludedBefore, allowedAfter: after });
    }
    return { anchors, edges };
  } catch {
    return undefined;
  }
}

function bitsFromJson(words: readonly number[]): Uint16Array | undefined {
  return Array.isArray(words) &&
    words.length === 8 &&
    words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffff)
    ? Uint16Array.from(words)
    : undefined;
}
