import { LimitExceededError, MalformedObjectError } from '../../errors.ts';
import { isDigit } from '../ascii-classes.ts';
import { isEncodedFieldName } from '../encoded-value.ts';
import { normalizeText } from '../normalized-text.ts';
import type { CompiledFieldRule, Redactor } from '../redactor.ts';
import type { ScanMatch, Scanner } from '../scanner.ts';
import { credentialHeaderValueShape, isCredentialHeaderLength } from './credential-header-values.ts';
import { isBase64Encoding, type PartRedactorFactory, redactEncodedBody } from './encoded-body.ts';
import { EscapedValues } from './escaped-values.ts';
import { FieldRuleCache, type PathNode } from './field-rule-cache.ts';
import { type HeldValue, HeldValues } from './held-values.ts';
import { namedOnlyCleared } from './json-context-values.ts';
import { jsonScanText, kernelScans, STRING_INTS } from './json-scan-text.ts';
import { JsonStringEncoder, quote, quoteReplaced } from './json-string-encoder.ts';
import { JsonTableWindow, pairRule, tableShapes } from './json-table-window.ts';
import { isKeyEntry, lexJsonText, type PlainStrings } from './json-text-lexer.ts';
import type { MatchCursor } from './match-cursor.ts';
import { isNamedField } from './sibling-names.ts';
import { columnListRole, isColumnNameKey, isRowsMember, MAX_COLUMNS } from './table-members.ts';
import { createTextRedactor } from './text-redactor.ts';

/** Deepest nesting of objects and arrays accepted; deeper documents are refused, not tracked. */
export const MAX_JSON_DEPTH = 512;

/** JSON texts in strings are read to this depth (JSON in a string in JSON in a string…). */
export const MAX_NESTED_JSON_TEXTS = 4;

/** Keys a text must hold, and the share of them that must repeat, for the next batch scan to skip keys. */
const MIN_KEYS_TO_SKIP = 32;
const REPEATED_KEYS_TO_SKIP = 0.75;

// What the grammar accepts next.
const VALUE = 0;
const VALUE_OR_CLOSE = 1;
const KEY = 2;
const KEY_OR_CLOSE = 3;
const COLON = 4;
const COMMA_OR_CLOSE = 5;
const DONE = 6;

/** An open object or array. */
interface Frame {
  isObject: boolean;
  /** The field rule of the key this subtree hangs from, or of an outer one: it rules every member. */
  taint: CompiledFieldRule | undefined;
  /** The opening bracket is in the output; a tainted container waits until a member survives. */
  isWritten: boolean;
  hasMembers: boolean;
  hasDropped: boolean;
  /** This container's path, for field-rule lookups (unused inside a tainted subtree). */
  node: PathNode;
  /**
   * Objects: the member being read, JSON-encoded (after the detectors), and its path. While
   * the encoded key equals its source text, `keyStart`/`keyEnd` hold its span there instead.
   */
  key: string;
  keyStart: number;
  keyEnd: number;
  keyNode: PathNode;
  /** Where the last `,` and `:` of this container are in the source text; -1 once it changed. */
  commaAt: number;
  colonAt: number;
  /** Arrays: index of the next element. */
  index: number;
  /** Objects: the field rule a naming member's value (`"name": "DB_PASSWORD"`) gave the named members. */
  namedRule: CompiledFieldRule | undefined;
  /** Objects: a naming member (`name`, `key`, …) was read, whatever it named. */
  hasNaming: boolean;
  /**
   * Arrays: the field rule of the command-line flag the element before was
   * (`["--db-password", "…"]` in a container's `Args` or `command`), or of the credentials
   * header it named (`["Authorization", "Basic …"]`): it rules this element.
   */
  flagRule: CompiledFieldRule | undefined;
  /** Arrays: after a header name, the shape this element must have for `flagRule` to rule it. */
  flagShape: RegExp | undefined;
  /**
   * Objects: what an `encoding` member said of the body a `text` member holds (see
   * `encoded-body.ts`): `base64` once one said so, `other` once one said something else.
   */
  encoding: 'base64' | 'other' | undefined;
  /** Objects: the body's media type, from a `mimeType` member. */
  mediaType: string | undefined;
  /** Objects: a `text` member was read as plain text (see `isBodyLater`). */
  hasPlainText: boolean;
  /** Arrays: a table whose columns are named (see `JsonTableWindow`): the rule of each column of its rows. */
  tableRules: readonly (CompiledFieldRule | undefined)[] | undefined;
  /** Arrays: a row of such a table: the rule of each of its elements. */
  columnRules: readonly (CompiledFieldRule | undefined)[] | undefined;
  /** Arrays: a list of `[name, value]` pairs (see `JsonTableWindow`): its rows are pairs. */
  hasPairRows: boolean;
  /** Arrays: a pair of such a list: its first element, a name, gives the second the rule it names. */
  isPairRow: boolean;
  /**
   * Arrays: a list of column names being read (`columns`, `fields`, … see `table-members.ts`):
   * the name of each element by position, a string or an object's `name` (none for others);
   * `undefined` when it is no such list, or once it outgrew its bounds.
   */
  columnNames: (string | undefined)[] | undefined;
  /** Arrays: characters of the column names read. */
  columnNameChars: number;
  /**
   * Arrays: a list of column descriptions (`fields`, `columns`), whose objects' `name` is a
   * column's name. Objects: an element of one: its `name` member takes no field rule of its
   * own (`{"name": "first_name", "type": "string"}` names a column, not a person).
   */
  isColumnSchema: boolean;
  /** Objects: an element of a list of column names: its index there; else -1. */
  columnItem: number;
  /** Objects: the names of the list of column names read last among its members. */
  boundNames: readonly (string | undefined)[] | undefined;
}

/** Characters of a `mimeType` value kept: media types and their parameters are far shorter. */
const MAX_MEDIA_TYPE_CHARS = 256;

/**
 * Scanners of keys that are context remembered before the memory is cleared: paths the field
 * rule cache no longer remembers get a new scanner each time (see `FieldRuleCache`).
 */
const MAX_CONTEXT_SCANNERS = 1024;

/** A plain string value under a key that is context, written unchanged until its scan is made (see `settle`). */
interface UnsettledValue {
  readonly scanner: Scanner;
  readonly value: string;
  /** Where its string literal ends in `out`. */
  readonly end: number;
}

/** What {@link JsonTokenRewriter.scanBatch} gives. */
export interface BatchScan {
  /** The text scanned, its characters in a string that reads faster, if any (see `JsonScanText.source`): the one to lex. */
  readonly source: string;
  /** The matches of the scan, in positions of the text. */
  readonly matches: ScanMatch[];
}

/** Where a JSON text held in a string value sits in the document around it. */
interface NestedRoot {
  /** The rewriter of the document around it. */
  readonly outer: JsonTokenRewriter;
  /** The node of the string value's path, which is the nested text's root. */
  readonly node: PathNode;
}

/**
 * Rewrites one JSON text, fed as tokens, into compact JSON with field rules and detectors
 * applied (whitespace is not preserved). It checks the grammar, tracks the path from the root
 * and the field-rule taint: a key matched by a field rule taints its whole subtree, whose
 * scalars (strings, numbers, booleans, null) go through that rule instead of the detectors
 * (an inner match does not override it); `keep` passes the subtree unchanged. A scalar the
 * rule drops is removed with its key or array slot, and a container left with nothing but
 * dropped members is removed too, so a `drop` rule removes its key and whole value. Inside a
 * subtree, an empty object or array counts as dropped; at the top of the subtree it stays.
 * Untainted strings, keys and raw number texts go through the detectors, with the keys on
 * their path as context (`Scanner.named`: under `SecretAccessKey` the secret-key detector needs
 * no keyword in the value itself); a number that changes becomes a JSON string. A plain string
 * value under a name that is context, in which the batch scan found nothing, needs only the
 * detectors the name changed: it is written as it is, and they run over all such values of
 * the output at once when it is taken, which rewrites those they find something in (see
 * {@link settle}).
 *
 * An untainted string value that is itself a JSON object or array (`"{\"ssn\":\"…\"}"`, as
 * loggers and queues write payloads) is rewritten as part of the document, its keys continuing
 * the path, up to `MAX_NESTED_JSON_TEXTS` texts deep; when that changes anything the string
 * holds the compact result, else it goes through the detectors like any string.
 *
 * A `text` member whose object's `encoding` member says `base64` (an HTTP archive's body, see
 * `encoded-body.ts`) is decoded, redacted in the format its `mimeType` member and its bytes
 * call for (by the redactors `createPart` makes), and encoded again; bytes that are not text
 * become an empty body. Read after its `mimeType` but before its `encoding` (as browsers write
 * it), it is held until its object ends (see {@link HeldValues}); read before both, it is plain
 * text, and an `encoding` that says `base64` after it fails the object.
 *
 * Tokens are given by their positions in the source text set with `read`. Output that equals
 * its source text (in compact JSON without matches, nearly all of it) is not rebuilt token by
 * token: runs of it are copied from the source as one slice.
 *
 * Memory is bounded: the output is taken as it is produced, and only the open containers and
 * their current keys are held (keys along one path limited to `maxRecordBytes` characters).
 * Positions passed with each token only locate errors, through `locate`.
 */
