import { LimitExceededError } from '../../errors.ts';
import type { CompiledFieldRule, Redactor } from '../redactor.ts';
import type { Scanner } from '../scanner.ts';
import { type JsonStringEncoder, quote } from './json-string-encoder.ts';

/** What holding needs to know of an object: whether it wrote a member, and that one was dropped. */
export interface HoldingObject {
  hasMembers: boolean;
  hasDropped: boolean;
}

/** One held value; positions are indexes into the rewriter's output. */
export interface HeldValue<O extends HoldingObject> {
  readonly object: O;
  /** A scalar: the value as read (decoded string, number text or literal). */
  readonly text: string;
  /** A body in base64 read before its object said so (see `encoded-body.ts`). */
  readonly isEncoded: boolean;
  /** Where the member's output starts (its comma, if any, then key and colon). */
  memberStart: number;
  /** Where its value's output starts, and ends. */
  valueStart: number;
  valueEnd: number;
  /** The member was the first its object wrote: no comma before it. */
  readonly isFirst: boolean;
  /** Rule counts before the value was handled, then what handling it added. */
  counts: ReadonlyMap<string, number>;
  /** An object or array: the scanner of its keys under a rule (the member's), else `undefined`. */
  readonly keyScanner: Scanner | undefined;
  /** An object or array: its nesting depth in the rewriter, and where its tokens are in the record. */
  readonly depth: number;
  readonly tokensStart: number;
  tokensEnd: number;
}

// Tokens of held objects and arrays, as recorded.
const OPEN_OBJECT = 0;
const OPEN_ARRAY = 1;
const CLOSE = 2;
const KEY = 3;
/** A key that a batch scan found nothing in. */
const CLEAN_KEY = 4;
const SCALAR = 5;

/** The rule counts of a value whose handling counted nothing (most): shared, never changed. */
const NONE_ADDED: ReadonlyMap<string, number> = new Map();

/** An object or array of a held value being written again under a rule. */
interface RuledContainer {
  readonly isObject: boolean;
  isWritten: boolean;
  hasMembers: boolean;
  hasDropped: boolean;
  /** Objects: the member being read, JSON-encoded. */
  key: string;
}

/**
 * Named members' values written before any naming member of their object
 * (`{"value": "…", "name": "DB_PASSWORD"}`, as key-sorted JSON writes `value` before
 * `variable`; `{"data": {…}, "name": …}`, `{"instances": […], "type": …}`): held in the output
 * until the object names them or ends, because the name read later may give them a field rule
 * (see `sibling-names.ts`). Values are held in output order; those of an inner object are let
 * go before its outer object reads another member, so the values of the object being read are
 * always the last ones.
 *
 * An object or array value is written as usual (detectors, inner field rules, inner held
 * values) while its tokens are recorded: keys and scalars as read. Under a rule it is written
 * again from them, as the rewriter writes a subtree that rule taints (every scalar through the
 * rule, keys through the detectors with the member's name as context, a container left with
 * dropped members only removed), so the output is the one the naming member first would give.
 * The record is shared by the held objects and arrays nested in one another.
 *
 * @example
 * const held = new HeldValues(redactor, encoder);
 * const value = held.hold(object, 'wJalr…', memberStart, valueStart); // then write it as usual
 * held.end(value, out.length);
 * out = held.applyRule(out, object, rule); // the naming member named a ruled field
 */
export class HeldValues<O extends HoldingObject> {
  private readonly redactor: Redactor;
  private readonly encoder: JsonStringEncoder;
  private held: HeldValue<O>[] = [];
  /** Held objects and arrays not yet closed, outermost first. */
  private open: HeldValue<O>[] = [];
  /** Held objects and arrays, closed or not: while there are some, tokens are kept. */
  private containers = 0;
  private readonly kinds: number[] = [];
  private readonly texts: string[] = [];
  /** Characters of the tokens kept, one for each bracket. */
  private tokenChars = 0;

  constructor(redactor: Redactor, encoder: JsonStringEncoder) {
    this.redactor = redactor;
    this.encoder = encoder;
  }

  /** True when some value is held. */
  get isHolding(): boolean {
    return this.held.length > 0;
  }

  /** True while a held object or array is being read: its tokens are to be recorded. */
  get isRecording(): boolean {
    return this.open.length > 0;
  }

  /**
   * Starts holding a scalar of `object` whose member's output starts at `memberStart`, its value
   * at `valueStart`; `isEncoded` for a body that may be in base64 (see {@link rewriteEncoded}).
   */
  hold(object: O, text: string, memberStart: number, valueStart: number, isEncoded = false): HeldValue<O> {
    return this.add(object, text, memberStart, valueStart, undefined, -1, isEncoded);
  }

