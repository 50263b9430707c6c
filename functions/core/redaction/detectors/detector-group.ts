import type { Detector, Match } from '../detector.ts';
import { splitFieldName } from '../field-matcher.ts';
import type { StartSequences } from '../pattern-start-sequences.ts';
import { type AnchorEdges, sharedAnchorEdges } from './anchor-edges.ts';
import { AnchorSearch } from './anchor-search.ts';
import { isWord } from './is-word.ts';
import { isAtKeywordEdges } from './keyword-edges.ts';
import type { PackMember } from './pack-member.ts';
import { ShapeSearch } from './shape-search.ts';

/** What an anchor search pattern means to a member: a match starts there, or a keyword is there. */
interface Role {
  readonly kind: number;
  readonly isKeyword: boolean;
}

/**
 * Runs many pack detectors as one detector with one kind per member, so that a scanner asks
 * one detector instead of hundreds and the text is read once for all their anchors and
 * keywords.
 *
 * One {@link AnchorSearch} finds every anchor (in its pattern's case) and keyword (in any case, as
 * a word of its own: `sin` in `SIN:` or `customerSin`, not in `using`; at the ends of a word where
 * its member's `keywordEdges` ask) of every member;
 * an anchored member's pattern is tried only where one of its anchors occurs, a keyword-led
 * member's only in the window after one of its keywords. Members with neither, when there are
 * enough of them, share one {@link ShapeSearch} for where their matches may start and are tried
 * only there; else each keeps its own scan, remembered per text. The match returned is the leftmost of all members, the longest of
 * those starting there, and of equal ones the member listed first; its `kind` is that member's
 * index.
 *
 * A group `named` for a field (see `Detector.named`) has as its `namedPart` a group of only the
 * members the names changed, reporting their kinds in this group: where the group it was named
 * from finds nothing, as a scanner's `scanNamedOnly` is told, the other members find nothing
 * either, and that part alone gives the same matches without reading the text for every
 * member's anchors and scans (on the bench NDJSON, 27,000 short values per 16 MB under names
 * that are context for the phone pack member, each read by the whole group).
 *
 * @example
 * const group = createDetectorGroup(members);
 * new Scanner([group]).scan(text); // each match's detector is the index of its member
 */
export function createDetectorGroup(members: readonly PackMember[]): Detector {
  return groupOf(members, undefined, members.length);
}

/**
 * The group of `members`; `kindOf[i]`, when given, is the kind reported for `members[i]` (its
 * index in the group of `kinds` members this one is part of).
 */
function groupOf(
  members: readonly PackMember[],
  kindOf: readonly number[] | undefined,
  kinds: number,
): Detector {
  const patterns = new Map<string, number>();
  const literals: string[] = [];
  const ignoreCase: boolean[] = [];
  const roles: Role[][] = [];
  /** Per pattern, the edges each member it is an anchor of has for it (see `PackMember.anchorEdges`). */
  const edges: (AnchorEdges | undefined)[][] = [];
  const add = (literal: string, isAnyCase: boolean, role: Role, edgesOfMember?: AnchorEdges): void => {
    const key = isAnyCase ? `i:${literal.toLowerCase()}` : `s:${literal}`;
    let index = patterns.get(key);
    if (index === undefined) {
      index = patterns.size;
      patterns.set(key, index);
      literals.push(literal);
      ignoreCase.push(isAnyCase);
      roles.push([]);
      edges.push([]);
    }
    roles[index]?.push(role);
    edges[index]?.push(edgesOfMember);
  };
  members.forEach((member, kind) => {
    member.anchors.forEach((anchor, index) => {
      add(anchor, member.anchorsIgnoreCase, { kind, isKeyword: false }, member.anchorEdges?.[index]);
    });
    if (member.anchors.length === 0)
      for (const keyword of member.keywords) add(keyword, true, { kind, isKeyword: true });
  });
  const shapeKinds = members.flatMap((member, kind) =>
    member.anchors.length === 0 && member.keywords.length === 0 && member.start !== undefined ? [kind] : [],
  );
  const shapes =
    shapeKinds.length >= minShapeSearchMembers
      ? ShapeSearch.create(shapeKinds.map((kind) => members[kind]?.start as StartSequences))
      : undefined;
  const searches: Searches = {
    // A pattern only keywords use counts only as a word of its own, one only anchors use where
    // its members' matches can start: the search need not report it elsewhere.
    anchors: new AnchorSearch(
      literals,
      ignoreCase,
      roles.map((uses) => uses.every((role) => role.isKeyword)),
      roles.map((uses, pattern) =>
        uses.some((role) => role.isKeyword) ? undefined : sharedAnchorEdges(edges[pattern] ?? []),
      ),
    ),
    roles,
    shapes: { search: shapes, kinds: shapes === undefined ? [] : shapeKinds },
  };
  return group(members, searches, members, { kindOf, kinds });
}