export class JsonTokenRewriter {
  private readonly redactor: Redactor;
  private readonly encoder: JsonStringEncoder;
  private readonly rules: FieldRuleCache;
  private readonly locate: (position: number) => string;
  private readonly maxPathChars: number;
  private readonly frames: Frame[] = [];
  /** Frames of closed containers, which no held value refers to any more, for reuse. */
  private readonly closedFrames: Frame[] = [];
  private readonly path: (string | number)[];
  private pathChars: number;
  private expect = VALUE;
  private out = '';
  /**
   * Output before the first held value (final), kept apart from `out`: holding starts `out`
   * afresh, so rewriting held values costs the output of their object, not of all the output
   * since the last `take` (a push of many such objects was quadratic in its size).
   */
  private done = '';
  /** Named values whose output may still change (see {@link HeldValues}). */
  private readonly held: HeldValues<Frame>;
  /** The root node of a nested text; `undefined` for a document. */
  private readonly root: PathNode | undefined;
  /** Containers open around this text in the documents that hold it. */
  private readonly outerDepth: number;
  /** JSON texts in strings that hold this one. */
  private readonly nesting: number;
  /** The text token positions index. */
  private source = '';
  /** `source[copyStart, copyEnd)` is output not yet appended to `out`. */
  private copyStart = -1;
  private copyEnd = -1;
  /** By rule index (see `ScanMatch.detector`): code units a detector may inspect before a match start. */
  private readonly behind: number[] = [];
  /** By rule index: code units from a match start that a detector may inspect (its longest match and lookahead). */
  private readonly reach: number[] = [];
  /** The text the last {@link scanBatch} gave to lex, and where its strings start and end (see `PlainStrings`). */
  private batchSource: string | undefined;
  private batchStrings: Int32Array | undefined;
  /** `kernelScans()` after the last {@link scanBatch}: its strings hold while it is the same. */
  private batchScans = 0;
  /** The values with escapes of the text the last {@link scanBatch} gave to lex, scanned together. */
  private escaped: EscapedValues | undefined;
  /** The batch scan of the text being read left its keys out (see {@link scanBatch}). */
  private areKeysUnscanned = false;
  /** Plain keys read since the last {@link scanBatch}, and those of them that repeated their record's order. */
  private keys = 0;
  private repeatedKeys = 0;
  /**
   * The last replacement a field rule gave and its literal: most field rules replace every value
   * with one string (`[NAME]`), which is then not checked and quoted again for each value.
   */
  private lastReplacement = '';
  private lastReplacementLiteral = '""';
  /** Makes the redactors of bodies in base64. */
  private readonly createPart: PartRedactorFactory;
  /** Values under keys that are context, in `out`, whose scan waits to be made with the others (see {@link settle}). */
  private readonly unsettled: UnsettledValue[] = [];
  /** By scanner of a key that is context: true when it decodes base64 (a name on the path marks values as encoded). */
  private readonly decodesBase64 = new Map<Scanner, boolean>();
  /**
   * The first rows of the table being read, held in `out` (from `tableStart`) until its columns
   * are named (see {@link JsonTableWindow}); `tableDepth` is the number of open containers
   * up to its array.
   */
  private table: JsonTableWindow | undefined;
  private tableDepth = 0;
  /** Where the table's output starts in `out`: what is before it may be handed on. */
  private tableStart = 0;
  /** Whether a match of the batch scan took the cell being read whole, when its handling knew. */
  private cellWhole: boolean | undefined;
  /** The window of every table, made with the first (see {@link table}). */
  private tableWindow: JsonTableWindow | undefined;
  /**
   * NDJSON (see {@link readLines}): its lines of arrays are the rows of one table, whose window
   * was decided once it is, and whose columns' rules are then these.
   */
  private isLines = false;
  private isLineTableDecided = false;
  private lineRules: readonly (CompiledFieldRule | undefined)[] | undefined;
  /** NDJSON: the lines' table is a list of `[name, value]` pairs. */
  private areLinePairs = false;

  /**
   * `locate` turns a token position into words for error messages, e.g. `at byte 12`; `nested`
   * places a JSON text read from a string value of another rewriter's document. `createPart`
   * makes the redactor of a body in base64 in its format (default: text for every format; a
   * nested text takes its outer one's).
   */
  constructor(
    redactor: Redactor,
    locate: (position: number) => string,
    nested?: NestedRoot,
    createPart?: PartRedactorFactory,
  ) {
    this.redactor = redactor;
    this.locate = locate;
    this.createPart = nested?.outer.createPart ?? createPart ?? (() => createTextRedactor(redactor));
    this.maxPathChars = redactor.limits.maxRecordBytes;
    const outer = nested?.outer;
    this.encoder = outer?.encoder ?? new JsonStringEncoder(redactor);
    this.held = new HeldValues(redactor, this.encoder);
    this.rules = outer?.rules ?? new FieldRuleCache(redactor);
    this.root = nested?.node;
    this.path = outer === undefined ? [] : [...outer.path];
    this.pathChars = outer?.pathChars ?? 0;
    this.outerDepth = outer === undefined ? 0 : outer.outerDepth + outer.frames.length;
    this.nesting = outer === undefined ? 0 : outer.nesting + 1;
    for (const detector of redactor.scanner.detectors) {
      for (let kind = 0; kind < (detector.kinds ?? 1); kind++) {
        this.behind.push(detector.lookbehind);
        this.reach.push(detector.maxLength + detector.lookahead);
      }
    }
  }

  /**
   * The batch scan of `text`, the text read next: the matches of `scanner` in it as the lexer
   * passes them with its tokens (`jsonScanText`), in positions of `text`, and the text to lex.
   * Keys are left out of the scan when most keys of the text read last repeated the order of
   * the record before (keys of records, not of a map keyed by ids): each distinct key is then
   * scanned once alone (see `PathNode.isCleanKey`), not again in every record, and the lexer's
   * matches are not trusted for keys. The values with escapes, which the scan sees as written,
   * are decoded and scanned together (see `EscapedValues`). With `head`, the text read next is
   * `head + text`, never concatenated (see `jsonScanText`).
   */
  scanBatch(text: string, scanner: Scanner, head = ''): BatchScan {
    this.areKeysUnscanned =
      this.keys >= MIN_KEYS_TO_SKIP && this.repeatedKeys >= this.keys * REPEATED_KEYS_TO_SKIP;
    this.keys = 0;
    this.repeatedKeys = 0;
    const scan = jsonScanText(text, this.areKeysUnscanned, head);
    this.batchSource = scan.source;
    this.batchStrings = scan.strings;
    this.batchScans = kernelScans();
    this.escaped =
      scan.strings === undefined ? undefined : EscapedValues.scan(scan.source, scan.strings, scanner);
    return { source: scan.source, matches: scan.toSource(scanner.scan(scan.text).matches) };
  }

  /**
   * Where the strings of `text` start and end (`JsonScanText.strings`) when it is the text the
   * last {@link scanBatch} gave to lex and its kernel found them, no scan since overwriting
   * them, else `undefined` (see `PlainStrings`).
   */
  batchStringsOf(text: string): Int32Array | undefined {
    return text === this.batchSource && this.batchScans === kernelScans() ? this.batchStrings : undefined;
  }

  /**
   * Reads the texts that follow as the lines of NDJSON from the object's first: when that line
   * is an array of scalars, it and the lines of such arrays after it are the rows of a table
   * (see {@link JsonTableWindow}); a line that is no such array within its window ends it unread.
   */
  readLines(): void {
    this.isLines = true;
  }

  /** Writes `text` as the next output (a line break the NDJSON redactor read past its last line). */
  append(text: string): void {
    this.write(text);
  }

  /** Ends the window of the table being read, at the end of the input (see {@link readLines}). */
  endTable(): void {
    if (this.table !== undefined) this.closeTable();
  }

  /** Takes the positions of the tokens that follow as indexes into `source`. */
  read(source: string): void {
    if (source === this.source) return;
    this.flush();
    // Spans held for the open containers point into the old source: keep their text instead.
    for (const frame of this.frames) {
      if (frame.keyStart >= 0) frame.key = this.source.slice(frame.keyStart, frame.keyEnd);
      frame.keyStart = -1;
      frame.commaAt = -1;
      frame.colonAt = -1;
    }
    this.source = source;
  }

  /**
   * Returns the output written so far and forgets it, except from the first held value on (see
   * {@link HeldValues}). A value held longer than `maxRecordBytes` characters of output is let go
   * as the detectors left it: a naming member that far after it does not govern it.
   */
  take(): string {
    this.flush();
    if (this.table !== undefined) {
      // Values held before the table (a sibling's, see `HeldValues`) keep their output too.
      const kept = this.held.cut(this.tableStart, this.maxPathChars);
      const out = this.done + this.out.slice(0, kept);
      this.done = '';
      this.out = this.out.slice(kept);
      this.table.shift(kept);
      this.tableStart = 0;
      return out;
    }
    this.settle();
    const kept = this.held.cut(this.out.length, this.maxPathChars);
    const out = this.done + this.out.slice(0, kept);
    this.done = '';
    this.out = this.out.slice(kept);
    return out;
  }

  /** Writes `source[start, end)` unchanged, as the next output (line breaks between NDJSON values). */
  copy(start: number, end: number): void {
    if (start !== this.copyEnd) {
      this.flush();
      this.copyStart = start;
    }
    this.copyEnd = end;
  }

  /** Checks that one whole JSON value was read, then gets ready for the next text. */
  finish(position: number): void {
    if (this.expect !== DONE) this.fail('input ends inside the JSON value', position);
    this.expect = VALUE;
    // Only the first line starts a table of lines: a line's output depends on no line but those.
    if (this.isLines && this.table === undefined) this.isLineTableDecided = true;
  }

  /** Throws `MalformedObjectError` for a problem at `position`; `problem` must not quote content. */
  fail(problem: string, position: number): never {
    throw new MalformedObjectError(`malformed JSON: ${problem} ${this.locate(position)}`);
  }

