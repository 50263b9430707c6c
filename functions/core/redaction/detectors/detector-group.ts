import type { Detector, Match } from '../detector.ts';
import { AnchorSearch } from './anchor-search.ts';
import type { PackMember } from './pack-member.ts';

/**
 * Runs many pack detectors as one detector with one kind per member, so that a scanner asks
 * one detector instead of hundreds and the text is searched once for all their anchors.
 *
 * Anchored members are tried only where one of their anchors occurs (one shared
 * {@link AnchorSearch}); the others keep their own scan, remembered per text. The match
 * returned is the leftmost of all members, the longest of those starting there, and of equal
 * ones the member listed first; its `kind` is that member's index.
 *
 * @example
 * const group = createDetectorGroup(members);
 * new Scanner([group]).scan(text); // matches carry detector = index of the member
 */
export function createDetectorGroup(members: readonly PackMember[]): Detector {
  const anchorIndex = new Map<string, number>();
  const membersByAnchor: number[][] = [];
  members.forEach((member, index) => {
    for (const anchor of member.anchors) {
      let at = anchorIndex.get(anchor);
      if (at === undefined) {
        at = anchorIndex.size;
        anchorIndex.set(anchor, at);
        membersByAnchor.push([]);
      }
      membersByAnchor[at]?.push(index);
    }
  });
  return group(members, new AnchorSearch([...anchorIndex.keys()]), membersByAnchor);
}

function group(
  members: readonly PackMember[],
  search: AnchorSearch,
  membersByAnchor: readonly (readonly number[])[],
): Detector {
  const maxValueOffset = Math.max(
    0,
    ...members.map((member) => (member.anchors.length > 0 ? member.maxValueOffset : 0)),
  );
  const scanning = members.flatMap((member, index) => (member.anchors.length === 0 ? [index] : []));
  /** Per scanning member: the text, the `from` and the result of its last search. */
  const remembered = scanning.map(() => ({ text: '', from: 0, match: null as Match | null }));

  function findFrom(text: string, from: number): Match | undefined {
    let best: Match | undefined;
    let bestKind = -1;
    const consider = (match: Match | undefined, kind: number): void => {
      if (match === undefined || match.start < from) return;
      if (
        best === undefined ||
        match.start < best.start ||
        (match.start === best.start && (match.end > best.end || (match.end === best.end && kind < bestKind)))
      ) {
        best = match;
        bestKind = kind;
      }
    };
    for (
      let occurrence = search.next(text, Math.max(0, from - maxValueOffset));
      occurrence !== undefined;
      occurrence = search.next(text, occurrence.start + 1)
    ) {
      // A value starts at or after its anchor: none found later can start before `best`.
      if (best !== undefined && occurrence.start > (best as Match).start) break;
      for (const anchor of occurrence.anchors) {
        for (const kind of membersByAnchor[anchor] ?? []) {
          consider(members[kind]?.matchAt(text, occurrence.start), kind);
        }
      }
    }
    scanning.forEach((kind, i) => {
      const last = remembered[i] as { text: string; from: number; match: Match | null };
      const isKnown =
        last.text === text && from >= last.from && (last.match === null || last.match.start >= from);
      last.text = text;
      if (!isKnown) {
        last.from = from;
        last.match = members[kind]?.detector.findFrom(text, from) ?? null;
      }
      consider(last.match ?? undefined, kind);
    });
    return best === undefined ? undefined : { start: best.start, end: best.end, kind: bestKind };
  }

  const self: Detector = {
    id: 'detector-group',
    label: 'DETECTOR_GROUP',
    kinds: members.length,
    minLength: Math.min(...members.map((member) => member.minLength)),
    maxLength: Math.max(0, ...members.map((member) => member.maxLength)),
    lookbehind: Math.max(0, ...members.map((member) => member.lookbehind)),
    lookahead: Math.max(0, ...members.map((member) => member.lookahead)),
    findFrom,
    named(name: string): Detector {
      const named = members.map((member) => member.named(name));
      return named.every((member, i) => member === members[i]) ? self : group(named, search, membersByAnchor);
    },
  };
  return self;
}
