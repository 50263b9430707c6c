import { LimitExceededError, MalformedObjectError } from '../../errors.ts';
import type { CompiledFieldRule, Redactor } from '../redactor.ts';
import type { Scanner } from '../scanner.ts';
import { FieldRuleCache, type PathNode } from './field-rule-cache.ts';
import { hasExponent } from './json-number-digits.ts';
import { JsonStringEncoder, quote } from './json-string-encoder.ts';
import { lexJsonText } from './json-text-lexer.ts';

/** Deepest nesting of objects and arrays accepted; deeper documents are refused, not tracked. */
export const MAX_JSON_DEPTH = 512;

/** JSON texts in strings are read to this depth (JSON in a string in JSON in a string…). */
export const MAX_NESTED_JSON_TEXTS = 4;

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
  readonly isObject: boolean;
  /** The field rule of the key this subtree hangs from, or of an outer one: it rules every member. */
  readonly taint: CompiledFieldRule | undefined;
  /** The opening bracket is in the output; a tainted container waits until a member survives. */
  isWritten: boolean;
  hasMembers: boolean;
  hasDropped: boolean;
  /** This container's path, for field-rule lookups (unused inside a tainted subtree). */
  readonly node: PathNode;
  /** Objects: the member being read, JSON-encoded (after the detectors), and its path. */
  key: string;
  keyNode: PathNode;
  /** Arrays: index of the next element. */
  index: number;
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
 * no keyword in the value itself); a number that changes becomes a JSON string.
 *
 * An untainted string value that is itself a JSON object or array (`"{\"ssn\":\"…\"}"`, as
 * loggers and queues write payloads) is rewritten as part of the document, its keys continuing
 * the path, up to `MAX_NESTED_JSON_TEXTS` texts deep; when that changes anything the string
 * holds the compact result, else it goes through the detectors like any string.
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
  private readonly path: (string | number)[];
  private pathChars: number;
  private expect = VALUE;
  private out = '';
  /** The root node of a nested text; `undefined` for a document. */
  private readonly root: PathNode | undefined;
  /** Containers open around this text in the documents that hold it. */
  private readonly outerDepth: number;
  /** JSON texts in strings that hold this one. */
  private readonly nesting: number;

  /**
   * `locate` turns a token position into words for error messages, e.g. `at byte 12`; `nested`
   * places a JSON text read from a string value of another rewriter's document.
   */
  constructor(redactor: Redactor, locate: (position: number) => string, nested?: NestedRoot) {
    this.redactor = redactor;
    this.locate = locate;
    this.maxPathChars = redactor.limits.maxRecordBytes;
    const outer = nested?.outer;
    this.encoder = outer?.encoder ?? new JsonStringEncoder(redactor);
    this.rules = outer?.rules ?? new FieldRuleCache(redactor);
    this.root = nested?.node;
    this.path = outer === undefined ? [] : [...outer.path];
    this.pathChars = outer?.pathChars ?? 0;
    this.outerDepth = outer === undefined ? 0 : outer.outerDepth + outer.frames.length;
    this.nesting = outer === undefined ? 0 : outer.nesting + 1;
  }

  /** Returns the output written so far and forgets it. */
  take(): string {
    const out = this.out;
    this.out = '';
    return out;
  }

  /** Checks that one whole JSON value was read, then gets ready for the next text. */
  finish(position: number): void {
    if (this.expect !== DONE) this.fail('input ends inside the JSON value', position);
    this.expect = VALUE;
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
    this.expect = VALUE;
  }

  comma(position: number): void {
    const frame = this.frames.at(-1);
    if (this.expect !== COMMA_OR_CLOSE || frame === undefined) this.fail("unexpected ','", position);
    this.expect = frame.isObject ? KEY : VALUE;
  }

  /**
   * A decoded string: an object key or a value, as the grammar says. `isPlain` vouches that it
   * holds no character JSON escapes (see `JsonStringEncoder.encode`); `isClean` that the
   * detectors find nothing in it, so they are not run.
   */
  string(value: string, position: number, isPlain = false, isClean = false): void {
    if (this.expect === KEY || this.expect === KEY_OR_CLOSE) {
      this.key(value, position, isPlain, isClean);
      return;
    }
    const rule = this.startValue(position);
    if (rule === undefined) {
      this.writeMember(
        this.nestedJson(value, position) ?? this.encode(value, isPlain, isClean, this.valueScanner()),
      );
    } else if (rule.isKeep) this.writeMember(quote(value));
    else this.writeField(rule, value);
    this.endValue();
  }

  /**
   * A number, as written in the input (every digit kept). `isClean` vouches that the detectors
   * find nothing in it.
   */
  number(raw: string, position: number, isClean = false): void {
    const rule = this.startValue(position);
    if (rule === undefined) {
      const scanner = this.valueScanner();
      // The batch scan saw the number as written, not its digits.
      const isVouched = isClean && scanner === this.redactor.scanner && !hasExponent(raw);
      this.writeMember(isVouched ? raw : this.encoder.encodeNumber(raw, scanner));
    } else if (rule.isKeep) this.writeMember(raw);
    else this.writeField(rule, raw);
    this.endValue();
  }

  /** `true`, `false` or `null`. */
  literal(text: 'true' | 'false' | 'null', position: number): void {
    const rule = this.startValue(position);
    if (rule === undefined || rule.isKeep) this.writeMember(text);
    else this.writeField(rule, text);
    this.endValue();
  }

  private key(value: string, position: number, isPlain: boolean, isClean: boolean): void {
    const frame = this.frames.at(-1) as Frame;
    const taint = frame.taint;
    const last = this.path.length - 1;
    this.pathChars += value.length - (this.path[last] as string).length;
    if (this.pathChars > this.maxPathChars) {
      throw new LimitExceededError(
        `JSON keys along one path exceed ${this.maxPathChars} characters ${this.locate(position)}`,
      );
    }
    this.path[last] = value;
    frame.key = taint?.isKeep ? quote(value) : this.encode(value, isPlain, isClean, frame.node.scanner);
    if (taint === undefined) frame.keyNode = this.rules.child(frame.node, value, this.path);
    this.expect = COLON;
  }

  /** A string outside field rules, after the detectors of `scanner`, as a JSON string literal. */
  private encode(value: string, isPlain: boolean, isClean: boolean, scanner: Scanner): string {
    // The batch scan that vouches for clean strings ran without field names as context.
    if (!isClean || scanner !== this.redactor.scanner) return this.encoder.encode(value, isPlain, scanner);
    return isPlain ? `"${value}"` : quote(value);
  }

  /**
   * The string value starting now, rewritten as a JSON text when it holds one and that changes
   * it; else `undefined`.
   */
  private nestedJson(value: string, position: number): string | undefined {
    if (this.nesting >= MAX_NESTED_JSON_TEXTS || !isJsonContainerText(value)) return undefined;
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
    const frame = this.frames.at(-1);
    if (frame === undefined) return this.root?.scanner ?? this.redactor.scanner;
    return (frame.isObject ? frame.keyNode : frame.node).scanner;
  }

  /** Checks that a value may start here and returns the rule that governs it. */
  private startValue(position: number): CompiledFieldRule | undefined {
    if (this.expect !== VALUE && this.expect !== VALUE_OR_CLOSE) this.fail('unexpected value', position);
    const frame = this.frames.at(-1);
    if (frame === undefined) return undefined;
    if (frame.isObject) return frame.taint ?? frame.keyNode.rule;
    this.path[this.path.length - 1] = frame.index++;
    return frame.taint;
  }

  private endValue(): void {
    this.expect = this.frames.length === 0 ? DONE : COMMA_OR_CLOSE;
  }

  private begin(isObject: boolean, position: number): void {
    const taint = this.startValue(position);
    if (this.outerDepth + this.frames.length >= MAX_JSON_DEPTH) {
      throw new LimitExceededError(
        `JSON nested deeper than ${MAX_JSON_DEPTH} levels ${this.locate(position)}`,
      );
    }
    const isWritten = taint === undefined || taint.isKeep;
    if (isWritten) this.writeMember(isObject ? '{' : '[');
    const node = this.nodeOfNewContainer(taint);
    this.frames.push({
      isObject,
      taint,
      isWritten,
      hasMembers: false,
      hasDropped: false,
      node,
      key: '',
      keyNode: node,
      index: 0,
    });
    this.path.push(isObject ? '' : 0);
    this.expect = isObject ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
  }

  private nodeOfNewContainer(taint: CompiledFieldRule | undefined): PathNode {
    const parent = this.frames.at(-1);
    if (parent === undefined) return this.root ?? this.rules.start();
    if (taint !== undefined || parent.isObject) return parent.keyNode;
    return this.rules.child(parent.node, parent.index - 1, this.path);
  }

  private end(isObject: boolean, position: number): void {
    const frame = this.frames.at(-1);
    const canClose =
      this.expect === COMMA_OR_CLOSE || this.expect === (isObject ? KEY_OR_CLOSE : VALUE_OR_CLOSE);
    if (frame === undefined || frame.isObject !== isObject || !canClose) {
      this.fail(`unexpected '${isObject ? '}' : ']'}'`, position);
    }
    this.frames.pop();
    const key = this.path.pop();
    if (typeof key === 'string') this.pathChars -= key.length;
    const parent = this.frames.at(-1);
    if (!frame.isWritten) {
      // Empty under a field rule: kept at the top of the subtree (nothing to hide), removed like a dropped value below it.
      if (frame.hasDropped || parent?.taint !== undefined) (parent as Frame).hasDropped = true;
      else this.writeMember(isObject ? '{}' : '[]');
    } else this.out += isObject ? '}' : ']';
    this.endValue();
  }

  private writeField(rule: CompiledFieldRule, text: string): void {
    const replacement = this.redactor.applyField(rule, text);
    if (replacement !== undefined) this.writeMember(quote(replacement));
    else (this.frames.at(-1) as Frame).hasDropped = true;
  }

  /** Writes a member of the innermost container (or the top-level value), with its comma and key. */
  private writeMember(text: string): void {
    const frame = this.frames.at(-1);
    if (frame !== undefined) {
      if (!frame.isWritten) this.writeOpenings();
      this.out += this.separator(frame);
    }
    this.out += text;
  }

  private separator(frame: Frame): string {
    const comma = frame.hasMembers ? ',' : '';
    frame.hasMembers = true;
    return frame.isObject ? `${comma}${frame.key}:` : comma;
  }

  /** Writes the openings of the innermost containers not yet written, outermost first. */
  private writeOpenings(): void {
    const frames = this.frames;
    let first = frames.length - 1;
    while (first > 0 && !(frames[first - 1] as Frame).isWritten) first--;
    for (let i = first; i < frames.length; i++) {
      const frame = frames[i] as Frame;
      const parent = frames[i - 1];
      this.out += (parent === undefined ? '' : this.separator(parent)) + (frame.isObject ? '{' : '[');
      frame.isWritten = true;
    }
  }
}

/** True when `text` may be a JSON object or array: `{` or `[` first and the closing bracket last, JSON blanks aside. */
function isJsonContainerText(text: string): boolean {
  let first = 0;
  while (isJsonBlank(text.charCodeAt(first))) first++;
  const open = text.charCodeAt(first);
  if (open !== 0x7b && open !== 0x5b) return false;
  let last = text.length - 1;
  while (last > first && isJsonBlank(text.charCodeAt(last))) last--;
  return text.charCodeAt(last) === open + 2;
}

function isJsonBlank(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}