  beginObject(position: number): void {
    this.begin(true, position);
  }

  beginArray(position: number): void {
    this.begin(false, position);
  }

  endObject(position: number): void {
    this.end(true, position);
  }

  endArray(position: number): void {
    this.end(false, position);
  }

  colon(position: number): void {
    if (this.expect !== COLON) this.fail("unexpected ':'", position);
    (this.innermost() as Frame).colonAt = position;
    this.expect = VALUE;
  }

  comma(position: number): void {
    const frame = this.innermost();
    if (this.expect !== COMMA_OR_CLOSE || frame === undefined) this.fail("unexpected ','", position);
    frame.commaAt = position;
    this.expect = frame.isObject ? KEY : VALUE;
  }

  /**
   * The string literal `source[start, end)`, quotes included, that holds no escape, control
   * character or surrogate, so its value is the text between the quotes: an object key or a
   * value, as the grammar says. `found` are the matches of a batch scan that overlap it (see
   * {@link ownMatches}); without them the detectors run on it alone.
   */
  plainString(start: number, end: number, found?: readonly ScanMatch[]): void {
    if (this.expect === KEY || this.expect === KEY_OR_CLOSE) {
      this.plainKey(start, end, !this.areKeysUnscanned && found?.length === 0);
      return;
    }
    if (this.isPlainMember(found) && !isJsonContainerStart(this.source.charCodeAt(start + 1))) {
      this.copyPlainMember(start, end);
      return;
    }
    const rule = this.startValue(start, start + 1, end - 1);
    this.noteNaming(start + 1, end - 1);
    if (rule === undefined && this.isBodyNow()) {
      this.writeBody(this.source.slice(start + 1, end - 1));
      return;
    }
    const held = this.hold(rule, start + 1, end - 1, true);
    const cell = this.startCell(rule, true, start + 1, end - 1);
    // A batch scan that found nothing in it vouches for the detectors a name leaves as they are.
    const isClean = found?.length === 0;
    if (rule === undefined) {
      // A hidden form wins over the shortcuts: a JSON text in the string is rewritten first.
      const nested = this.nestedJson(this.source, start + 1, end - 1, start);
      if (nested !== undefined) {
        this.writeSeparator();
        this.write(nested);
      } else {
        const own = this.ownMatches(this.source, start + 1, end - 1, found);
        if (own !== undefined) {
          if (this.table !== undefined)
            this.cellWhole = own.some((match) => match.start === start + 1 && match.end === end - 1);
          this.writeSeparator();
          if (own.length === 0) this.copy(start, end);
          else this.write(quoteReplaced(this.redactor, this.source, own, start + 1, end - 1));
        } else {
          const value = this.source.slice(start + 1, end - 1);
          const scanner = this.valueScanner();
          if (isClean && this.canSettleLater(scanner, held)) {
            this.writeSeparator();
            this.copy(start, end);
            this.unsettled.push({ scanner, value, end: this.out.length + this.copyEnd - this.copyStart });
          } else {
            const redacted = this.encoder.redact(value, scanner, isClean);
            this.writeSeparator();
            if (redacted === value) this.copy(start, end);
            else this.write(quote(redacted));
          }
        }
      }
    } else if (rule.isKeep) {
      this.writeSeparator();
      this.copy(start, end);
    } else this.writeField(rule, this.source.slice(start + 1, end - 1));
    this.endHold(held);
    this.endCell(cell);
    this.endValue();
  }

  /** A decoded string that may need escapes in JSON: an object key or a value, as the grammar says. */
  string(value: string, position: number): void {
    if (this.expect === KEY || this.expect === KEY_OR_CLOSE) {
      this.key(value, position, -1, false);
      return;
    }
    const rule = this.startValue(position, value);
    this.noteNaming(value);
    if (rule === undefined && this.isBodyNow()) {
      this.writeBody(value);
      return;
    }
    const held = this.hold(rule, value, undefined, true);
    const cell = this.startCell(rule, true, value);
    if (rule === undefined) {
      const nested = this.nestedJson(value, 0, value.length, position);
      const redacted = nested ?? quote(this.redactEscaped(value, position));
      this.writeSeparator();
      this.write(redacted);
    } else if (rule.isKeep) {
      this.writeSeparator();
      this.write(quote(value));
    } else this.writeField(rule, value);
    this.endHold(held);
    this.endCell(cell);
    this.endValue();
  }

  /**
   * Reads the string literal opening at `open` as {@link string} does when the batch scan
   * decoded it, a value with escapes (see `EscapedValues`) that closes before `to`, and returns
   * the index after its closing quote; else -1, and the lexer reads and decodes it.
   */
  batchString(open: number, to: number): number {
    const escaped = this.source === this.batchSource ? this.escaped : undefined;
    const close = escaped === undefined ? -1 : escaped.closeAt(open);
    if (close < 0 || close >= to) return -1;
    this.string((escaped as EscapedValues).valueAt(open) as string, open);
    return close + 1;
  }

  /**
   * The decoded value `value` of the string literal at `position` after the detectors: with the
   * matches the scan of the batch's escaped values found in it when that is exact (see
   * {@link ownMatches}), else as the encoder redacts it.
   */
  private redactEscaped(value: string, position: number): string {
    const found = this.source === this.batchSource ? this.escaped?.foundAt(position) : undefined;
    const own = this.ownMatches(value, 0, value.length, found);
    if (own === undefined) return this.encoder.redact(value, this.valueScanner(), found?.length === 0);
    return own.length === 0 ? value : this.redactor.replace(value, own, 0, value.length);
  }

  /**
   * The number `source[start, end)`, as written (every digit kept). `found` are the matches of
   * a batch scan that overlap it (see {@link ownMatches}).
   */
  number(start: number, end: number, found?: readonly ScanMatch[]): void {
    if (this.isPlainMember(found) && !this.hasExponent(start, end)) {
      this.copyPlainMember(start, end);
      return;
    }
    const rule = this.startValue(start);
    const held = this.hold(rule, start, end);
    const cell = this.startCell(rule, false, start, end);
    if (rule === undefined) {
      // The batch scan saw the number as written, not the plain digits of its exponent form.
      const own = this.hasExponent(start, end) ? undefined : this.ownMatches(this.source, start, end, found);
      if (own !== undefined) {
        this.writeSeparator();
        if (own.length === 0) this.copy(start, end);
        else this.write(JSON.stringify(this.redactor.replace(this.source, own, start, end)));
      } else {
        const raw = this.source.slice(start, end);
        const encoded = this.encoder.encodeNumber(raw, this.valueScanner());
        this.writeSeparator();
        if (encoded === raw) this.copy(start, end);
        else this.write(encoded);
      }
    } else if (rule.isKeep) {
      this.writeSeparator();
      this.copy(start, end);
    } else this.writeField(rule, this.source.slice(start, end));
    this.endHold(held);
    this.endCell(cell);
    this.endValue();
  }

  /**
   * True when the scalar read now is a plain member: the value of an object's key that no
   * field rule taints or governs, that plays no sibling role (naming, named, a body's) and is
   * no context to the detectors, in no held object, and that the batch scan cleared (`found`
   * empty). Most members of records are; their output is their source text (see
   * {@link copyPlainMember}), as the general path would find after all its checks.
   */
  private isPlainMember(found: readonly ScanMatch[] | undefined): boolean {
    if (this.expect !== VALUE || found === undefined || found.length > 0) return false;
    if (this.held.isRecording) return false;
    const frame = this.innermost();
    if (frame === undefined || !frame.isObject || frame.taint !== undefined) return false;
    const node = frame.keyNode;
    return node.rule === undefined && node.sibling === undefined && node.scanner === this.redactor.scanner;
  }

