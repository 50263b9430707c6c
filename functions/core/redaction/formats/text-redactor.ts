import type { Redactor } from '../redactor.ts';
import type { FormatRedactor } from './format-redactor.ts';

/** Text is scanned once this much is pending beyond what a match could still need. */
const WINDOW = 64 * 1024;
/** ...and at least this many times the context and reach that each scan is given again. */
const NEW_PER_REPEATED = 4;

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
 * to about five times the context and reach: with the packs, about a million code units.
 */
export function createTextRedactor(redactor: Redactor): FormatRedactor {
  const scanner = redactor.textScanner;
  const reach = scanner.reachLength;
  const context = scanner.contextLength;
  const window = Math.max(WINDOW, NEW_PER_REPEATED * (context + reach));
  // Text from `position` on is not emitted yet; before it, up to `context` code units are kept
  // as lookbehind for the detectors.
  let tail = '';
  let position = 0;
  /** Pending code units (from `position` on) at which the next piece is scanned. */
  let due = window + reach;

  /** Redacts `text[from, limit)` and what the last match there covers; keeps the rest as the tail. */
  function emit(text: string, from: number, limit: number): string {
    const { matches, next: cut } = scanner.scan(text, from, limit);
    const out = redactor.replace(text, matches, from, cut);
    const keepFrom = Math.max(0, cut - context);
    tail = text.slice(keepFrom);
    position = cut - keepFrom;
    due = text.length - cut + Math.max(window, text.length >> 1);
    return out;
  }

  return {
    push(text) {
      if (tail.length - position + text.length < due) {
        tail += text;
        return '';
      }
      let out = '';
      let from = position;
      // A bridge pays off, and leaves room to cut the piece past it, only for a large piece.
      if (text.length >= 2 * (context + reach)) {
        // Every match that starts in the tail, or in the first `context` code units of the
        // piece, lies in the bridge; scanning resumes in the piece with its lookbehind in place.
        const bridge = tail + text.slice(0, context + reach);
        const { matches, next } = scanner.scan(bridge, from, tail.length + context);
        out = redactor.replace(bridge, matches, from, next);
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
      return out + emit(text, from, limit);
    },
    end() {
      const out = emit(tail, position, tail.length);
      tail = '';
      position = 0;
      due = window + reach;
      return out;
    },
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
