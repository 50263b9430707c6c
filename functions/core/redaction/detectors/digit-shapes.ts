import type { CandidateSearch } from './candidate-search.ts';
import { DIGIT_STARTS_BLOCK_CHARS, DigitStarts } from './digit-starts.ts';
import { compileScanningRegex } from './scanning-regex.ts';

/** The shapes of the card, SSN and phone detectors, by name. */
const digitRunShapes = {
  nanpCore: /[ .)-][2-9][0-9][0-9][ .-][0-9][0-9][0-9][0-9](?![0-9])/,
  ssn: /[0-9][0-9][0-9][ -][0-9][0-9][ -][0-9][0-9][0-9][0-9]/,
  compactSsn: /[0-8](?<![0-9][0-8])[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9](?![0-9])/,
  card: /[2-6](?<![0-9][2-6])[0-9][0-9][0-9](?:[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]|[ .-][0-9][0-9][0-9][0-9][ .-][0-9][0-9][0-9][0-9][ .-][0-9]|[ .-][0-9][0-9][0-9][0-9][0-9][0-9][ .-][0-9][0-9][0-9][0-9])/,
};

/** The shape of the IPv4 detector, which matches where none of {@link digitRunShapes} does. */
const ipv4Core = /[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]/;

/** One regex alternating all the shapes. */
const allShapes = new RegExp(
  [...Object.values(digitRunShapes), ipv4Core].map((shape) => shape.source).join('|'),
);

/**
 * Texts at least this long are read for the shapes by the kernel ({@link DigitStarts}), shorter
 * ones by {@link allShapes}: below it, setting a block up costs more than the regex saves.
 */
const KERNEL_MIN_CHARS = 512;

/** The positions where one of the shapes matches, in one text, found lazily from the first one asked for. */
class ShapePositions {
  private readonly regex = compileScanningRegex(allShapes);
  /** {@link allShapes} at one position: each start the kernel finds is checked with it. */
  private readonly sticky = new RegExp(allShapes.source, 'y');
  private starts: DigitStarts | undefined;
  /** The kernel has read the text up to `blockEnd`; the starts of its last block from the `startIndex`th remain. */
  private blockEnd = 0;
  private startCount = 0;
  private startIndex = 0;
  private text = '';
  /** Positions below it are not recorded. */
  private from = 0;
  /** Every position in `[from, to)` is recorded; the regex resumes at `to`, which may be below a query's `from`. */
  private to = 0;
  /** Positions where {@link ipv4Core} matches, the first `ipv4Count`, ascending. */
  private readonly ipv4: number[] = [];
  private ipv4Count = 0;
  /** Positions where one of {@link digitRunShapes} matches, the first `digitRunCount`, ascending. */
  private readonly digitRun: number[] = [];
  private digitRunCount = 0;
  /**
   * Per list, the index after the position last returned from it: a search asks on from past
   * what it was given, so the answer is mostly the one there, found without a binary search
   * (in bench logs, over the 4 K IPv4 positions of a text, once a line).
   */
  private ipv4Next = 0;
  private digitRunNext = 0;

  /** {@link next} of an IPv4 core, the remembered one taken in a call small enough to inline. */
  nextIpv4(text: string, from: number): number {
    const index = this.ipv4Next;
    if (text === this.text && index < this.ipv4Count && from >= this.from) {
      const at = this.ipv4[index] as number;
      if (at >= from && (index === 0 || (this.ipv4[index - 1] as number) < from)) {
        this.ipv4Next = index + 1;
        return at;
      }
    }
    return this.next(text, from, true);
  }