  /**
   * Reads the members of the innermost object from `from` (after its `{` or a `,`) while each
   * is a plain member (see {@link isPlainMember}) whose key is the one expected there
   * ({@link FieldRuleCache.expected}) and clean, written compactly, its value a plain string
   * or a number without exponent: such members are copied as they are, with the bookkeeping
   * their tokens would do and none of the calls. Two more kinds of member are read there as
   * their tokens would be: one whose key has a field rule (and no sibling role), its value
   * given to the rule (`writeField`); and one whose key is context, its value a plain string
   * the batch scan cleared, written as it is and scanned later with the others (see
   * {@link settle}) when {@link canSettleLater} said so before for that key's scanner. Any other
   * member whose key is such a key has its key read there too, and its value is left to its
   * tokens: an object or array (most records nest a few), a string a match overlaps (a key read
   * by its tokens costs more than the rest of such a member) or with escapes. Returns where it
   * stopped: before the first member whose key is not such a key, at the value of a member
   * whose key it read, or after the last member read. Without `matches` (a JSON text in a
   * string, which no batch scan read) no member is plain.
   */
  plainMembers(from: number, to: number, matches: MatchCursor | undefined, plain: PlainStrings): number {
    if (matches === undefined || (this.expect !== KEY && this.expect !== KEY_OR_CLOSE)) return from;
    const frame = this.innermost();
    if (frame === undefined || !frame.isObject || frame.taint !== undefined || this.held.isRecording) {
      return from;
    }
    const source = this.source;
    const scanner = this.redactor.scanner;
    const maxChars = this.maxPathChars;
    const last = this.path.length - 1;
    // The path's length but its last key, the same for every member: the path and the counts of
    // keys are written once when the loop stops (nothing it calls reads them), not per member.
    const outerChars = this.pathChars - (this.path[last] as string).length;
    let keyNode = frame.keyNode;
    let keysRead = 0;
    let i = from;
    // Where the first batch match that may overlap what is read from here starts: a key or value
    // ending there or before overlaps none, and the cursor is asked again only past it (asking it
    // for each key and value held ~13 % of this loop's samples on the bench NDJSON).
    let clearTo = matches.nextStart(from);
    // The batch scan's strings, whose entries are read here in order (a key's, then its value's
    // when that is a string), not searched for again for each key and value (which held ~19 % of
    // this loop's samples on the bench NDJSON).
    const strings = plain.entries();
    let entry = strings === undefined ? -1 : plain.entryOf(from);
    let stop: number;
    for (;;) {
      if (source.charCodeAt(i) !== QUOTE) {
        stop = i;
        break;
      }
      const node = keyNode === frame.node ? keyNode.firstKey : keyNode.nextKey;
      if (node === undefined || !node.isCleanKey || node.sibling !== undefined) {
        stop = i;
        break;
      }
      const rule = node.rule;
      // A key that is context: only string values its scanner may settle later (see `settle`).
      const isContext = rule === undefined && node.scanner !== scanner;
      if (isContext && (this.held.isHolding || this.decodesBase64.get(node.scanner) !== false)) {
        stop = i;
        break;
      }
      const key = node.key as string;
      // A plain key's literal is its text between quotes: where it closes is known.
      const keyClose = i + 1 + key.length;
      const print = node.keyPrint;
      // Entries read in order while each is where the next string opens; else as `plain` finds them.
      if (entry >= 0 && (strings as Int32Array)[entry] !== i) entry = -1;
      // The key's node was read under this path before, within the bound; checked all the same.
      if (
        !node.isPlainKey ||
        keyClose + 1 >= to ||
        source.charCodeAt(keyClose + 1) !== COLON_CODE ||
        outerChars + key.length > maxChars ||
        !(entry >= 0 && print !== undefined
          ? isKeyEntry(strings as Int32Array, entry, keyClose, print)
          : plain.isLiteralOf(i, key, print))
      ) {
        stop = i;
        break;
      }
      if (keyClose > clearTo) {
        clearTo = matches.nextStart(i + 1);
        if (clearTo < keyClose) {
          stop = i;
          break;
        }
      }
      const start = keyClose + 2;
      if (start >= to) {
        stop = i;
        break;
      }
      const first = source.charCodeAt(start);
      let end = -1;
      if (first === QUOTE) {
        // The value's entry follows its key's.
        let close: number;
        if (entry >= 0 && (strings as Int32Array)[entry + STRING_INTS] === start) {
          entry += STRING_INTS;
          close = Math.max((strings as Int32Array)[entry + 1] as number, -1);
        } else {
          close = plain.closeOf(start);
          entry = -1;
        }
        if (close >= 0 && close < to && close - start - 1 <= maxChars) {
          if (rule === undefined && close > clearTo) clearTo = matches.nextStart(start + 1);
          // A rule's value is given to the rule whatever the detectors found in it.
          const isCopied =
            !isJsonContainerStart(source.charCodeAt(start + 1)) && (rule !== undefined || close <= clearTo);
          if (isCopied) end = close + 1;
        }
      } else if (!isContext && (first === MINUS || (first >= DIGIT_0 && first <= DIGIT_9))) {
        const after = plainNumberEnd(source, start, to);
        if (rule === undefined && after > clearTo) clearTo = matches.nextStart(start);
        if (after >= 0 && after - start <= maxChars && (rule !== undefined || after <= clearTo)) end = after;
      }
      keyNode = node;
      keysRead++;
      frame.keyNode = node;
      frame.keyStart = i;
      frame.keyEnd = keyClose + 1;
      frame.colonAt = keyClose + 1;
      if (end < 0) {
        // Any other value (a container, a string a match overlaps or with escapes, …): its key
        // read as its tokens would read it, the value left to its tokens.
        this.expect = VALUE;
        stop = start;
        break;
      }
      if (rule !== undefined && !rule.isKeep) {
        this.writeField(rule, first === QUOTE ? source.slice(start + 1, end - 1) : source.slice(start, end));
        // A scan made meanwhile overwrote the entries.
        if (plain.entries() !== strings) entry = -1;
      } else {
        if (frame.hasMembers) {
          if (frame.commaAt >= 0) this.copy(frame.commaAt, frame.commaAt + 1);
          else this.write(',');
        }
        frame.hasMembers = true;
        this.copy(i, end);
        if (isContext) {
          const value = source.slice(start + 1, end - 1);
          this.unsettled.push({
            scanner: node.scanner,
            value,
            end: this.out.length + this.copyEnd - this.copyStart,
          });
        }
      }
      this.expect = COMMA_OR_CLOSE;
      if (end >= to || source.charCodeAt(end) !== COMMA_CODE) {
        stop = end;
        break;
      }
      frame.commaAt = end;
      this.expect = KEY;
      i = end + 1;
      if (entry >= 0) entry += STRING_INTS;
    }
    if (entry > 0) plain.readTo(entry - STRING_INTS);
    if (keysRead > 0) {
      const key = keyNode.key as string;
      this.keys += keysRead;
      this.repeatedKeys += keysRead;
      this.path[last] = key;
      this.pathChars = outerChars + key.length;
    }
    return stop;
  }

  /**
   * Reads the elements of the innermost array from `from` (after its `[` or a `,`) while each
   * is a plain string the batch scan cleared, in an array that no rule, table, list of names or
   * flag governs, under a path with no name that is context: each is copied as it is, with the
   * bookkeeping its token would do (its index, the flag or header name it may be) and none of
   * the calls, as {@link plainMembers} reads members. Returns where it stopped: before the
   * first element that is not such a string, or after the last one read. Without `matches`
   * (a JSON text in a string) none is.
   */
  plainElements(from: number, to: number, matches: MatchCursor | undefined, plain: PlainStrings): number {
    // Most calls come after a comma of an object, or of an array of objects or numbers.
    if (matches === undefined || this.source.charCodeAt(from) !== QUOTE) return from;
    if (this.expect !== VALUE && this.expect !== VALUE_OR_CLOSE) return from;
    const frame = this.innermost();
    if (
      frame === undefined ||
      frame.isObject ||
      frame.taint !== undefined ||
      this.held.isRecording ||
      this.table !== undefined ||
      frame.columnNames !== undefined ||
      frame.columnRules !== undefined ||
      frame.isPairRow ||
      frame.node.sibling !== undefined ||
      frame.node.scanner !== this.redactor.scanner
    ) {
      return from;
    }
    const source = this.source;
    const last = this.path.length - 1;
    let i = from;
    for (;;) {
      if (frame.flagRule !== undefined) return i;
      const close = plain.closeOf(i);
      // A string past the bound is refused by the token's own reading (see the JSON redactor).
      if (close < 0 || close >= to || close - i - 1 > this.maxPathChars) return i;
      if (isJsonContainerStart(source.charCodeAt(i + 1)) || matches.overlaps(i + 1, close)) return i;
      this.path[last] = frame.index++;
      this.noteFlag(frame, i + 1, close);
      this.separate(frame);
      const end = close + 1;
      this.copy(i, end);
      this.expect = COMMA_OR_CLOSE;
      if (end >= to || source.charCodeAt(end) !== COMMA_CODE) return end;
      frame.commaAt = end;
      this.expect = VALUE;
      i = end + 1;
      if (source.charCodeAt(i) !== QUOTE) return i;
    }
  }

  /** Writes the plain member's value `source[start, end)` unchanged (see {@link isPlainMember}). */
  private copyPlainMember(start: number, end: number): void {
    this.writeSeparator();
    this.copy(start, end);
    this.expect = COMMA_OR_CLOSE;
  }

  /** `true`, `false` or `null` at `position`. */
  literal(text: 'true' | 'false' | 'null', position: number): void {
    const rule = this.startValue(position);
    const held = this.hold(rule, text);
    const cell = this.startCell(rule, false, text);
    if (rule === undefined || rule.isKeep) {
      this.writeSeparator();
      this.copy(position, position + text.length);
    } else this.writeField(rule, text);
    this.endHold(held);
    this.endCell(cell);
    this.endValue();
  }

  /** The key `source[start, end)`, a plain string literal; `isClean` as for values. */
  private plainKey(start: number, end: number, isClean: boolean): void {
    const frame = this.innermost() as Frame;
    this.keys++;
    const value = this.source.slice(start + 1, end - 1);
    if (frame.taint === undefined) {
      const expected = this.rules.expected(frame.node, previousKey(frame));
      const name = expected?.key;
      if (name === value) {
        this.repeatedKeys++;
        this.key(name, start, end, isClean, expected);
        return;
      }
    }
    this.key(value, start, end, isClean);
  }

  /**
   * A key; `end` is where its plain literal ends in the source, or -1 when it was decoded from
   * escapes. `known` is its path node when the caller found it already: when the detectors
   * found nothing in it before, they are not run again.
   */
  private key(value: string, position: number, end: number, isClean: boolean, known?: PathNode): void {
    const frame = this.innermost() as Frame;
    const taint = frame.taint;
    const last = this.path.length - 1;
    this.pathChars += value.length - (this.path[last] as string).length;
    if (this.pathChars > this.maxPathChars) {
      throw new LimitExceededError(
        `JSON keys along one path exceed ${this.maxPathChars} characters ${this.locate(position)}`,
      );
    }
    this.path[last] = value;
    if (this.held.isRecording) this.held.recordKey(value, isClean);
    const scanner = frame.node.scanner;
    // The batch scan that vouches for clean strings ran without field names as context.
    const redacted =
      taint?.isKeep || known?.isCleanKey || (isClean && scanner === this.redactor.scanner)
        ? value
        : this.encoder.redact(value, scanner);
    if (end >= 0 && redacted === value) {
      frame.keyStart = position;
      frame.keyEnd = end;
    } else {
      frame.keyStart = -1;
      frame.key = quote(redacted);
    }
    if (taint === undefined) {
      let node = known;
      if (node === undefined) {
        node = this.rules.child(frame.node, value, this.path);
        this.rules.follow(frame.node, previousKey(frame), node);
      }
      if (redacted === value) node.isCleanKey = true;
      frame.keyNode = node;
    }
    this.expect = COLON;
  }

