import { isBlank, isLineBreak } from '../ascii-classes.ts';
import type { Match } from '../detector.ts';
import type { PackMember } from './pack-member.ts';

/** A block detector of a pack for YAML block scalars under keys that name a secret. */
export interface YamlScalarMemberSpec {
  readonly id: string;
  readonly label: string;
  /** What a key, in lower case and without `_ . -`, may end with (`password`, `privatekey`). */
  readonly keyEndings: readonly string[];
  readonly maxLength: number;
}

/**
 * A value indicator and what a block scalar's header starts with: its indicator, literal or
 * folded, or a tag or an anchor before it (`password: !vault |`, `key: !!binary |`,
 * `secret: &s |`): where a match is looked for.
 */
const anchors = [': |', ': >', ': !', ': &'];
/** Longest line before an anchor: indentation, `- ` entries and the key (quoted or not). */
const maxKeyLine = 160;
/** Longest header after the value indicator (properties, indicators, a comment) and blank lines before the first line. */
const maxValueOffset = 1024;
/** Leading spaces counted on a line: more say no more than this many (indentation is at most `maxKeyLine` + 9). */
const maxIndent = maxKeyLine + 10;
/**
 * A header line after the value indicator: a tag and an anchor in either order, the block
 * indicator, indentation and chomping indicators in either order (the indentation one
 * captured), spaces, a comment.
 */
