import Tokenizer, { TokenizerError } from '@streamparser/json/tokenizer.js';
import type { ParsedTokenInfo } from '@streamparser/json/utils/types/parsedTokenInfo.js';
import TokenType from '@streamparser/json/utils/types/tokenType.js';
import { LimitExceededError, MalformedObjectError, MaskpointError } from '../../errors.ts';
import type { Redactor } from '../redactor.ts';
import type { FormatRedactor } from './format-redactor.ts';
import { JsonTokenRewriter } from './json-token-rewriter.ts';

/** Input is fed to the tokenizer in slices this long, so a long string is checked against the limit as it grows. */
const SLICE_CHARS = 64 * 1024;

/** The tokenizer, keeping each number's text as written instead of a lossy JavaScript number. */
class RawNumberTokenizer extends Tokenizer {
  /** Text of the last number seen, whole or (between writes) partial. */
  numberText = '';

  protected override parseNumber(numberStr: string): number {
    this.numberText = numberStr;
    return Number.NaN;
  }
}

/**
 * One JSON document, streamed: the `@streamparser/json` tokenizer decodes strings (escapes
 * such as `\u0040` resolved before the detectors run) and a {@link JsonTokenRewriter} applies
 * field rules and detectors and re-serializes compactly (whitespace is not preserved). Output
 * is emitted as each value completes, so a 1 GB top-level array streams.
 *
 * Memory is bounded by `limits.maxRecordBytes`: a single string or number longer than that (in
 * UTF-16 code units) fails with `LimitExceededError`, as does nesting beyond `MAX_JSON_DEPTH`.
 * A syntax error, a truncated document or content after the top-level value fails with
 * `MalformedObjectError` naming the UTF-8 byte offset only. After an error every call throws it
 * again and nothing more is emitted.
 *
 * @example
 * ```ts
 * const json = createJsonRedactor(redactor);
 * const out = json.push('{"email":"a@example.com","n":[1,') + json.push('2]}') + json.end();
 * // '{"email":"[EMAIL]","n":[1,2]}'
 * ```
 */
export function createJsonRedactor(redactor: Redactor): FormatRedactor {
  const maxTokenChars = redactor.limits.maxRecordBytes;
  const rewriter = new JsonTokenRewriter(redactor, (byte) => `at byte ${byte}`);
  const tokenizer = new RawNumberTokenizer({ emitPartialTokens: true });
  let bytesRead = 0;
  // Length of the string or number still being read when the last write returned.
  let partialChars = 0;
  let partialOffset = 0;
  let failure: unknown;

  tokenizer.onToken = (token: ParsedTokenInfo): void => {
    if (token.partial === true) {
      // The tokenizer swallows errors thrown for partial numbers, so the limit is checked after the write.
      if (token.token === TokenType.STRING) partialChars = (token.value as string).length;
      else if (token.token === TokenType.NUMBER) partialChars = tokenizer.numberText.length;
      partialOffset = token.offset;
      return;
    }
    partialChars = 0;
    feed(token);
  };

  function feed(token: ParsedTokenInfo): void {
    const offset = token.offset;
    switch (token.token) {
      case TokenType.LEFT_BRACE:
        rewriter.beginObject(offset);
        break;
      case TokenType.RIGHT_BRACE:
        rewriter.endObject(offset);
        break;
      case TokenType.LEFT_BRACKET:
        rewriter.beginArray(offset);
        break;
      case TokenType.RIGHT_BRACKET:
        rewriter.endArray(offset);
        break;
      case TokenType.COLON:
        rewriter.colon(offset);
        break;
      case TokenType.COMMA:
        rewriter.comma(offset);
        break;
      case TokenType.STRING:
        checkLength((token.value as string).length, offset);
        rewriter.string(token.value as string, offset);
        break;
      case TokenType.NUMBER:
        checkLength(tokenizer.numberText.length, offset);
        rewriter.number(tokenizer.numberText, offset);
        break;
      case TokenType.TRUE:
        rewriter.literal('true', offset);
        break;
      case TokenType.FALSE:
        rewriter.literal('false', offset);
        break;
      case TokenType.NULL:
        rewriter.literal('null', offset);
        break;
      default:
        rewriter.fail('unexpected token', offset);
    }
  }

  function checkLength(chars: number, offset: number): void {
    if (chars > maxTokenChars) {
      throw new LimitExceededError(
        `JSON string or number at byte ${offset} is longer than ${maxTokenChars} characters`,
      );
    }
  }

  function write(text: string): void {
    tokenizer.write(text);
    bytesRead += utf8Length(text);
    if (partialChars > 0) checkLength(partialChars, partialOffset);
  }

  /** Runs `step`, translating tokenizer errors; once anything failed, every later call throws the same. */
  function guarded(step: () => void): string {
    if (failure !== undefined) throw failure;
    try {
      step();
      return rewriter.take();
    } catch (error) {
      failure = toDomainError(error, bytesRead);
      rewriter.take();
      throw failure;
    }
  }

  return {
    push(text) {
      return guarded(() => {
        let start = 0;
        while (start < text.length) {
          let end = Math.min(text.length, start + SLICE_CHARS);
          if (isLowSurrogate(text.charCodeAt(end))) end--;
          write(start === 0 && end === text.length ? text : text.slice(start, end));
          start = end;
        }
      });
    },
    end() {
      return guarded(() => {
        tokenizer.end();
        rewriter.finish(bytesRead);
      });
    },
  };
}

/** The tokenizer's messages quote the offending character; keep only its byte position. */
function toDomainError(error: unknown, bytesRead: number): unknown {
  if (error instanceof MaskpointError) return error;
  if (error instanceof TokenizerError) {
    const position = /absolute position "(\d+)"/.exec(error.message)?.[1];
    return position === undefined
      ? new MalformedObjectError(`malformed JSON: input ends inside a token at byte ${bytesRead}`)
      : new MalformedObjectError(`malformed JSON: unexpected character at byte ${position}`);
  }
  return new MalformedObjectError(`malformed JSON: unreadable input near byte ${bytesRead}`);
}

/** UTF-8 length of `text`, counting a lone surrogate as the 3 bytes of its replacement character. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