  /**
   * True when `found`, the matches of a batch scan of the source (as `jsonScanText` writes it,
   * or of escaped values as `EscapedValues` does) that overlap the value `text[start, end)`, are the matches of the rule set's detectors
   * scanning the value alone, so they need not run again (for a value under no field name that
   * is context, which the caller checks). That holds when no match is near its ends: by the detector
   * contract a match depends only on the text from its detector's lookbehind before its start
   * to its longest match and lookahead after it, all inside the value here. Text around a
   * value only adds matches that overlap it or reach out of it (line breaks stand for its
   * ends), so the batch misses none (see the NDJSON redactor). Those windows are counted in
   * units of the normalized view (`normalizeText`), which equal code units only where the text
   * has nothing to normalize: a value with matches and escapes or foldable characters is not
   * vouched for (`"123%20…%20"` before `"456"` matches across the two only in the batch).
   */
  private isVouched(text: string, start: number, end: number, found: readonly ScanMatch[]): boolean {
    if (found.length > 0 && normalizeText(text.slice(start, end)) !== undefined) return false;
    for (const match of found) {
      const rule = match.detector;
      if (
        match.start - (this.behind[rule] as number) < start ||
        match.start + (this.reach[rule] as number) > end
      ) {
        return false;
      }
    }
    return true;
  }

  /**
   * The matches of the value's scanner in the value `text[start, end)` alone, in positions of
   * `text`, taken from `found` (the batch matches that overlap it) without scanning it
   * again when that is exact; else `undefined`, and the caller scans it. Exact when the batch
   * vouches for it ({@link isVouched}), or when each of `found` lies inside the value as written
   * and `Scanner.findsAlone` confirms the value alone gives them, as the CSV redactor does for
   * cells: the batch holds the value between line breaks, where detectors find every match
   * they find in it alone. A value under a name that is context and without batch matches is
   * left to {@link settle} or `JsonStringEncoder.redact`, which run only the detectors the name changed.
   */
  private ownMatches(
    text: string,
    start: number,
    end: number,
    found: readonly ScanMatch[] | undefined,
  ): readonly ScanMatch[] | undefined {
    if (found === undefined) return undefined;
    const scanner = this.valueScanner();
    if (scanner === this.redactor.scanner && this.isVouched(text, start, end, found)) return found;
    if (found.length === 0) return undefined;
    const own: ScanMatch[] = [];
    for (const match of found) {
      if (match.start < start || match.end > end || match.value !== undefined) return undefined;
      own.push({ start: match.start - start, end: match.end - start, detector: match.detector });
    }
    return scanner.findsAlone(text.slice(start, end), own) ? found : undefined;
  }

  /**
   * True when the plain string value read now, which the batch scan vouches for, under a key
   * that is context (its scanner `scanner`), may be written unchanged and scanned later with the
   * others (see {@link settle}): it is not held, no held value's output follows it, and its
   * scanner does not decode base64.
   */
  private canSettleLater(scanner: Scanner, held: HeldValue<Frame> | undefined): boolean {
    if (scanner === this.redactor.scanner || held !== undefined || this.held.isHolding) return false;
    // A table's window is rewritten in place when it is decided: nothing may point into it.
    if (this.table !== undefined) return false;
    let decodes = this.decodesBase64.get(scanner);
    if (decodes === undefined) {
      if (this.decodesBase64.size >= MAX_CONTEXT_SCANNERS) this.decodesBase64.clear();
      decodes = this.path.some((key) => typeof key === 'string' && isEncodedFieldName(key));
      this.decodesBase64.set(scanner, decodes);
    }
    return !decodes;
  }

  /**
   * Makes the scan of the values under keys that are context written since the last one, all
   * of a scanner in one text (see `namedOnlyCleared`), and rewrites in `out` those it does not
   * clear as `JsonStringEncoder.redact` makes them alone. Before `out` is taken, or moved aside
   * for a held value whose positions count from there.
   */
  private settle(): void {
    const unsettled = this.unsettled;
    if (unsettled.length === 0) return;
    const cleared = new Uint8Array(unsettled.length);
    const byScanner = new Map<Scanner, number[]>();
    // Index loops: `entries()` made an array per value (a third of a KB per value in all).
    for (let i = 0; i < unsettled.length; i++) {
      const { scanner } = unsettled[i] as UnsettledValue;
      const indexes = byScanner.get(scanner);
      if (indexes === undefined) byScanner.set(scanner, [i]);
      else indexes.push(i);
    }
    for (const [scanner, indexes] of byScanner) {
      const flags = namedOnlyCleared(
        indexes.map((i) => (unsettled[i] as UnsettledValue).value),
        scanner,
      );
      for (let k = 0; k < indexes.length; k++) cleared[indexes[k] as number] = flags[k] as number;
    }
    let rewritten = '';
    let copied = 0;
    for (let i = 0; i < unsettled.length; i++) {
      if (cleared[i] === 1) continue;
      const { scanner, value, end } = unsettled[i] as UnsettledValue;
      const redacted = this.encoder.redact(value, scanner, true);
      if (redacted === value) continue;
      const start = end - value.length - 2;
      rewritten += this.out.slice(copied, start) + quote(redacted);
      copied = end;
    }
    if (copied > 0) this.out = rewritten + this.out.slice(copied);
    unsettled.length = 0;
  }

  /** True when the number `source[start, end)` has an exponent, so its plain digits are scanned too. */
  private hasExponent(start: number, end: number): boolean {
    const source = this.source;
    for (let i = start; i < end; i++) {
      const code = source.charCodeAt(i);
      if (code === 0x65 || code === 0x45) return true;
    }
    return false;
  }

  /**
   * The string value `text[start, end)` starting now, rewritten as a JSON text when it holds one and that changes
   * it; else `undefined`.
   */
  private nestedJson(text: string, start: number, end: number, position: number): string | undefined {
    if (this.nesting >= MAX_NESTED_JSON_TEXTS || !isJsonContainerText(text, start, end)) return undefined;
    const value = start === 0 && end === text.length ? text : text.slice(start, end);
    try {
      JSON.parse(value);
    } catch {
      return undefined;
    }
    const changesBefore = this.changes();
    const nested = new JsonTokenRewriter(this.redactor, () => this.locate(position), {
      outer: this,
      node: this.nodeOfNewContainer(undefined),
    });
    lexJsonText(value, nested);
    nested.finish(value.length);
    const rewritten = nested.take();
    return this.changes() === changesBefore ? undefined : quote(rewritten);
  }

  /** Values the rules have handled so far in this run: unchanged, nothing was. */
  private changes(): number {
    let total = 0;
    for (const count of this.redactor.counts.values()) total += count;
    return total;
  }

  /** The scanner for the value starting now: the keys on its path are its context. */
  private valueScanner(): Scanner {
    const frame = this.innermost();
    if (frame === undefined) return this.root?.scanner ?? this.redactor.scanner;
    return (frame.isObject ? frame.keyNode : frame.node).scanner;
  }

  /**
   * After a string value: when its member names the object's other members (`name`, `key`, …)
   * and the name it holds has a field rule (`DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`), that rule
   * governs the named members (`value`, …) of the object, as if they were fields of that name:
   * those read after it, and those held before it (see {@link HeldValues}), whose output is
   * rewritten. A name without a rule lets those stay held, as another naming member may follow
   * (a key-sorted Terraform resource has `name` before `type`), but holds no more. The
   * `encoding` and `mimeType` of a body are noted likewise (see {@link noteBody}). Called with
   * the value's span in the source, or its decoded text.
   */
  private noteNaming(valueOrStart: string | number, end?: number): void {
    const frame = this.innermost();
    if (frame === undefined || frame.taint !== undefined) return;
    if (frame.columnNames !== undefined) {
      this.noteColumnName(frame, frame.index - 1, this.textOf(valueOrStart, end));
    } else if (frame.columnItem >= 0 && isColumnNameKey(frame.keyNode.key)) {
      this.noteColumnName(
        this.frames[this.frames.length - 2] as Frame,
        frame.columnItem,
        this.textOf(valueOrStart, end),
      );
    }
    if (!frame.isObject) {
      if (!(frame.isPairRow && frame.index === 1 && this.notePairName(frame, valueOrStart, end)))
        this.noteFlag(frame, valueOrStart, end);
      return;
    }
    const sibling = frame.keyNode.sibling;
    if (sibling !== 'naming') {
      if (sibling === 'encoding' || sibling === 'mediaType') this.noteBody(frame, sibling, valueOrStart, end);
      return;
    }
    frame.hasNaming = true;
    const name = this.textOf(valueOrStart, end);
    const rule = this.redactor.fieldRule([...this.path.slice(0, -1), name]);
    if (rule === undefined || rule.isKeep) return;
    frame.namedRule = rule;
    this.flush();
    this.out = this.held.applyRule(this.out, frame, rule);
  }

