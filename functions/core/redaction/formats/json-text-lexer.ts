import type { JsonTokenRewriter } from './json-token-rewriter.ts';
import type { MatchCursor } from './match-cursor.ts';

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Tokenizes one complete JSON text held in memory (an NDJSON line) into `rewriter`, with the
 * same tokens as the streaming tokenizer: strings decoded exactly as `JSON.parse` decodes them,
 * numbers as their raw text. Positions are UTF-16 offsets into `text`. Grammar errors are the
 * rewriter's; lexical errors go through `rewriter.fail`. Does not call `rewriter.finish`.
 *
 * `matches`, when given, holds the matches of a scan of `text` as `jsonScanText` writes it:
 * a number, or a string without escapes or surrogates, that no match overlaps is passed on as
 * clean, so the rewriter skips the detectors for it.
 */
export function lexJsonText(text: string, rewriter: JsonTokenRewriter, matches?: MatchCursor): void {
  const length = text.length;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    switch (code) {
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        i++;
        break;
      case 0x7b:
        rewriter.beginObject(i++);
        break;
      case 0x7d:
        rewriter.endObject(i++);
        break;
      case 0x5b:
        rewriter.beginArray(i++);
        break;
      case 0x5d:
        rewriter.endArray(i++);
        break;
      case 0x3a:
        rewriter.colon(i++);
        break;
      case 0x2c:
        rewriter.comma(i++);
        break;
      case 0x22:
        i = lexString(text, i, rewriter, matches);
        break;
      case 0x74:
        i = lexLiteral(text, i, 'true', rewriter);
        break;
      case 0x66:
        i = lexLiteral(text, i, 'false', rewriter);
        break;
      case 0x6e:
        i = lexLiteral(text, i, 'null', rewriter);
        break;
      default:
        i = lexNumber(text, i, rewriter, matches);
    }
  }
}

/** Reads the string whose opening quote is at `start`; returns the index after its closing quote. */
function lexString(
  text: string,
  start: number,
  rewriter: JsonTokenRewriter,
  matches: MatchCursor | undefined,
): number {
  // A plain loop beats indexOf plus checks and a regex with captures on the short strings of records.
  let plainEnd = start + 1;
  let hasSurrogate = false;
  for (;;) {
    const code = text.charCodeAt(plainEnd);
    if (code === 0x22) {
      const isClean = !hasSurrogate && matches !== undefined && !matches.overlaps(start + 1, plainEnd);
      rewriter.string(text.slice(start + 1, plainEnd), start, !hasSurrogate, isClean);
      return plainEnd + 1;
    }
    if (code === 0x5c || code < 0x20 || Number.isNaN(code)) break;
    if (code >= 0xd800 && code <= 0xdfff) hasSurrogate = true;
    plainEnd++;
  }
  let end = text.indexOf('"', start + 1);
  for (;;) {
    if (end < 0) rewriter.fail('unterminated string', start);
    let backslash = end - 1;
    while (text.charCodeAt(backslash) === 0x5c) backslash--;
    if ((end - 1 - backslash) % 2 === 0) break;
    end = text.indexOf('"', end + 1);
  }
  // Escapes, or a raw control character that JSON.parse rejects.
  let value: string;
  try {
    value = JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    rewriter.fail('invalid string', start);
  }
  rewriter.string(value, start);
  return end + 1;
}

/** Reads the number starting at `start`: the run of characters a number can hold, checked whole. */
function lexNumber(
  text: string,
  start: number,
  rewriter: JsonTokenRewriter,
  matches: MatchCursor | undefined,
): number {
  let end = start;
  while (end < text.length && isNumberCharacter(text.charCodeAt(end))) end++;
  const raw = text.slice(start, end);
  if (end === start) rewriter.fail('unexpected character', start);
  if (!NUMBER.test(raw)) rewriter.fail('invalid number', start);
  rewriter.number(raw, start, matches !== undefined && !matches.overlaps(start, end));
  return end;
}

function isNumberCharacter(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2d ||
    code === 0x2b ||
    code === 0x2e ||
    code === 0x65 ||
    code === 0x45
  );
}

function lexLiteral(
  text: string,
  start: number,
  literal: 'true' | 'false' | 'null',
  rewriter: JsonTokenRewriter,
): number {
  if (!text.startsWith(literal, start)) rewriter.fail('unexpected character', start);
  rewriter.literal(literal, start);
  return start + literal.length;
}
