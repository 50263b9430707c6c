import { MalformedObjectError } from '../../errors.ts';
import type { FormatRedactor } from './format-redactor.ts';
import { MailLines } from './mail-lines.ts';

/**
 * The body of a `multipart/*` entity (RFC 2046 §5.1.1): the preamble, each part between two
 * delimiter lines (`--boundary`), the close delimiter (`--boundary--`) and the epilogue. Each part
 * goes to an entity redactor of its own (`createPart`), the preamble and the epilogue to
 * `createText`; the delimiter lines are written as they came. The line break before a delimiter
 * belongs to the delimiter, so a part's redactor never sees it; lines are cut where they end, so
 * the output does not depend on how the input was cut.
 *
 * Fails with `MalformedObjectError` when the body ends before its close delimiter, or a line
 * starts with the delimiter and is none.
 */
export function createMultipartRedactor(
  boundary: string,
  createPart: () => FormatRedactor,
  createText: () => FormatRedactor,
  maxLineChars: number,
): FormatRedactor {
  const lines = new MailLines(maxLineChars);
  const delimiter = `--${boundary}`;
  let state: 'preamble' | 'part' | 'epilogue' = 'preamble';
  let current = createText();
  /** The line break of the last line taken for `current`: it belongs to the next line or delimiter. */
  let held = '';
  /** Lines taken for `current` and not given to it yet: one push per run of lines, not per line. */
  let run = '';

  function line(text: string, newline: string): string {
    const kind = state === 'epilogue' ? undefined : delimiterKind(text, delimiter);
    if (kind === undefined) {
      run += held + text;
      held = newline;
      return '';
    }
    const out = current.push(run) + current.end() + held + text + newline;
    run = '';
    held = '';
    state = kind === 'close' ? 'epilogue' : 'part';
    current = kind === 'close' ? createText() : createPart();
    return out;
  }

  return {
    push(text) {
      lines.push(text);
      let out = '';
      for (let next = lines.next(); next !== undefined; next = lines.next()) {
        out += line(next.text, next.newline);
      }
      out += current.push(run);
      run = '';
      return out;
    },
    end() {
      const out = line(lines.lastLine(), '');
      if (state !== 'epilogue') {
        throw new MalformedObjectError('mail: a multipart body ends without its close delimiter');
      }
      const rest = run + held;
      run = '';
      return out + current.push(rest) + current.end();
    },
  };
}

/**
 * Whether a line is a delimiter (`--boundary`) or the close delimiter (`--boundary--`), white
 * space after allowed. Any other line that starts with the delimiter fails: RFC 2046 §5.1.1 keeps
 * the boundary out of the parts (and §5.1.2 out of the start of an inner boundary), and a client
 * that took such a line for a delimiter would read parts the redactor read as text.
 */
function delimiterKind(text: string, delimiter: string): 'open' | 'close' | undefined {
  if (!text.startsWith(delimiter)) return undefined;
  const rest = text.slice(delimiter.length);
  if (/^[ \t]*$/.test(rest)) return 'open';
  if (/^--[ \t]*$/.test(rest)) return 'close';
  throw new MalformedObjectError(
    'mail: a line starts with the boundary of its multipart but is no delimiter',
  );
}