  /** A string value given as its text or its span in the source: its text. */
  private textOf(valueOrStart: string | number, end?: number): string {
    return typeof valueOrStart === 'string' ? valueOrStart : this.source.slice(valueOrStart, end);
  }

  /**
   * After the string value of an `encoding` or `mimeType` member: notes what it says of the
   * object's body (see `encoded-body.ts`). Fails when `encoding` says `base64` after a `text`
   * read as plain text, which a reader would decode unredacted.
   */
  private noteBody(
    frame: Frame,
    sibling: 'encoding' | 'mediaType',
    valueOrStart: string | number,
    end?: number,
  ): void {
    const value = this.textOf(valueOrStart, end);
    if (sibling === 'mediaType') {
      // A slice of the text read, as the keys of open objects are (see `read`).
      frame.mediaType = value.slice(0, MAX_MEDIA_TYPE_CHARS);
      return;
    }
    if (!isBase64Encoding(value)) {
      frame.encoding ??= 'other';
      return;
    }
    if (frame.hasPlainText) {
      const position = typeof valueOrStart === 'number' ? valueOrStart - 1 : 0;
      this.fail('an `encoding` says base64 after a `text` read before it and its `mimeType`', position);
    }
    frame.encoding = 'base64';
  }

  /**
   * True when the string value read now is a body in base64 to redact at once: a `text` member
   * of an object whose `encoding` said `base64` and whose `mimeType` is known, no rule on it.
   */
  private isBodyNow(): boolean {
    const frame = this.innermost();
    if (frame === undefined || frame.keyNode.sibling !== 'encoded') return false;
    return (
      frame.isObject &&
      frame.taint === undefined &&
      frame.encoding === 'base64' &&
      frame.mediaType !== undefined
    );
  }

  /** Writes the body in base64 read now, redacted (see `redactEncodedBody`). */
  private writeBody(base64: string): void {
    const frame = this.innermost() as Frame;
    if (this.held.isRecording) this.held.recordScalar(base64);
    const redacted = redactEncodedBody(base64, frame.mediaType, this.redactor, this.createPart);
    this.writeSeparator();
    this.write(quote(redacted));
    this.endValue();
  }

  /**
   * After the name of a pair of a list of `[name, value]` pairs, past the window that found them
   * pairs (see `JsonTableWindow`): when the name has a field rule (under the list's path, as
   * the window looks it up), the value takes it, as an object's member of that name would.
   * True when it did; a name without one (or a credentials header's, see `pairRule`) leaves
   * the value to the flag and header names.
   */
  private notePairName(frame: Frame, valueOrStart: string | number, end?: number): boolean {
    const name = this.textOf(valueOrStart, end);
    const rule = pairRule(name, this.redactor.bindingRule([...this.path.slice(0, -2), name]));
    if (rule === undefined) return false;
    frame.flagRule = rule;
    frame.flagShape = undefined;
    return true;
  }

  /**
   * After a string element of an array: when it is a whole command-line flag (`--password`,
   * `-db-password`, `--aws_secret_access_key`) whose name has a field rule, the next element is
   * its value and takes that rule, as a container's `Args`, `Cmd` or `command` list passes it.
   * Only flags of credentials count, those taking the rule a field named `password` takes: a
   * flag of a personal field (`--name api`, `--address 0.0.0.0`) names a container or a listen
   * address as often as a person. A bare name (`["password", "email"]`, a list of field names)
   * names nothing, and neither does `--password=…`, which the detectors read as an assignment.
   */
  private noteFlag(frame: Frame, valueOrStart: string | number, end?: number): void {
    const isString = typeof valueOrStart === 'string';
    if ((isString ? valueOrStart.charCodeAt(0) : this.source.charCodeAt(valueOrStart)) !== 0x2d) {
      this.noteHeaderName(frame, valueOrStart, end);
      return;
    }
    const text = isString ? valueOrStart : this.source.slice(valueOrStart, end);
    const flag = /^--?([A-Za-z][A-Za-z0-9_.-]{0,63})$/.exec(text);
    if (flag === null) return;
    const rule = this.credentialsRule(frame, flag[1] as string);
    if (rule !== undefined) frame.flagRule = rule;
  }

  /**
   * After a string element of an array that is the name of a header carrying credentials
   * (`Authorization`, `Cookie`, `X-Api-Key`, …, see {@link credentialHeaderValueShape}): the
   * next element takes the credentials rule when it has the shape of that header's value, as
   * header lists (`rawHeaders`, `[name, value]` pairs) hold them. A list of header names does
   * not have that shape, so it names nothing.
   */
  private noteHeaderName(frame: Frame, valueOrStart: string | number, end?: number): void {
    const isString = typeof valueOrStart === 'string';
    const length = isString ? valueOrStart.length : (end as number) - valueOrStart;
    if (!isCredentialHeaderLength(length)) return;
    // The names start with a, c, p, s or x in either case: most elements are none of them.
    const first = (isString ? valueOrStart.charCodeAt(0) : this.source.charCodeAt(valueOrStart)) | 0x20;
    if (first !== 0x61 && first !== 0x63 && first !== 0x70 && first !== 0x73 && first !== 0x78) return;
    const name = isString ? valueOrStart : this.source.slice(valueOrStart, end);
    const shape = credentialHeaderValueShape(name);
    if (shape === undefined) return;
    const rule = this.credentialsRule(frame, name);
    if (rule === undefined) return;
    frame.flagRule = rule;
    frame.flagShape = shape;
  }

  /**
   * The field rule of `name` under the array's path when it is the rule a field named
   * `password` takes (a credential's), else `undefined`. Looked up as keys under the array's
   * path, so the cache of paths remembers them.
   */
  private credentialsRule(frame: Frame, name: string): CompiledFieldRule | undefined {
    const parent = this.path.slice(0, -1);
    const rule = this.rules.child(frame.node, name, [...parent, name]).rule;
    if (rule === undefined || rule.isKeep) return undefined;
    return rule === this.rules.child(frame.node, 'password', [...parent, 'password']).rule ? rule : undefined;
  }

  /**
   * Starts holding the scalar read now when it is a named member (`value`, …) of an object
   * that has read no naming member yet and no rule governs it (see {@link HeldValues}), or, for
   * a string (`isString`), a `text` member that may be a body in base64 whose object has not
   * said so yet; and records it inside a held object or array. Takes the value as text, or as
   * its span in the source.
   */
  private hold(
    rule: CompiledFieldRule | undefined,
    valueOrStart: string | number,
    end?: number,
    isString = false,
  ): HeldValue<Frame> | undefined {
    const isRecording = this.held.isRecording;
    const top = this.innermost();
    // Most values: no rule-less member of a sibling role, nothing recorded.
    if (!isRecording && (rule !== undefined || top === undefined || top.keyNode.sibling === undefined)) {
      return undefined;
    }
    let frame = this.holdingFrame(rule);
    const isEncoded = isString && frame === undefined && this.isBodyLater(rule);
    if (isEncoded) frame = this.innermost();
    if (frame === undefined && !isRecording) return undefined;
    const text = this.textOf(valueOrStart, end);
    if (isRecording) this.held.recordScalar(text);
    if (frame === undefined) return undefined;
    const memberStart = this.startHolding();
    return this.held.hold(frame, text, memberStart, this.heldValueStart(frame, memberStart), isEncoded);
  }

  /**
   * True when the string value read now is a `text` member, no rule on it, that may be a body in
   * base64 its object has not finished describing: after its `mimeType` (which HAR writers put
   * before it) or an `encoding` that says base64. Any other `text` is plain text, and noted as
   * such: an `encoding` that says base64 after it fails the object (see {@link noteBody}), so
   * objects that merely have a `text` member (most JSON that has one) hold nothing.
   */
  private isBodyLater(rule: CompiledFieldRule | undefined): boolean {
    const frame = this.innermost();
    if (rule !== undefined || frame === undefined || frame.keyNode.sibling !== 'encoded') return false;
    if (!frame.isObject || frame.taint !== undefined) return false;
    if (frame.encoding === 'base64' || (frame.encoding === undefined && frame.mediaType !== undefined)) {
      return true;
    }
    frame.hasPlainText = true;
    return false;
  }

  /**
   * Starts holding the object or array opening now, at nesting `depth`, as {@link hold} a
   * scalar, and records its opening when it or an outer one is held. Before its member's
   * separator is written.
   */
  private holdContainer(taint: CompiledFieldRule | undefined, isObject: boolean, depth: number): void {
    const frame = this.holdingFrame(taint);
    if (frame !== undefined) {
      const memberStart = this.startHolding();
      const valueStart = this.heldValueStart(frame, memberStart);
      this.held.holdContainer(frame, depth, frame.keyNode.scanner, memberStart, valueStart);
    }
    if (this.held.isRecording) this.held.recordOpen(isObject);
  }

  /**
   * Where the output of a member about to be held starts. Holding the first value starts `out`
   * afresh (see `done`), so its positions count from there.
   */
  private startHolding(): number {
    this.flush();
    if (!this.held.isHolding) {
      this.settle();
      this.done += this.out;
      this.out = '';
    }
    return this.out.length;
  }

  /** The object whose member the value starting now is, when it is a value to hold. */
  private holdingFrame(rule: CompiledFieldRule | undefined): Frame | undefined {
    const frame = this.innermost();
    if (rule !== undefined || frame === undefined || !frame.isObject || frame.hasNaming) return undefined;
    if (frame.taint !== undefined || frame.keyNode.sibling !== 'named') return undefined;
    return frame;
  }