  /** The least position `>= from` in `text` where {@link ipv4Core} matches (`isIpv4`) or one of the others, or -1. */
  next(text: string, from: number, isIpv4: boolean): number {
    // A query past `to` reads on from there rather than from `from`: the searches asking less
    // (those of a detector that found nothing yet) need the positions in between, and starting
    // over would have them read that text again (in bench logs, twice as much text as there is).
    if (text !== this.text || from < this.from) {
      // Counts rather than lengths: setting an array's length is a call into the runtime.
      this.ipv4Count = 0;
      this.digitRunCount = 0;
      this.ipv4Next = 0;
      this.digitRunNext = 0;
      // From one before: the IPv4 detector asks there, its core starting a digit before the
      // address, after the other detectors asked from the same position.
      this.from = Math.max(0, from - 1);
      this.to = this.from;
      this.blockEnd = this.from;
      this.startCount = 0;
      this.startIndex = 0;
    }
    // The same object compares in constant time, an equal copy does not: keep the caller's.
    this.text = text;
    const found = isIpv4 ? this.ipv4 : this.digitRun;
    const count = isIpv4 ? this.ipv4Count : this.digitRunCount;
    const hint = isIpv4 ? this.ipv4Next : this.digitRunNext;
    // Positions before `hint` lie below `from` when the one just before it does.
    let low = hint > 0 && (found[hint - 1] as number) >= from ? 0 : hint;
    if (low >= count || (found[low] as number) < from) {
      let high = count;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((found[middle] as number) < from) low = middle + 1;
        else high = middle;
      }
    }
    if (low < count) {
      if (isIpv4) this.ipv4Next = low + 1;
      else this.digitRunNext = low + 1;
      return found[low] as number;
    }
    // Positions not recorded yet lie at or after `to`.
    while (this.to <= text.length) {
      const at = this.nextMatch(text, this.to);
      if (at === -1) {
        this.to = text.length + 1;
        break;
      }
      this.to = at + 1;
      // The IPv4 core is a digit and a dot: no other shape has a dot after its first character.
      const isIpv4At = text.charCodeAt(at + 1) === 46;
      if (isIpv4At) this.ipv4[this.ipv4Count++] = at;
      else this.digitRun[this.digitRunCount++] = at;
      if (isIpv4At === isIpv4 && at >= from) {
        if (isIpv4) this.ipv4Next = this.ipv4Count;
        else this.digitRunNext = this.digitRunCount;
        return at;
      }
    }
    return -1;
  }

  /**
   * The least position `>= to` where one of the shapes matches, or -1; `to` at or past where the
   * last call returned in the same text (the kernel reads on from the block it is in).
   */
  private nextMatch(text: string, to: number): number {
    if (text.length < KERNEL_MIN_CHARS) {
      this.regex.lastIndex = to;
      return this.regex.exec(text)?.index ?? -1;
    }
    this.starts ??= new DigitStarts();
    const starts = this.starts;
    const sticky = this.sticky;
    for (;;) {
      for (; this.startIndex < this.startCount; this.startIndex++) {
        const at = starts.positionAt(this.startIndex);
        if (at < to) continue;
        // A dot after the first character: only the IPv4 core, which the kernel tests in full
        // (bench logs hold one a line, each a regex call saved).
        if (text.charCodeAt(at + 1) === 46) return at;
        sticky.lastIndex = at;
        if (sticky.test(text)) return at;
      }
      if (this.blockEnd >= text.length) return -1;
      const first = Math.max(this.blockEnd, to);
      this.blockEnd = Math.min(text.length, first + DIGIT_STARTS_BLOCK_CHARS);
      this.startCount = starts.scan(text, first, this.blockEnd);
      this.startIndex = 0;
    }
  }
}

/**
 * Where payment cards, SSNs, NANP phone numbers and IPv4 addresses can be, found in one scan of
 * the text shared by their detectors (about twice as fast on digit-heavy text as a scan each):
 *
 * - `nanpCore`: the separator before a NANP exchange and line, `-234-5678` or `)234-5678`;
 * - `ssn`: a printed SSN, `123-45-6789`;
 * - `compactSsn`: nine digits in a row not starting with 9, neither preceded nor followed by a digit;
 * - `card`: the first 13 characters of every card number the card detector accepts, not after a
 *   digit (inside a long digit run it would match at every offset);
 * - `ipv4Core`: the middle of a dotted quad, its three dots, the octets between them and a digit
 *   on either side (`2.168.1.1` in `192.168.1.10`).
 *
 * One regex alternating the shapes finds every position where any of them matches, and each
 * search keeps the positions where its own shape matches (checked sticky). In a text of
 * {@link KERNEL_MIN_CHARS} or more, a WebAssembly kernel ({@link DigitStarts}) finds the
 * positions where a shape can start instead, testing 40 at a time, and the regex is tried only
 * at those: bench text is digit-dense, which the regex cannot skip through (the search alone,
 * CPU time per 16 MB: CSV 27 ms to 11, logs 29 to 13, NDJSON 18 to 10; on prose, where the
 * regex skips, 0.2 ms per MB to 0.4). The positions are
 * recorded per text, so the searches share them whichever asks first; those of the IPv4 core
 * apart, as it matches where no other shape does and bench logs hold one in every line, which
 * the other searches would otherwise check one by one.
 */
export const digitShapes = (() => {
  const positions = new ShapePositions();
  /** The positions of one of {@link digitRunShapes}, among those of them all. */
  const digitRunSearch = (shape: RegExp): CandidateSearch => {
    const own = new RegExp(shape.source, 'y');
    return (text, from) => {
      for (let at = positions.next(text, from, false); at !== -1; at = positions.next(text, at + 1, false)) {
        own.lastIndex = at;
        if (own.test(text)) return at;
      }
      return -1;
    };
  };
  return {
    nanpCore: digitRunSearch(digitRunShapes.nanpCore),
    ssn: digitRunSearch(digitRunShapes.ssn),
    compactSsn: digitRunSearch(digitRunShapes.compactSsn),
    card: digitRunSearch(digitRunShapes.card),
    ipv4Core: ((text, from) => positions.nextIpv4(text, from)) as CandidateSearch,
  };
})();