/**
 * Members that scan on their own share one {@link ShapeSearch} from this many on: it costs
 * about what three of their regex scans do (measured on bench logs, CPU time: 2.8 ns per
 * character against 0.4 to 1.6 each).
 */
const minShapeSearchMembers = 4;

/** The kinds a group reports: `kindOf[i]` for member `i` (else `i`), all below `kinds`. */
interface Kinds {
  readonly kindOf: readonly number[] | undefined;
  readonly kinds: number;
}

/** What a group and the groups named from it search the text with. */
interface Searches {
  readonly anchors: AnchorSearch;
  /** Per anchor search pattern: what it means to each member it belongs to. */
  readonly roles: readonly (readonly Role[])[];
  readonly shapes: Shapes;
}

/** The shared search for the starts of members without anchors or keywords, and their kinds by shape. */
interface Shapes {
  readonly search: ShapeSearch | undefined;
  readonly kinds: readonly number[];
}

/**
 * `text` cut `reach` code units past `limit`, or `text` itself when no limit is given or the cut
 * would not shorten it. The cut of the last text and limit asked for is kept, so that searches
 * remembering their text (see `AnchorSearch`) are given the same string on every call.
 */
function cutter(reach: number): (text: string, limit: number | undefined) => string {
  let source = '';
  let at = -1;
  let cut = '';
  return (text, limit) => {
    if (limit === undefined || limit + reach >= text.length) return text;
    if (text !== source || limit !== at) {
      source = text;
      at = limit;
      cut = text.slice(0, limit + reach);
    }
    return cut;
  };
}

/** The best match one `findFrom` has found so far, and its member's kind. */
interface Choice {
  best: Match | undefined;
  kind: number;
}

/**
 * Makes `match` (of member `kind`, when found) the choice if it starts at or after `from` and
 * wins over the choice's (see {@link isBefore}). A function of the group, not a closure made per
 * call: each closure a call makes costs an allocation, and under tsx (esbuild's `keepNames`) a
 * property definition as well.
 */
function consider(choice: Choice, match: Match | undefined, kind: number, from: number): void {
  if (match !== undefined && match.start >= from && isBefore(match, kind, choice.best, choice.kind)) {
    choice.best = match;
    choice.kind = kind;
  }
}

/**
 * True when `match` (of member `kind`) wins over `best`: it starts first, or ends later, or has
 * its keyword where `best` is bare, or its member is listed first.
 */
function isBefore(match: Match, kind: number, best: Match | undefined, bestKind: number): boolean {
  if (best === undefined || match.start < best.start) return true;
  if (match.start > best.start) return false;
  if (match.end !== best.end) return match.end > best.end;
  const isBare = match.isBare === true;
  return isBare === (best.isBare === true) ? kind < bestKind : !isBare;
}