const header =
  /(?:[!&][^\s]{0,128}[ \t]{1,8}){0,2}[|>](?:([1-9])[+-]?|[+-]([1-9])?)?(?:[ \t]{1,64}(?:#[^\r\n]{0,256})?)?(?=\r|\n)/y;
/** A line before an anchor, up to the anchor: indentation, `- ` entries, the key and spaces. */
const keyLine = /^( *(?:- +){0,8})(["']?)([A-Za-z0-9_.-]{1,128})\2 {0,4}$/;
/** A value that only stands for one: a template reference (`{{ .Values.password }}`, `${DB_PASSWORD}`) or a mask. */
const standIn = /^(?:\{\{-?[^{}]*-?\}\}|\$\{[^{}]*\}|([^A-Za-z0-9\s])\1*)$/;

/**
 * Builds a block member for YAML block scalars (`password: |`, `private_key: >-`, `secret: |2 #
 * note`) under a key whose name, in lower case and without `_ . -`, ends with one of
 * `keyEndings`: the match runs from the first character of the scalar's first line through the
 * end of its last, and the redactor replaces each line on its own, keeping its indentation
 * (`CompiledRuleSet.lineWiseDetectors`), so a document still parses with as many lines.
 *
 * The header and the indentation follow YAML 1.2.2, 8.1.1 (https://yaml.org/spec/1.2.2/#rule-c-b-block-header):
 * an indentation indicator (1-9) and a chomping indicator (+ or -) in either order, then
 * optional spaces and a comment; a tag and an anchor may come before it (6.9, node properties:
 * `!vault |`, `&key >-`). The content is the lines indented more than the key (the
 * node's indentation): with an indentation indicator, by that many spaces; else as the first
 * non-empty line is. Blank lines inside are kept as they are; the first non-empty line indented
 * less ends the scalar. A scalar longer than `maxLength` fails closed at that bound, the rest of
 * the line it cuts left to the other detectors. A scalar whose every line is a template
 * reference or a mask (`{{ .Values.password }}`, `******`) stands for a secret and is no match.
 * The anchor is the value indicator and what a header starts with (`: |`, `: >`, `: !`,
 * `: &`); the key is read back from there
 * to the start of its line, so a key line longer than {@link maxKeyLine} is not read.
 */
export function createYamlScalarMember(spec: YamlScalarMemberSpec): PackMember {
  const endings = spec.keyEndings;

  function isSecretKey(key: string): boolean {
    const name = key.toLowerCase().replace(/[_.-]/g, '');
    return endings.some((ending) => name.endsWith(ending));
  }

  /** Column of the key of the line holding the anchor at `start`, if it names a secret. */
  function keyColumn(text: string, start: number): number | undefined {
    const from = Math.max(0, start - maxKeyLine);
    let lineStart = start;
    // Only what a key line holds is passed over: text dense in anchors is not read again per anchor.
    while (lineStart > from && isKeyLineChar(text.charCodeAt(lineStart - 1))) lineStart--;
    if (lineStart > 0 && !isLineBreak(text.charCodeAt(lineStart - 1))) return undefined;
    const line = keyLine.exec(text.slice(lineStart, start));
    if (line === null || !isSecretKey(line[3] as string)) return undefined;
    return (line[1] as string).length;
  }

  function matchAt(text: string, start: number): Match | undefined {
    if (!anchors.some((anchor) => text.startsWith(anchor, start))) return undefined;
    const column = keyColumn(text, start);
    if (column === undefined) return undefined;
    header.lastIndex = start + 2;
    const indicators = header.exec(text);
    if (indicators === null) return undefined;
    const explicit = indicators[1] ?? indicators[2];
    let indent = explicit === undefined ? undefined : column + Number(explicit);
    let position = skipLineBreak(text, header.lastIndex);
    let valueStart = -1;
    let valueEnd = -1;
    // Until the first line is found, only the header's reach is read; then the scalar's.
    let limit = Math.min(text.length, start + maxValueOffset);
    let hasValue = false;
    while (position < limit) {
      const spaces = countSpaces(text, position);
      let end = position + spaces;
      while (end < limit && isBlank(text.charCodeAt(end))) end++;
      if (end < limit && !isLineBreak(text.charCodeAt(end))) {
        indent ??= spaces > column ? spaces : undefined;
        if (indent === undefined || spaces < indent) break;
        const contentStart = end;
        if (valueStart === -1) {
          valueStart = contentStart;
          limit = Math.min(text.length, valueStart + spec.maxLength);
        }
        let contentEnd = end;
        while (end < limit && !isLineBreak(text.charCodeAt(end))) {
          if (!isBlank(text.charCodeAt(end))) contentEnd = end + 1;
          end++;
        }
        valueEnd = contentEnd;
        hasValue ||= !standIn.test(text.slice(contentStart, contentEnd));
      }
      position = skipLineBreak(text, end);
      if (position === end) break;
    }
    return valueStart === -1 || !hasValue ? undefined : { start: valueStart, end: valueEnd };
  }

  const self: PackMember = {
    id: spec.id,
    label: spec.label,
    minLength: 1,
    maxLength: spec.maxLength,
    lookbehind: maxKeyLine + maxValueOffset,
    lookahead: maxIndent + 2,
    anchors,
    anchorsIgnoreCase: false,
    keywords: [],
    keywordWindow: 0,
    keywordEdges: 'none',
    maxValueOffset,
    start: undefined,
    matchAt,
    matchAfter: () => undefined,
    findFrom: () => undefined,
    named: () => self,
    contextWords: [],
    isFieldOnly: false,
  };
  return self;
}

/** A character of `keyLine`: a letter, a digit, `_ . - " '` or a space. */
function isKeyLineChar(code: number): boolean {
  const folded = code | 32;
  return (
    (folded >= 97 && folded <= 122) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 46 ||
    code === 45 ||
    code === 34 ||
    code === 39 ||
    code === 32
  );
}

/** Spaces at `position`, counted up to {@link maxIndent}. */
function countSpaces(text: string, position: number): number {
  let end = position;
  const limit = Math.min(text.length, position + maxIndent);
  while (end < limit && text.charCodeAt(end) === 32) end++;
  return end - position;
}

/** The position after the line break at `position` (`\r\n`, `\r` or `\n`), or `position`. */
function skipLineBreak(text: string, position: number): number {
  if (text.charCodeAt(position) === 13)
    return text.charCodeAt(position + 1) === 10 ? position + 2 : position + 1;
  return text.charCodeAt(position) === 10 ? position + 1 : position;
}
