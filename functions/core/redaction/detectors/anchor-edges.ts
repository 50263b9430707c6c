import type { StartSequences } from '../pattern-start-sequences.ts';

/**
 * What can come right before and right after an anchor where a match starts with it, as the
 * anchor lanes' kernel checks it (see assembly/anchor-lanes.ts): 128 bits each, one per ASCII
 * character, as eight u16s.
 */
export interface AnchorEdges {
  /** Bit set: the character cannot come right before the anchor (characters above U+007F always can). */
  readonly excludedBefore: Uint16Array;
  /**
   * Bit set: the character can come right after the anchor (characters above U+007F cannot);
   * `undefined` when any can.
   */
  readonly allowedAfter: Uint16Array | undefined;
}

/**
 * The characters that can come right after `anchor` in a match starting with it, as the start
 * sequences holding it tell (index 128: any above U+007F), or `undefined` when one of them ends
 * with the anchor, so that anything can.
 */
export function charsAfter(anchor: string, start: StartSequences): Set<number> | undefined {
  const at = anchor.length;
  const followers = new Set<number>();
  // The anchor's characters as the sets name them, worked out once for all the sequences: a
  // pack's anchors times its sequences run to thousands at every start of `serve`.
  const codes = Array.from(anchor, (char) => Math.min(char.charCodeAt(0), 128));
  for (const sets of start.sequences) {
    let isHeld = true;
    for (let index = 0; index < codes.length && index < sets.length && isHeld; index++) {
      isHeld = sets[index]?.has(codes[index] as number) === true;
    }
    if (!isHeld) continue;
    const next = sets[at];
    if (next === undefined) return undefined;
    for (let code = 0; code <= 128; code++) if (next.has(code)) followers.add(code);
  }
  return followers;
}

/** The characters `start` excludes before a match, as {@link AnchorEdges} holds them. */
export function excludedBeforeOf(start: StartSequences): Uint16Array {
  const bits = new Uint16Array(8);
  for (let code = 0; code < 128; code++) if (start.excludedBefore.has(code)) setBit(bits, code);
  return bits;
}

/** The characters that can follow `anchor` in a match, as {@link AnchorEdges} holds them. */
export function allowedAfterOf(anchor: string, start: StartSequences): Uint16Array | undefined {
  const after = charsAfter(anchor, start);
  if (after === undefined || after.has(128)) return undefined;
  const bits = new Uint16Array(8);
  for (const code of after) setBit(bits, code);
  return bits;
}

/**
 * The edges of an anchor that several members' matches start with, from each member's (its
 * {@link excludedBeforeOf} and {@link allowedAfterOf}): the characters excluded before all of them, those allowed after any.
 * `undefined` when a member's are not known, or none are given.
 */
export function sharedAnchorEdges(uses: readonly (AnchorEdges | undefined)[]): AnchorEdges | undefined {
  // Most patterns are one member's anchor: its own edges, not a copy (~900 patterns a compile
  // of the default rule set, two typed arrays each).
  if (uses.length <= 1) return uses[0];
  const excludedBefore = new Uint16Array(8).fill(0xffff);
  let allowedAfter: Uint16Array | undefined = new Uint16Array(8);
  for (const edges of uses) {
    if (edges === undefined) return undefined;
    for (let word = 0; word < 8; word++) {
      excludedBefore[word] = (excludedBefore[word] as number) & (edges.excludedBefore[word] as number);
    }
    if (edges.allowedAfter === undefined) allowedAfter = undefined;
    else if (allowedAfter !== undefined) {
      for (let word = 0; word < 8; word++) {
        allowedAfter[word] = (allowedAfter[word] as number) | (edges.allowedAfter[word] as number);
      }
    }
  }
  return { excludedBefore, allowedAfter };
}

function setBit(bits: Uint16Array, code: number): void {
  bits[code >> 4] = (bits[code >> 4] as number) | (1 << (code & 15));
}