function group(
  members: readonly PackMember[],
  searches: Searches,
  base: readonly PackMember[],
  kinds: Kinds,
): Detector {
  const { anchors: search, roles, shapes } = searches;
  const { kindOf } = kinds;
  // Words that make a field name context for some member (see `PackMember.contextWords`).
  const contextWords = new Set(members.flatMap((member) => member.contextWords));
  // Every start of a context word: a run that is none can grow into none.
  const contextWordStarts = new Set(
    [...contextWords].flatMap((word) => Array.from(word, (_, end) => word.slice(0, end + 1))),
  );

  /** True when some run of `words` in a row, joined, is a member's context word. */
  function holdsContextWord(words: readonly string[]): boolean {
    for (let first = 0; first < words.length; first++) {
      let run = '';
      for (let last = first; last < words.length; last++) {
        run += words[last];
        if (!contextWordStarts.has(run)) break;
        if (contextWords.has(run)) return true;
      }
    }
    return false;
  }

  const isShaped = members.map((_, kind) => shapes.kinds.includes(kind));
  const isScanning = (member: PackMember): boolean =>
    member.anchors.length === 0 && member.keywords.length === 0 && !member.isFieldOnly;
  // How far before a value the occurrence that finds it can start.
  const reach = Math.max(
    0,
    ...members.map((member) =>
      member.anchors.length > 0
        ? member.maxValueOffset
        : member.keywords.length > 0
          ? member.keywordWindow
          : 0,
    ),
  );
  const shapeReach = Math.max(0, ...shapes.kinds.map((kind) => members[kind]?.maxValueOffset ?? 0));
  const scanning = members.flatMap((member, kind) => (isScanning(member) && !isShaped[kind] ? [kind] : []));
  /** Per scanning member: the text, the `from` and the result of its last search. */
  const remembered = scanning.map(() => ({ text: '', from: 0, match: null as Match | null }));
  const patternLengths = search.anchors.map((pattern) => pattern.length);
  const hasAnchors = search.anchors.length > 0;
  const patternTexts = search.anchors;
  // Given a limit, the anchors and shapes are searched only as far as one starting before it
  // reaches, and the scanning members only as far as a value starting before it reaches: the
  // widest member (a PGP key block, 64 KiB) makes a streaming scanner give the group that much
  // text past the limit, which the next scan gives it again.
  const anchorText = cutter(Math.max(0, ...patternLengths));
  const shapeText = cutter((shapes.search?.reach ?? 0) + 1);
  const scanningText = cutter(
    Math.max(
      0,
      ...scanning.map(
        (kind) => (members[kind] as PackMember).maxLength + (members[kind] as PackMember).lookahead,
      ),
    ),
  );

  function findFrom(text: string, from: number, limit?: number): Match | undefined {
    const choice: Choice = { best: undefined, kind: -1 };
    const shapeSearch = shapes.search;
    const anchorsIn = anchorText(text, limit);
    // A group without anchors or keywords (the part of a group a field name changes, often) reads no text for them.
    let anchor = hasAnchors ? search.next(anchorsIn, Math.max(0, from - reach)) : undefined;
    const shapesIn = shapeSearch === undefined ? text : shapeText(text, limit);
    let shape = shapeSearch?.next(shapesIn, Math.max(0, from - shapeReach));
    // Both searches' occurrences in text order, so that a match found by either ends both.
    while (anchor !== undefined || shape !== undefined) {
      if (anchor !== undefined && (shape === undefined || anchor.start <= shape.start)) {
        const occurrence = anchor;
        // Values start at or after the occurrence that finds them: none later can start before `best`.
        if (choice.best !== undefined && occurrence.start > choice.best.start) break;
        for (const pattern of occurrence.anchors) {
          for (const { kind, isKeyword } of roles[pattern] ?? []) {
            const member = members[kind] as PackMember;
            // An occurrence before `from` found for the widest member's reach is out of reach
            // of most: their values would start before `from` (a JWT's `eyJ`, tried again at
            // each scan after its match, as often as it was first).
            if (!isKeyword) {
              if (occurrence.start + member.maxValueOffset >= from)
                consider(choice, member.matchAt(text, occurrence.start), kind, from);
            } else if (member.keywords.length > 0 && occurrence.start + member.keywordWindow >= from) {
              const end = occurrence.start + (patternLengths[pattern] as number);
              const keyword = patternTexts[pattern] as string;
              if (
                isWord(text, occurrence.start, end) &&
                isAtKeywordEdges(text, occurrence.start, end, keyword, member.keywordEdges)
              )
                consider(choice, member.matchAfter(text, occurrence.start, end, from), kind, from);
            }
          }
        }
        anchor = search.next(anchorsIn, occurrence.start + 1);
      } else if (shape !== undefined) {
        if (choice.best !== undefined && shape.start > choice.best.start) break;
        for (const index of shape.shapes) {
          const kind = shapes.kinds[index] as number;
          consider(choice, (members[kind] as PackMember).matchAt(text, shape.start), kind, from);
        }
        shape = shapeSearch?.next(shapesIn, shape.start + 1);
      }
    }
    const scanned = scanning.length === 0 ? text : scanningText(text, limit);
    for (let i = 0; i < scanning.length; i++) {
      const kind = scanning[i] as number;
      const last = remembered[i] as { text: string; from: number; match: Match | null };
      const isKnown =
        last.text === scanned && from >= last.from && (last.match === null || last.match.start >= from);
      // Keep the caller's string object: comparing it with itself is constant time.
      last.text = scanned;
      if (!isKnown) {
        last.from = from;
        last.match = members[kind]?.findFrom(scanned, from) ?? null;
      }
      consider(choice, last.match ?? undefined, kind, from);
    }
    const best = choice.best;
    if (best === undefined) return undefined;
    return {
      start: best.start,
      end: best.end,
      kind: kindOf === undefined ? choice.kind : kindOf[choice.kind],
    };
  }

  /** The members `base` does not hold, as a group reporting their kinds here (see `namedPart`). */
  function changedPart(): Detector {
    const changed = members.flatMap((member, index) => (member === base[index] ? [] : [index]));
    return groupOf(
      changed.map((index) => members[index] as PackMember),
      changed.map((index) => kindOf?.[index] ?? index),
      kinds.kinds,
    );
  }

  const only = kinds.kinds === 1 ? members[0] : undefined;
  const self: Detector = {
    id: only?.id ?? 'detector-group',
    label: only?.label ?? 'DETECTOR_GROUP',
    kinds: kinds.kinds,
    minLength: Math.min(...members.map((member) => member.minLength)),
    maxLength: Math.max(0, ...members.map((member) => member.maxLength)),
    lookbehind: Math.max(0, ...members.map((member) => member.lookbehind)),
    lookahead: Math.max(0, ...members.map((member) => member.lookahead)),
    findFrom,
    ...(members === base ? {} : { namedPart: changedPart() }),
    named(name: string): Detector {
      // Most names (ids as keys of a map among them) hold no member's words: one look answers them.
      if (!holdsContextWord(splitFieldName(name))) return self;
      const named = members.map((member) => member.named(name));
      return named.every((member, i) => member === members[i]) ? self : group(named, searches, base, kinds);
    },
  };
  return self;
}
