import type { Redactor } from '../redactor.ts';
import type { ScanMatch } from '../scanner.ts';
import { isHighSurrogate, isLowSurrogate } from '../surrogates.ts';
import type { FormatRedactor } from './format-redactor.ts';

/** Text is scanned once this much is pending beyond what a match could still need. */
const WINDOW = 64 * 1024;
/** ...and at least this many times the context and reach that each scan is given again. */
const NEW_PER_REPEATED = 4;
/** Code units of scanned text (and the replacements in them) redacted into one output string. */
const OUTPUT_PIECE = 32 * 1024;

/**
 * Plain text and logs: the detectors run over a sliding window, with no notion of lines, so a
 * 100 MB single line streams in bounded memory. Text is emitted up to a cut point that no
 * pending match can cross; the scanner resumes exactly where one pass over the whole input would.
 * The scanner is the rule set's `textScanner`: field rules take the values assigned to the keys
 * they name (`name: Jane` in YAML, `dob=1985-03-12` in logfmt, ini, .env and properties).
 *
 * Only the unscanned tail of the previous piece is kept. A large piece is scanned where it lies:
 * the matches that may start in the tail are found in a short bridge (the tail joined to the
 * start of the piece), the rest in the piece itself, so no piece is copied whole. The scanner
 * may stop short of the cut point asked for when escapes or invisible characters shorten the
 * view of the text after it (see `Scanner.scan`): what it has not reached stays in the tail,
 * and a bridge that stops short of the piece is joined to the piece instead (a copy is cheaper
 * than scanning a longer bridge again).
 *
 * A scan normalizes all the text it is given, kept context and reach included, and a scan cut
 * short leaves that text to be scanned again; so the next scan waits for at least half as much
 * new text as the last one was given. Each code unit is then normalized a bounded number of
 * times (under five in the densest text measured) whatever the detectors' context and reach,
 * where waiting for a fixed window made text dense in escapes quadratic (each piece scanned
 * again with up to 64 times the reach behind it: 975 code units normalized per code unit).
 *
 * Each scan is given again the context kept before the text it emits and the reach after it,
 * copied with the new text into the one string the scanner reads; so the next scan also waits
 * for `NEW_PER_REPEATED` times as much new text as that, and a code unit is given to the scanner
 * (and copied) at most about 1.25 times, where the packs' 200 Ki code units of context and
 * reach made it 1.8 times on the bench logs (a tenth of their CPU). The redactor then holds up
 * to about five times the context and reach.
 *
 * The context kept is what the next scan needs (`Scanner.contextBefore`): before text as
 * written (no escape, fold or invisible character), the detectors' lookbehind alone, which with
 * the packs is 2 Ki code units where the context for escaped text is 134 Ki; and the wait for
 * new text shrinks with it. Each scan's text on the bench logs is then about 350 Ki code units
 * instead of a million, and every minor collection, which finds the text of the scan under way
 * live and promotes it, promotes a third as much: peak RSS of the 64 MB bench log 130 -> 126
 * MiB, of three in a row 169 -> 133 MiB; CPU of a first object the same, of later ones (three
 * times as many scans) up to 3 % more.
 *
 * A scan's output is also given in pieces of about `OUTPUT_PIECE` code units (`pushPieces`),
 * which the caller encodes apart: one string of a whole scan (with the packs, 800 Ki code
 * units) is over the size V8 allocates in its young generation, and flattening it for encoding
 * took fresh pages of memory each time (a third of the page faults on the bench logs).
 */
export function createTextRedactor(redactor: Redactor): FormatRedactor {
  const scanner = redactor.textScanner;
  const reach = scanner.reachLength;
  const context = scanner.contextLength;
  /** New code units a scan waits for when it is given `kept` code units of context again. */
  const windowFor = (kept: number) => Math.max(WINDOW, NEW_PER_REPEATED * (kept + reach));
  // Text from `position` on is not emitted yet; before it, up to `context` code units are kept
  // as lookbehind for the detectors (see `Scanner.contextBefore`).
  let tail = '';
  let position = 0;
  /** Pending code units (from `position` on) at which the next piece is scanned. */
  let due = windowFor(0) + reach;

  /**
   * Appends to `out` `text[from, to)` redacted with `matches` (all inside it), in pieces cut
   * between matches and never between the halves of a surrogate pair, which are encoded apart.
   */
  function redactPieces(
    out: string[],
    text: string,
    matches: readonly ScanMatch[],
    from: number,
    to: number,
  ): void {
    let start = from;
    let first = 0;
    while (start < to) {
      let end = Math.min(to, start + OUTPUT_PIECE);
      let next = first;
      for (;;) {
        while (next < matches.length && (matches[next] as ScanMatch).start < end) {
          end = Math.max(end, (matches[next] as ScanMatch).end);
          next++;
        }
        if (end >= to || !isLowSurrogate(text.charCodeAt(end))) break;
        end++;
      }
      out.push(redactor.replace(text, matches.slice(first, next), start, end));
      first = next;
      start = end;
    }
  }

  /** Redacts `text[from, limit)` and what the last match there covers into `out`; keeps the rest as the tail. */
  function emit(out: string[], text: string, from: number, limit: number): void {
    const { matches, next: cut } = scanner.scan(text, from, limit);
    redactPieces(out, text, matches, from, cut);
    const kept = scanner.contextBefore(text, cut);
    const keepFrom = Math.max(0, cut - kept);
    tail = text.slice(keepFrom);
    position = cut - keepFrom;
    due = text.length - cut + Math.max(windowFor(kept), text.length >> 1);
  }

  function pushPieces(text: string): string[] {
    const out: string[] = [];
    if (tail.length - position + text.length < due) {
      tail += text;
      return out;
    }
    let from = position;
    // A bridge pays off, and leaves room to cut the piece past it, only for a large piece.
    if (text.length >= 2 * (context + reach)) {
      // Every match that starts in the tail, or in the first `context` code units of the
      // piece, lies in the bridge; scanning resumes in the piece with its lookbehind in place.
      const bridge = tail + text.slice(0, context + reach);
      const { matches, next } = scanner.scan(bridge, from, tail.length + context);
      redactPieces(out, bridge, matches, from, next);
      from = next;
      if (next >= tail.length + context) {
        from -= tail.length;
        tail = '';
      }
    }
    text = tail + text;
    let limit = text.length - reach;
    // Never split a surrogate pair between two outputs.
    if (isHighSurrogate(text.charCodeAt(limit - 1))) limit--;
    emit(out, text, from, limit);
    return out;
  }

  function endPieces(): string[] {
    const out: string[] = [];
    emit(out, tail, position, tail.length);
    tail = '';
    position = 0;
    due = windowFor(0) + reach;
    return out;
  }

  return {
    push: (text) => pushPieces(text).join(''),
    end: () => endPieces().join(''),
    pushPieces,
    endPieces,
  };
}