  /**
   * Starts holding an object or array of `object`, opened at nesting `depth`, whose keys a rule
   * has `keyScanner` scan; its member's output starts at `memberStart`, its value at
   * `valueStart`. Record its tokens from its opening bracket on; {@link close} at `depth` ends it.
   */
  holdContainer(
    object: O,
    depth: number,
    keyScanner: Scanner,
    memberStart: number,
    valueStart: number,
  ): void {
    this.open.push(this.add(object, '', memberStart, valueStart, keyScanner, depth));
    this.containers++;
  }

  private add(
    object: O,
    text: string,
    memberStart: number,
    valueStart: number,
    keyScanner: Scanner | undefined,
    depth: number,
    isEncoded = false,
  ): HeldValue<O> {
    const held: HeldValue<O> = {
      object,
      text: ownCopy(text),
      isEncoded,
      memberStart,
      valueStart,
      valueEnd: -1,
      isFirst: !object.hasMembers,
      counts: new Map(this.redactor.counts),
      keyScanner,
      depth,
      tokensStart: this.kinds.length,
      tokensEnd: -1,
    };
    this.held.push(held);
    return held;
  }

  /** Records the opening of an object or array inside a held one. */
  recordOpen(isObject: boolean): void {
    this.record(isObject ? OPEN_OBJECT : OPEN_ARRAY, '');
  }

  /** Records a key as read; `isClean`: a batch scan found nothing in it. */
  recordKey(key: string, isClean: boolean): void {
    this.record(isClean ? CLEAN_KEY : KEY, key);
  }

  /** Records a scalar as read (decoded string, number text or literal). */
  recordScalar(text: string): void {
    this.record(SCALAR, text);
  }

  private record(kind: number, text: string): void {
    this.kinds.push(kind);
    this.texts.push(ownCopy(text));
    this.tokenChars += text.length + 1;
  }

  /**
   * Records the closing of the object or array opened at nesting `depth`; when it is a held one,
   * its output ends at `valueEnd`.
   */
  close(depth: number, valueEnd: number): void {
    this.record(CLOSE, '');
    const held = this.open[this.open.length - 1];
    if (held?.depth !== depth) return;
    this.open.pop();
    held.tokensEnd = this.kinds.length;
    this.end(held, valueEnd);
  }

  /** Marks where a held value's output ends, and keeps the rule counts its handling added. */
  end(held: HeldValue<O>, valueEnd: number): void {
    held.valueEnd = valueEnd;
    let added: Map<string, number> | undefined;
    for (const [rule, count] of this.redactor.counts) {
      const before = held.counts.get(rule) ?? 0;
      if (count <= before) continue;
      added ??= new Map();
      added.set(rule, count - before);
    }
    held.counts = added ?? NONE_ADDED;
  }

  /**
   * Returns `out` with the values `object` holds rewritten as `rule` makes them, last first so
   * that earlier positions stay true: the replacement takes the place of a value's output
   * (whose counts are taken back), or the member goes, with the comma of the member after it
   * when it was first. The values are then let go.
   */
  applyRule(out: string, object: O, rule: CompiledFieldRule): string {
    let rewritten = out;
    for (let i = this.held.length - 1; i >= 0 && this.held[i]?.object === object; i--) {
      const held = this.held[i] as HeldValue<O>;
      this.takeBackCounts(held);
      const replacement = this.rewrite(held, rule);
      if (replacement !== undefined) {
        rewritten = rewritten.slice(0, held.valueStart) + replacement + rewritten.slice(held.valueEnd);
        continue;
      }
      let after = held.valueEnd;
      if (held.isFirst) {
        if (rewritten.charCodeAt(after) === 0x2c) after++;
        else object.hasMembers = false;
      }
      rewritten = rewritten.slice(0, held.memberStart) + rewritten.slice(after);
      object.hasDropped = true;
    }
    this.release(object);
    return rewritten;
  }

  /**
   * Returns `out` with the bodies `object` holds in base64 (see `hold`) rewritten by `redact`,
   * which gets a body as read and returns its new text; their counts are taken back first. Other
   * values stay held.
   */
  rewriteEncoded(out: string, object: O, redact: (text: string) => string): string {
    let rewritten = out;
    for (let i = this.held.length - 1; i >= 0 && this.held[i]?.object === object; i--) {
      const held = this.held[i] as HeldValue<O>;
      if (!held.isEncoded) continue;
      this.takeBackCounts(held);
      held.counts = NONE_ADDED;
      const replacement = quote(redact(held.text));
      rewritten = rewritten.slice(0, held.valueStart) + replacement + rewritten.slice(held.valueEnd);
    }
    return rewritten;
  }

  private takeBackCounts(held: HeldValue<O>): void {
    for (const [id, count] of held.counts) {
      const left = (this.redactor.counts.get(id) ?? 0) - count;
      if (left > 0) this.redactor.counts.set(id, left);
      else this.redactor.counts.delete(id);
    }
  }

