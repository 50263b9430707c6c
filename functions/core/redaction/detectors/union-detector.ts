import type { Detector, Match } from '../detector.ts';

/**
 * One detector from several forms of the same value (the first part gives the id and label):
 * at each position the leftmost match of any part, the longest on a tie. Bounds are the
 * widest of the parts', and `named` names every part, so a part that needs context takes a
 * field name as it would alone. Each part's last answer is remembered while it still holds,
 * so a part whose match lies far ahead is not searched again on every call.
 *
 * @example
 * createUnionDetector([printedSsn, withContext(compactSsn, ['ssn'], 32)])
 */
export function createUnionDetector(parts: readonly Detector[]): Detector {
  const [first] = parts;
  if (first === undefined) throw new Error('a union detector needs at least one part');
  const hasNamed = parts.some((part) => part.named !== undefined);
  const searches = parts.map(rememberingSearch);
  const union: Detector = {
    id: first.id,
    label: first.label,
    minLength: Math.min(...parts.map((part) => part.minLength)),
    maxLength: Math.max(...parts.map((part) => part.maxLength)),
    lookbehind: Math.max(...parts.map((part) => part.lookbehind)),
    lookahead: Math.max(...parts.map((part) => part.lookahead)),
    findFrom(text: string, from: number): Match | undefined {
      let best: Match | undefined;
      for (const search of searches) {
        const match = search(text, from);
        if (match === undefined) continue;
        if (
          best === undefined ||
          match.start < best.start ||
          (match.start === best.start && match.end > best.end)
        ) {
          best = match;
        }
      }
      return best;
    },
  };
  if (!hasNamed) return union;
  return {
    ...union,
    named(name: string): Detector {
      const named = parts.map((part) => part.named?.(name) ?? part);
      return named.every((part, i) => part === parts[i]) ? this : createUnionDetector(named);
    },
  };
}

/**
 * `detector.findFrom`, answering from the previous search while it still decides the result:
 * same text, and `from` between where that search started and the match it found (or past
 * its start when it found none). Exact, as a detector's matches depend only on their start.
 */
function rememberingSearch(detector: Detector): (text: string, from: number) => Match | undefined {
  let lastText = '';
  let lastFrom = 0;
  let lastMatch: Match | undefined;
  return (text, from) => {
    const isKnown =
      text === lastText && from >= lastFrom && (lastMatch === undefined || from <= lastMatch.start);
    // The same object compares in constant time, an equal copy does not: keep the caller's.
    lastText = text;
    if (!isKnown) {
      lastFrom = from;
      lastMatch = detector.findFrom(text, from);
    }
    return lastMatch;
  };
}
