import { LimitExceededError, MalformedObjectError } from '../../errors.ts';
import type { Redactor } from '../redactor.ts';
import type { FormatRedactor } from './format-redactor.ts';

/** Media types a mail client shows with their markup taken out: HTML, and RFC 1896 enriched text. */
const MARKUP_TYPES: ReadonlySet<string> = new Set([
  'text/html',
  'application/xhtml+xml',
  'text/enriched',
  'text/richtext',
]);
/** An HTML attachment under another type (`application/octet-stream; name=page.html`): a browser opens it. */
const MARKUP_NAME = /\.(?:html?|xhtml)$/i;

/** Whether a part is shown with its markup taken out, by its media type or its file name. */
export function isMarkup(mediaType: string, fileName: string | undefined): boolean {
  return MARKUP_TYPES.has(mediaType) || MARKUP_NAME.test(fileName ?? '');
}

/**
 * What a reader does not show, or shows as another character: a comment, a tag, a numeric
 * character reference (HTML reads one without its `;` too, WHATWG HTML §13.2.5.80).
 */
const MARKUP = /<!--[\s\S]*?(?:-->|$)|<[^<>]*>|&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));?/g;

/**
 * A markup part's redactor that fails with `MalformedObjectError` before it is given a line whose
 * text, as a reader shows it, holds a value the detectors find there and not in the markup:
 * `jane<span>.doe</span>@example.com`, `jane.doe@<!-- -->example.com`, `jane.doe&#64example.com`.
 * Each value the detectors find in a line as shown (comments and tags taken out, numeric
 * references decoded) must overlap one they find in the line itself, which the part's redactor
 * then replaces (or a `keep` rule keeps): `<b>jane.doe@example.com</b>Active` shows as one
 * longer address, of which the redacted one is part. Scans do not count as redactions. A line
 * with markup whose shown text has nothing in it costs one scan of that text. Lines are held
 * whole (a value split across lines is shown with white space in it, which ends an address;
 * not a card number: left to the text redactor); fails with `LimitExceededError` on a line
 * longer than `maxLineChars`.
 */
export function refuseValuesSplitByMarkup(
  inner: FormatRedactor,
  redactor: Redactor,
  maxLineChars: number,
): FormatRedactor {
  let held = '';
  /** Fails when a value the line shows overlaps none the detectors find in the line itself. */
  function checkLine(line: string): void {
    const shown = shownText(line);
    const inLine = redactor.scanner.scan(line).matches;
    for (const match of redactor.scanner.scan(shown.text).matches) {
      const start = shown.starts[match.start] as number;
      const end = shown.ends[match.end - 1] as number;
      if (!inLine.some((other) => other.start < end && other.end > start)) {
        throw new MalformedObjectError(
          'mail: a markup part holds a value that its markup splits or encodes as the detectors do not read',
        );
      }
    }
  }

  /** The text, once no line of it shows a value its markup hides (one scan of it as shown). */
  function checked(text: string): string {
    const lines = text.split('\n');
    const shown = lines.map((line) => (hasMarkup(line) ? line.replace(MARKUP, shownUnit) : line));
    const view = shown.join('\n');
    if (view === text) return text;
    let lineStart = 0;
    let index = 0;
    for (const match of redactor.scanner.scan(view).matches) {
      for (; lineStart + (shown[index] as string).length < match.start; index++) {
        lineStart += (shown[index] as string).length + 1;
      }
      const line = lines[index] as string;
      if (hasMarkup(line)) checkLine(line);
    }
    return text;
  }
  return {
    push(text) {
      const all = held + text;
      const cut = all.lastIndexOf('\n') + 1;
      held = all.slice(cut);
      if (held.length > maxLineChars) {
        throw new LimitExceededError(
          `mail: a line of a markup part is longer than ${maxLineChars} characters`,
        );
      }
      return cut === 0 ? '' : inner.push(checked(all.slice(0, cut)));
    },
    end() {
      const rest = held;
      held = '';
      return inner.push(checked(rest)) + inner.end();
    },
  };
}

function hasMarkup(line: string): boolean {
  return line.includes('<') || line.includes('&#');
}

/** What a reader shows for a comment, a tag (nothing) or a numeric reference (its character). */
function shownUnit(unit: string, hex: string | undefined, decimal: string | undefined): string {
  if (hex === undefined && decimal === undefined) return '';
  const code = hex === undefined ? Number(decimal) : Number.parseInt(hex, 16);
  return code === 0 || code > 0x10ffff ? unit : String.fromCodePoint(code);
}

/**
 * A line as a reader shows it: comments and tags out, numeric character references decoded; for
 * each of its code units, where in the line the unit it comes from starts and ends.
 */
interface ShownText {
  readonly text: string;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

/** The line as shown, mapped to the line (only for a line that shows a value: it costs). */
function shownText(line: string): ShownText {
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  function keep(from: number, to: number): void {
    text += line.slice(from, to);
    for (let at = from; at < to; at++) {
      starts.push(at);
      ends.push(at + 1);
    }
  }
  let from = 0;
  for (const found of line.matchAll(MARKUP)) {
    keep(from, found.index);
    from = found.index + found[0].length;
    const unit = shownUnit(found[0], found[1], found[2]);
    text += unit;
    for (let at = 0; at < unit.length; at++) {
      starts.push(found.index);
      ends.push(from);
    }
  }
  keep(from, line.length);
  return { text, starts, ends };
}