  /** Where the value of `frame`'s member whose output starts at `memberStart` starts: after its comma, key and colon. */
  private heldValueStart(frame: Frame, memberStart: number): number {
    const keyChars = frame.keyStart >= 0 ? frame.keyEnd - frame.keyStart : frame.key.length;
    return memberStart + (frame.hasMembers ? 1 : 0) + keyChars + 1;
  }

  /** Marks where a held value's output ends. */
  private endHold(held: HeldValue<Frame> | undefined): void {
    if (held === undefined) return;
    this.flush();
    this.held.end(held, this.out.length);
  }

  /** The rule a naming member gave this object's member being read, if it is a named one. */
  private siblingRule(frame: Frame): CompiledFieldRule | undefined {
    return frame.keyNode.sibling === 'named' ? frame.namedRule : undefined;
  }

  /**
   * Checks that a value may start here and returns the rule that governs it. A string value
   * comes as its text, or as its span in the source: after a header name it takes the header's
   * rule only when it has the shape of that header's value.
   */
  private startValue(
    position: number,
    valueOrStart?: string | number,
    end?: number,
  ): CompiledFieldRule | undefined {
    if (this.expect !== VALUE && this.expect !== VALUE_OR_CLOSE) this.fail('unexpected value', position);
    const frame = this.innermost();
    if (frame === undefined) return undefined;
    if (frame.isObject) {
      // A column's description names the column: its `name` is no person's.
      if (frame.isColumnSchema && frame.taint === undefined && isColumnNameKey(frame.keyNode.key)) {
        return this.siblingRule(frame);
      }
      return frame.taint ?? frame.keyNode.rule ?? this.siblingRule(frame);
    }
    const index = frame.index++;
    this.path[this.path.length - 1] = index;
    const flagged = frame.flagRule;
    const shape = frame.flagShape;
    frame.flagRule = undefined;
    frame.flagShape = undefined;
    const column = frame.columnRules?.[index];
    if (frame.taint !== undefined || shape === undefined) return frame.taint ?? flagged ?? column;
    if (valueOrStart === undefined) return column;
    const value = this.textOf(valueOrStart, end);
    return shape.test(value) ? flagged : column;
  }

  private endValue(): void {
    this.expect = this.frames.length === 0 ? DONE : COMMA_OR_CLOSE;
  }

  private begin(isObject: boolean, position: number): void {
    this.beginTableRow(isObject);
    const parent = this.innermost();
    const taint = this.startValue(position);
    if (this.outerDepth + this.frames.length >= MAX_JSON_DEPTH) {
      throw new LimitExceededError(
        `JSON nested deeper than ${MAX_JSON_DEPTH} levels ${this.locate(position)}`,
      );
    }
    this.holdContainer(taint, isObject, this.frames.length + 1);
    const isWritten = taint === undefined || taint.isKeep;
    if (isWritten) {
      this.writeSeparator();
      this.copy(position, position + 1);
    }
    const frame = this.openFrame(isObject, taint, isWritten, this.nodeOfNewContainer(taint));
    if (!isObject && taint === undefined) {
      frame.columnRules = parent === undefined ? this.lineRules : parent.tableRules;
      frame.isPairRow = parent === undefined ? this.areLinePairs : parent.hasPairRows;
      if (parent?.isObject === true) this.noteTableMember(parent, frame);
    } else if (isObject && taint === undefined && parent?.columnNames !== undefined) {
      frame.columnItem = parent.index - 1;
      frame.isColumnSchema = parent.isColumnSchema;
    }
    this.frames.push(frame);
    this.path.push(isObject ? '' : 0);
    this.expect = isObject ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
  }

  /**
   * An array opening now as the value of `parent`'s member: a list of column names (see
   * `table-members.ts`), whose names are read as its elements are, or the rows of a table
   * (`data`, `rows`, …) after such a list, whose columns then take the field rules their names
   * name (looked up under the table's path, as a header row's), `keep` aside. The rows of a table
   * read before its list of names are not held for it: they stay as they are read (the list
   * may come gigabytes later).
   */
  private noteTableMember(parent: Frame, frame: Frame): void {
    const key = this.path[this.path.length - 1];
    if (typeof key !== 'string') return;
    const names = parent.boundNames;
    if (names !== undefined && isRowsMember(key)) {
      const rules = Array.from(names, (name) => {
        if (name === undefined || name === '') return undefined;
        return this.redactor.bindingRule([...this.path, name]);
      });
      if (rules.some((rule) => rule !== undefined)) frame.tableRules = rules;
      return;
    }
    const role = columnListRole(key);
    if (role === undefined) return;
    frame.columnNames = [];
    frame.isColumnSchema = role === 'schema';
  }

  /**
   * The name of the element `index` of the list of column names `list` (see {@link noteTableMember}),
   * forgetting the list when it grows past `MAX_COLUMNS` elements or `maxRecordBytes` characters.
   */
  private noteColumnName(list: Frame, index: number, name: string): void {
    const names = list.columnNames;
    if (names === undefined) return;
    list.columnNameChars += name.length;
    if (index >= MAX_COLUMNS || list.columnNameChars > this.maxPathChars) {
      list.columnNames = undefined;
      return;
    }
    while (names.length < index) names.push(undefined);
    names[index] = name;
  }

  /** A frame for a container opening now: a closed one's, reset, when there is one (records open and close thousands). */
  private openFrame(
    isObject: boolean,
    taint: CompiledFieldRule | undefined,
    isWritten: boolean,
    node: PathNode,
  ): Frame {
    const frame = this.closedFrames.pop();
    if (frame === undefined) {
      return {
        isObject,
        taint,
        isWritten,
        hasMembers: false,
        hasDropped: false,
        node,
        key: '',
        keyStart: -1,
        keyEnd: -1,
        keyNode: node,
        commaAt: -1,
        colonAt: -1,
        index: 0,
        namedRule: undefined,
        hasNaming: false,
        flagRule: undefined,
        flagShape: undefined,
        encoding: undefined,
        mediaType: undefined,
        hasPlainText: false,
        tableRules: undefined,
        columnRules: undefined,
        hasPairRows: false,
        isPairRow: false,
        columnNames: undefined,
        columnNameChars: 0,
        isColumnSchema: false,
        columnItem: -1,
        boundNames: undefined,
      };
    }
    frame.isObject = isObject;
    frame.taint = taint;
    frame.isWritten = isWritten;
    frame.hasMembers = false;
    frame.hasDropped = false;
    frame.node = node;
    frame.key = '';
    frame.keyStart = -1;
    frame.keyEnd = -1;
    frame.keyNode = node;
    frame.commaAt = -1;
    frame.colonAt = -1;
    frame.index = 0;
    frame.namedRule = undefined;
    frame.hasNaming = false;
    frame.flagRule = undefined;
    frame.flagShape = undefined;
    frame.encoding = undefined;
    frame.mediaType = undefined;
    frame.hasPlainText = false;
    frame.tableRules = undefined;
    frame.columnRules = undefined;
    frame.hasPairRows = false;
    frame.isPairRow = false;
    frame.columnNames = undefined;
    frame.columnNameChars = 0;
    frame.isColumnSchema = false;
    frame.columnItem = -1;
    frame.boundNames = undefined;
    return frame;
  }

  private nodeOfNewContainer(taint: CompiledFieldRule | undefined): PathNode {
    const parent = this.innermost();
    if (parent === undefined) return this.root ?? this.rules.start();
    if (taint !== undefined || parent.isObject) return parent.keyNode;
    return this.rules.child(parent.node, parent.index - 1, this.path);
  }

  private end(isObject: boolean, position: number): void {
    const frame = this.innermost();
    const canClose =
      this.expect === COMMA_OR_CLOSE || this.expect === (isObject ? KEY_OR_CLOSE : VALUE_OR_CLOSE);
    if (frame === undefined || frame.isObject !== isObject || !canClose) {
      this.fail(`unexpected '${isObject ? '}' : ']'}'`, position);
    }
    if (frame.encoding === 'base64' && this.held.isHolding) {
      this.flush();
      this.out = this.held.rewriteEncoded(this.out, frame, (base64) =>
        redactEncodedBody(base64, frame.mediaType, this.redactor, this.createPart),
      );
    }
    this.held.release(frame);
    this.frames.pop();
    const key = this.path.pop();
    if (typeof key === 'string') this.pathChars -= key.length;
    const parent = this.innermost();
    if (frame.columnNames !== undefined && parent?.isObject === true) {
      parent.boundNames = frame.index <= MAX_COLUMNS ? frame.columnNames : undefined;
    }
    if (!frame.isWritten) {
      // Empty under a field rule: kept at the top of the subtree (nothing to hide), removed like a dropped value below it.
      if (frame.hasDropped || parent?.taint !== undefined) (parent as Frame).hasDropped = true;
      else {
        this.writeSeparator();
        this.write(isObject ? '{}' : '[]');
      }
    } else this.copy(position, position + 1);
    if (this.held.isRecording) {
      this.flush();
      this.held.close(this.frames.length + 1, this.out.length);
    }
    frame.mediaType = undefined;
    this.closedFrames.push(frame);
    const table = this.table;
    if (table !== undefined && this.frames.length <= this.tableDepth) {
      // A row ends the window when it is the last it holds; the table's end, always.
      if (this.frames.length < this.tableDepth || table.isLastRow) this.closeTable();
      else if (!table.isPossible) this.table = undefined;
    }
    this.endValue();
  }