  /** A held value's output under `rule`, or `undefined` when the rule drops it. */
  private rewrite(held: HeldValue<O>, rule: CompiledFieldRule): string | undefined {
    if (held.keyScanner === undefined) {
      const replacement = this.redactor.applyField(rule, held.text);
      return replacement === undefined ? undefined : quote(replacement);
    }
    const scanner = held.keyScanner;
    const containers: RuledContainer[] = [];
    let out = '';
    const separate = (container: RuledContainer): void => {
      if (container.hasMembers) out += ',';
      container.hasMembers = true;
      if (container.isObject) out += `${container.key}:`;
    };
    for (let i = held.tokensStart; i < held.tokensEnd; i++) {
      const kind = this.kinds[i];
      const text = this.texts[i] as string;
      const container = containers[containers.length - 1] as RuledContainer;
      if (kind === OPEN_OBJECT || kind === OPEN_ARRAY) {
        containers.push({
          isObject: kind === OPEN_OBJECT,
          isWritten: false,
          hasMembers: false,
          hasDropped: false,
          key: '',
        });
      } else if (kind === KEY || kind === CLEAN_KEY) {
        const isClean = kind === CLEAN_KEY && scanner === this.redactor.scanner;
        container.key = quote(isClean ? text : this.encoder.redact(text, scanner));
      } else if (kind === SCALAR) {
        const replacement = this.redactor.applyField(rule, text);
        if (replacement === undefined) {
          container.hasDropped = true;
          continue;
        }
        // The openings of the containers not yet written, outermost first, then this member.
        let first = containers.length;
        while (first > 0 && !(containers[first - 1] as RuledContainer).isWritten) first--;
        for (let j = first; j < containers.length; j++) {
          const opened = containers[j] as RuledContainer;
          if (j > 0) separate(containers[j - 1] as RuledContainer);
          out += opened.isObject ? '{' : '[';
          opened.isWritten = true;
        }
        separate(container);
        out += quote(replacement);
      } else {
        containers.pop();
        const parent = containers[containers.length - 1];
        if (container.isWritten) out += container.isObject ? '}' : ']';
        // Empty under the rule: removed like a dropped value inside it, kept at its top unless something was dropped.
        else if (parent !== undefined) parent.hasDropped = true;
        else if (container.hasDropped) return undefined;
        else out += container.isObject ? '{}' : '[]';
      }
    }
    return out;
  }

  /** Lets go of the values `object` holds: their output is final. */
  release(object: O): void {
    // Guarded: index -1 of an empty array is a slow lookup by name in V8, and most objects hold nothing.
    const held = this.held;
    while (held.length > 0 && (held[held.length - 1] as HeldValue<O>).object === object) this.forgetLast();
  }

  private forgetLast(): void {
    const held = this.held.pop() as HeldValue<O>;
    if (held.keyScanner === undefined || --this.containers > 0) return;
    this.kinds.length = 0;
    this.texts.length = 0;
    this.tokenChars = 0;
  }

  /**
   * How much of an output of `outLength` characters may be handed on: all of it before the
   * first held member. Values held for more than `limit` characters of output, or whose
   * recorded tokens (objects and arrays) pass `limit` characters, are let go first, as the
   * detectors left them: a naming member that far after them does not govern them. A body that
   * may be in base64 is never let go so (the detectors cannot read base64): that fails with
   * `LimitExceededError`. Positions move back by the amount returned, which the caller drops
   * from its output.
   */
  cut(outLength: number, limit: number): number {
    const first = this.held[0];
    if (first !== undefined && (outLength - first.memberStart > limit || this.tokenChars > limit)) {
      if (this.held.some((held) => held.isEncoded)) {
        throw new LimitExceededError(
          `JSON: a body that may be base64 waits for its sibling \`encoding\` past ${limit} characters`,
        );
      }
      this.held = [];
      this.open = [];
      this.containers = 0;
      this.kinds.length = 0;
      this.texts.length = 0;
      this.tokenChars = 0;
    }
    const kept = this.held[0]?.memberStart ?? outLength;
    for (const held of this.held) {
      held.memberStart -= kept;
      held.valueStart -= kept;
      held.valueEnd -= kept;
    }
    return kept;
  }
}

/**
 * `text` in memory of its own. A string read from the input may be a slice of its whole chunk,
 * which it keeps alive: a held value is bounded by characters of output and of record, not by
 * the input read while it is held, so a document putting one short value in each of many large
 * chunks (whitespace between them) would otherwise keep every chunk. Held values are rare (only
 * named members read before their naming member, and bodies that may be base64 read before
 * their `encoding`), so the copy costs nothing measurable. UTF-16
 * code units are copied as they are, lone surrogates included. V8 copies substrings shorter than
 * 13 characters anyway (SlicedString::kMinLength).
 */
function ownCopy(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf16le').toString('utf16le');
}
