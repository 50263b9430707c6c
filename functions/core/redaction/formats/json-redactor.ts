import { LimitExceededError } from '../../errors.ts';
import type { Redactor } from '../redactor.ts';
import type { ScanMatch } from '../scanner.ts';
import type { PartRedactorFactory } from './encoded-body.ts';
import type { FormatRedactor } from './format-redactor.ts';
import { lexJsonText } from './json-text-lexer.ts';
import { JsonTokenRewriter } from './json-token-rewriter.ts';
import { MatchCursor } from './match-cursor.ts';

/**
 * One JSON document, streamed: each push is lexed by `lexJsonText` up to the last token that
 * may continue in the next push (an unterminated string, a number or literal touching the
 * end); that token is kept and read again with the next push. A {@link JsonTokenRewriter}
 * applies field rules and detectors (escapes such as `\u0040` resolved before the detectors
 * run) and re-serializes compactly (whitespace is not preserved). Output is emitted as each
 * value completes, so a 1 GB top-level array streams.
 *
 * For speed the detectors first run once over each pushed piece, as `jsonScanText` writes it
 * (keys left out while records repeat them, see `JsonTokenRewriter.scanBatch`) and over its
 * values with escapes, decoded; only a value that a match overlaps near its ends, or another
 * string with escapes or surrogates, is then scanned alone, as in the NDJSON redactor.
 *
 * Memory is bounded by `limits.maxRecordBytes`: a single string or number longer than that (in
 * UTF-16 code units: decoded for a whole string, as written for one still incomplete at the
 * end of a push) fails with `LimitExceededError`, as does nesting beyond `MAX_JSON_DEPTH`. A
 * syntax error, a truncated document or content after the top-level value fails with
 * `MalformedObjectError` naming the UTF-8 byte offset only. After an error every call throws it
 * again and nothing more is emitted. `createPart` makes the redactors of bodies in base64 (see
 * `JsonTokenRewriter`).
 *
 * @example
 * ```ts
 * const json = createJsonRedactor(redactor);
 * const out = json.push('{"email":"a@example.com","n":[1,') + json.push('2]}') + json.end();
 * // '{"email":"[EMAIL]","n":[1,2]}'
 * ```
 */
export function createJsonRedactor(redactor: Redactor, createPart?: PartRedactorFactory): FormatRedactor {
  const maxTokenChars = redactor.limits.maxRecordBytes;
  const scanner = redactor.scanner;
  const hasDetectors = scanner.detectors.length > 0;
  const matches = new MatchCursor();
  // The text being lexed and its UTF-8 byte offset in the document, for error positions.
  let text = '';
  let textOffsetBytes = 0;
  // The token that may continue in the next push, kept from the end of the last one.
  let tail = '';
  // The first character of the tail, read once: reading a string built by appending flattens it.
  let tailFirst = Number.NaN;
  let failure: unknown;

  const locate = (position: number): string =>
    `at byte ${textOffsetBytes + Buffer.byteLength(text.slice(0, position))}`;
  const tooLong = (position: number): LimitExceededError =>
    new LimitExceededError(
      `JSON string or number ${locate(position)} is longer than ${maxTokenChars} characters`,
    );
  const rewriter = new TokenLimitRewriter(redactor, locate, maxTokenChars, tooLong, createPart);

  /**
   * Lexes `head + buffer`, which starts at a token boundary; with `isPartial`, keeps its last
   * token if it may continue. The batch scan reads the two parts as they are (see `jsonScanText`).
   */
  function lex(head: string, buffer: string, isPartial: boolean): void {
    // Flattened by V8 only if an error names a position in it.
    text = head + buffer;
    const batch = hasDetectors ? rewriter.scanBatch(buffer, scanner, head) : undefined;
    const source = batch?.source ?? text;
    text = source;
    matches.reset(batch?.matches ?? []);
    const stop = lexJsonText(source, rewriter, { matches, isPartial });
    tail = stop === source.length ? '' : source.slice(stop);
    tailFirst = source.charCodeAt(stop);
    textOffsetBytes += Buffer.byteLength(stop === source.length ? source : source.slice(0, stop));
    text = tail;
    checkTail();
  }

  function checkTail(): void {
    const tokenChars = tailFirst === QUOTE ? tail.length - 1 : tail.length;
    if (tokenChars > maxTokenChars) throw tooLong(0);
  }

  function guarded(step: () => void): string {
    if (failure !== undefined) throw failure;
    try {
      step();
      return rewriter.take();
    } catch (error) {
      failure = error;
      rewriter.take();
      throw error;
    }
  }

  return {
    push(chunk) {
      return guarded(() => {
        // Reading a long token again with every small push would be quadratic; it waits whole.
        if (tail !== '' && isContinuedPast(tail, tailFirst, chunk)) {
          tail += chunk;
          text = tail;
          checkTail();
        } else if (chunk !== '') lex(tail, chunk, true);
      });
    },
    end() {
      return guarded(() => {
        // A kept number is whole now; a kept string or literal is cut off.
        if (isNumberStart(tailFirst)) lex('', tail, false);
        else if (tail !== '') rewriter.fail('input ends inside a token', tail.length);
        rewriter.finish(0);
      });
    },
  };
}

/** The rewriter, refusing a string or number longer than `maxTokenChars`. */
class TokenLimitRewriter extends JsonTokenRewriter {
  private readonly maxTokenChars: number;
  private readonly tooLong: (position: number) => LimitExceededError;

  constructor(
    redactor: Redactor,
    locate: (position: number) => string,
    maxTokenChars: number,
    tooLong: (position: number) => LimitExceededError,
    createPart: PartRedactorFactory | undefined,
  ) {
    super(redactor, locate, undefined, createPart);
    this.maxTokenChars = maxTokenChars;
    this.tooLong = tooLong;
  }

  override plainString(start: number, end: number, found?: readonly ScanMatch[]): void {
    if (end - start - 2 > this.maxTokenChars) throw this.tooLong(start);
    super.plainString(start, end, found);
  }

  override string(value: string, position: number): void {
    if (value.length > this.maxTokenChars) throw this.tooLong(position);
    super.string(value, position);
  }

  override number(start: number, end: number, found?: readonly ScanMatch[]): void {
    if (end - start > this.maxTokenChars) throw this.tooLong(start);
    super.number(start, end, found);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NOT_NUMBER_CHARACTER = /[^-+.eE0-9]/;

/** True when the string or number that `tail` starts (with `first`) goes on past the end of `chunk`. */
function isContinuedPast(tail: string, first: number, chunk: string): boolean {
  if (first !== QUOTE) return isNumberStart(first) && !NOT_NUMBER_CHARACTER.test(chunk);
  for (let quote = chunk.indexOf('"'); quote >= 0; quote = chunk.indexOf('"', quote + 1)) {
    let backslashes = 0;
    let before = quote - 1;
    while (before >= 0 && chunk.charCodeAt(before) === BACKSLASH) before--;
    backslashes = quote - 1 - before;
    if (before < 0) {
      // The run of backslashes may begin in the tail, after its opening quote.
      let end = tail.length - 1;
      while (end > 0 && tail.charCodeAt(end) === BACKSLASH) end--;
      backslashes += tail.length - 1 - end;
    }
    if (backslashes % 2 === 0) return false;
  }
  return true;
}

function isNumberStart(code: number): boolean {
  return code === 0x2d || (code >= 0x30 && code <= 0x39);
}