  /**
   * Before an object or array opens: a row of the table being read, or the end of the window
   * when it is no row (an object beside the rows, a container in a row: no table); else, when
   * it is the first element of an array that no rule governs, the first row of a table, whose
   * window starts here (see {@link JsonTableWindow}). Values held for a naming member read
   * later do not stop it: the object would redact differently in another member order. The
   * window's cells come after the held values' output or inside a held object or array not
   * yet ended, whose tokens are recorded as read (written again from them under a rule), so
   * rewriting the window moves none of their positions.
   */
  private beginTableRow(isObject: boolean): void {
    if (this.table !== undefined) {
      if (!isObject && this.frames.length === this.tableDepth) {
        this.table.beginRow();
        return;
      }
      this.table = undefined;
    }
    const parent = this.innermost();
    if (isObject) return;
    if (parent === undefined) {
      if (!this.isLines || this.isLineTableDecided) return;
    } else if (parent.isObject || parent.index !== 0 || parent.taint !== undefined) return;
    // A member a sibling may name (`value` beside `name`, see sibling-names.ts) is no table: its
    // rule may come from a sibling read after it, which a table's window would not wait for, so
    // the object would redact differently in another member order.
    const key = this.path[this.path.length - 2];
    if (typeof key === 'string' && isNamedField(key)) return;
    if (this.unsettled.length > 0) {
      this.flush();
      this.settle();
    }
    this.tableStart = this.outLength();
    this.tableWindow ??= new JsonTableWindow(this.redactor, tableShapes(this.redactor));
    this.table = this.tableWindow;
    // Before the window decides, only a list of column names beside the table gives it rules.
    this.table.start(this.path.slice(0, -1), parent?.tableRules);
    this.tableDepth = this.frames.length;
  }

  /**
   * Starts the scalar read now as a cell of the table's window when it is one of a row: `rule`
   * as {@link startValue} gave it, the value as text or as its span in the source. A scalar
   * beside the rows ends the window: no table.
   */
  private startCell(
    rule: CompiledFieldRule | undefined,
    isString: boolean,
    valueOrStart: string | number,
    end?: number,
  ): ReturnType<JsonTableWindow['startCell']> | undefined {
    const table = this.table;
    if (table === undefined) return undefined;
    if (this.frames.length !== this.tableDepth + 1) {
      this.table = undefined;
      return undefined;
    }
    const text = this.textOf(valueOrStart, end);
    if (rule !== undefined) {
      const row = this.innermost() as Frame;
      if (row.columnRules !== undefined && row.columnRules[row.index - 1] === rule) table.boundCell(text);
      else table.skipCell(text);
      return undefined;
    }
    return table.startCell(text, isString, this.outLength(), !(this.innermost() as Frame).hasMembers);
  }

  /** Ends a cell of the table's window, and the window when it is full. */
  private endCell(cell: ReturnType<JsonTableWindow['startCell']> | undefined): void {
    const table = this.table;
    const isWhole = this.cellWhole;
    this.cellWhole = undefined;
    if (table === undefined) return;
    if (cell !== undefined) table.endCell(cell, this.outLength(), isWhole);
    if (table.isFull) this.closeTable();
  }

  /**
   * Names the columns of the table whose window ends now, or the values of its pairs, rewrites
   * the window's cells they rule in `out`, and gives the rules to the rows still to come (and
   * the row being read): a column's rule, or for pairs the rule each one's name names.
   */
  private closeTable(): void {
    const table = this.table as JsonTableWindow;
    this.table = undefined;
    if (this.tableDepth === 0) this.isLineTableDecided = true;
    const row = this.frames.length > this.tableDepth ? (this.frames[this.tableDepth] as Frame) : undefined;
    const decision = table.decide(row !== undefined);
    if (decision === undefined) return;
    this.flush();
    const tableFrame = this.frames[this.tableDepth - 1];
    this.out = table.rewrite(this.out, decision, () => {
      if (row !== undefined) row.hasMembers = false;
    });
    const isTableOpen = tableFrame !== undefined && this.frames.length >= this.tableDepth;
    const { rules, pairRules } = decision;
    if (isTableOpen) tableFrame.tableRules = rules;
    if (row !== undefined) row.columnRules = rules;
    if (this.tableDepth === 0) this.lineRules = rules;
    if (pairRules === undefined) return;
    if (isTableOpen) tableFrame.hasPairRows = true;
    if (this.tableDepth === 0) this.areLinePairs = true;
    // The pair being read has its name in the window and its value to come.
    const rule = pairRules[pairRules.length - 1];
    if (row !== undefined && row.index === 1 && rule !== undefined) {
      row.flagRule = rule;
      row.flagShape = undefined;
    }
  }

  private writeField(rule: CompiledFieldRule, text: string): void {
    const replacement = this.redactor.applyField(rule, text);
    if (replacement !== undefined) {
      if (replacement !== this.lastReplacement) {
        this.lastReplacement = replacement;
        this.lastReplacementLiteral = quote(replacement);
      }
      this.writeSeparator();
      this.write(this.lastReplacementLiteral);
    } else (this.innermost() as Frame).hasDropped = true;
  }

  /**
   * Starts a member of the innermost container (nothing for the top-level value): its comma
   * and key, after the openings of containers not yet written.
   */
  private writeSeparator(): void {
    const frame = this.innermost();
    if (frame === undefined) return;
    if (!frame.isWritten) this.writeOpenings();
    this.separate(frame);
  }

  private separate(frame: Frame): void {
    if (frame.hasMembers) {
      if (frame.commaAt >= 0) this.copy(frame.commaAt, frame.commaAt + 1);
      else this.write(',');
    }
    frame.hasMembers = true;
    if (!frame.isObject) return;
    if (frame.keyStart >= 0) this.copy(frame.keyStart, frame.keyEnd);
    else this.write(frame.key);
    if (frame.colonAt >= 0) this.copy(frame.colonAt, frame.colonAt + 1);
    else this.write(':');
  }

  /** Writes the openings of the innermost containers not yet written, outermost first. */
  private writeOpenings(): void {
    const frames = this.frames;
    let first = frames.length - 1;
    while (first > 0 && !(frames[first - 1] as Frame).isWritten) first--;
    for (let i = first; i < frames.length; i++) {
      const frame = frames[i] as Frame;
      const parent = frames[i - 1];
      if (parent !== undefined) this.separate(parent);
      this.write(frame.isObject ? '{' : '[');
      frame.isWritten = true;
    }
  }

  /**
   * The innermost open container, none at the top level. Read with a guard: reading index -1 of
   * an empty array is a property lookup by name in V8, hundreds of times slower than an element.
   */
  private innermost(): Frame | undefined {
    const frames = this.frames;
    return frames.length === 0 ? undefined : frames[frames.length - 1];
  }

  /** The length of the output, that pending as a copy included (without flushing it: runs stay whole). */
  private outLength(): number {
    return this.out.length + (this.copyEnd > this.copyStart ? this.copyEnd - this.copyStart : 0);
  }

  /** Appends `text`, after any output pending as a copy. */
  private write(text: string): void {
    this.flush();
    this.out += text;
  }

  private flush(): void {
    if (this.copyEnd > this.copyStart) this.out += this.source.slice(this.copyStart, this.copyEnd);
    this.copyStart = -1;
    this.copyEnd = -1;
  }
}

const QUOTE = 0x22;
const COLON_CODE = 0x3a;
const COMMA_CODE = 0x2c;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** A character a number can hold: a digit, `-`, `+`, `.`, `e` or `E`. */
function isNumberCharacter(code: number): boolean {
  return (
    (code >= DIGIT_0 && code <= DIGIT_9) ||
    code === MINUS ||
    code === 0x2b ||
    code === 0x2e ||
    code === 0x65 ||
    code === 0x45
  );
}

/**
 * Where the JSON number without exponent at `start` ends, `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, when a
 * character that no number holds follows it before `to`; else -1. One pass, where finding the
 * token's end and then checking it read each digit twice (~6 % of `plainMembers` on the bench
 * NDJSON, four numbers a record).
 */
function plainNumberEnd(text: string, start: number, to: number): number {
  let i = start;
  if (text.charCodeAt(i) === MINUS) i++;
  const first = text.charCodeAt(i);
  if (first === DIGIT_0) i++;
  else if (first > DIGIT_0 && first <= DIGIT_9) while (++i < to && isDigit(text.charCodeAt(i)));
  else return -1;
  if (i < to && text.charCodeAt(i) === 0x2e) {
    const digits = ++i;
    while (i < to && isDigit(text.charCodeAt(i))) i++;
    if (i === digits) return -1;
  }
  return i < to && !isNumberCharacter(text.charCodeAt(i)) ? i : -1;
}

/** The node of the key read last in an object, none before its first key. */
function previousKey(frame: Frame): PathNode | undefined {
  return frame.keyNode === frame.node ? undefined : frame.keyNode;
}

/**
 * True when `text[start, end)` may be a JSON object or array: `{` or `[` first and the closing
 * bracket last, JSON blanks aside.
 */
function isJsonContainerText(text: string, start: number, end: number): boolean {
  let first = start;
  while (first < end && isJsonBlank(text.charCodeAt(first))) first++;
  if (first === end) return false;
  const open = text.charCodeAt(first);
  if (open !== 0x7b && open !== 0x5b) return false;
  let last = end - 1;
  while (last > first && isJsonBlank(text.charCodeAt(last))) last--;
  return text.charCodeAt(last) === open + 2;
}

/** True when a string value whose first character is `code` may hold a JSON text (see {@link isJsonContainerText}). */
function isJsonContainerStart(code: number): boolean {
  return code === 0x7b || code === 0x5b || isJsonBlank(code);
}

function isJsonBlank(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}
