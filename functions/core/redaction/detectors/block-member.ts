import type { Match } from '../detector.ts';
import type { PackMember } from './pack-member.ts';

/** A block detector of a pack: text from a begin marker through an end marker, across lines. */
export interface BlockMemberSpec {
  readonly id: string;
  readonly label: string;
  readonly begin: string;
  readonly end: string;
  /** The match goes on to the end of the line holding the end marker. */
  readonly isThroughEndOfLine: boolean;
  readonly maxLength: number;
}

/**
 * A line of an armored key block: base64 (or empty), or a header such as `Version: 2` or
 * `Private-Lines: 14`. Up to two code units per repetition; the end is clamped afterwards.
 */
const armorLine = /(?:[A-Za-z0-9+/=]{0,128}|[A-Za-z][A-Za-z0-9-]{0,40}: [^\r\n]{0,256})(?:\r?\n|\r)/y;
/** Longest text `armorLine` reads from where it starts. */
const armorLineReach = 1 + 40 + 2 + 256 + 2;

/**
 * Builds a block member (PGP and PuTTY private keys): the match runs from the begin marker
 * (its anchor) through the end marker, at most `maxLength` code units. When no end marker
 * follows within that bound (the block is cut short or oversized) it fails closed: the begin
 * line and the armor lines after it (base64, headers, blank lines) are the match.
 */
export function createBlockMember(spec: BlockMemberSpec): PackMember {
  const minLength = spec.begin.length;

  function matchAt(text: string, start: number): Match | undefined {
    if (!text.startsWith(spec.begin, start)) return undefined;
    const limit = Math.min(text.length, start + spec.maxLength);
    const bodyStart = start + spec.begin.length;
    const marker = text.slice(bodyStart, limit).indexOf(spec.end);
    if (marker !== -1) {
      let end = bodyStart + marker + spec.end.length;
      if (spec.isThroughEndOfLine) {
        while (end < limit && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
      }
      return { start, end: Math.min(end, limit) };
    }
    let end = bodyStart;
    while (end < limit && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
    for (;;) {
      armorLine.lastIndex = end;
      if (end >= limit || !armorLine.test(text)) break;
      end = armorLine.lastIndex;
    }
    return { start, end: Math.min(end, limit) };
  }

  const self: PackMember = {
    id: spec.id,
    label: spec.label,
    minLength,
    maxLength: spec.maxLength,
    lookbehind: 0,
    lookahead: armorLineReach,
    anchors: [spec.begin],
    anchorsIgnoreCase: false,
    keywords: [],
    keywordWindow: 0,
    keywordEdges: 'none',
    maxValueOffset: 0,
    start: undefined,
    matchAt,
    matchAfter: () => undefined,
    findFrom: () => undefined,
    named: () => self,
    contextWords: [],
    isFieldOnly: false,
  };
  return self;
}
