import type { CompiledFieldRule, Redactor } from '../redactor.ts';
import { quote } from './json-string-encoder.ts';

/** What holding needs to know of an object: whether it wrote a member, and that one was dropped. */
export interface HoldingObject {
  hasMembers: boolean;
  hasDropped: boolean;
}

/** One held value; positions are indexes into the rewriter's output. */
export interface HeldValue<O extends HoldingObject> {
  readonly object: O;
  /** The value as read (decoded string, number text or literal). */
  readonly text: string;
  /** Where the member's output starts (its comma, if any, then key and colon). */
  memberStart: number;
  /** Where its value's output starts, and ends. */
  valueStart: number;
  valueEnd: number;
  /** The member was the first its object wrote: no comma before it. */
  readonly isFirst: boolean;
  /** Rule counts before the value was handled, then what handling it added. */
  counts: Map<string, number>;
}

/**
 * Named members' scalar values written before any naming member of their object
 * (`{"value": "…", "name": "DB_PASSWORD"}`, as key-sorted JSON writes `value` before
 * `variable`): held in the output until the object names them or ends, because the name read
 * later may give them a field rule (see `sibling-names.ts`). Values are held in output order;
 * those of an inner object are let go before its outer object reads another member, so the
 * values of the object being read are always the last ones.
 *
 * @example
 * const held = new HeldValues(redactor);
 * const value = held.hold(object, 'wJalr…', memberStart, valueStart); // then write it as usual
 * held.end(value, out.length);
 * out = held.applyRule(out, object, rule); // the naming member named a ruled field
 */
export class HeldValues<O extends HoldingObject> {
  private readonly redactor: Redactor;
  private held: HeldValue<O>[] = [];

  constructor(redactor: Redactor) {
    this.redactor = redactor;
  }

  /** True when some value is held. */
  get isHolding(): boolean {
    return this.held.length > 0;
  }

  /** Starts holding a value of `object` whose member's output starts at `memberStart`, its value at `valueStart`. */
  hold(object: O, text: string, memberStart: number, valueStart: number): HeldValue<O> {
    const held: HeldValue<O> = {
      object,
      text,
      memberStart,
      valueStart,
      valueEnd: -1,
      isFirst: !object.hasMembers,
      counts: new Map(this.redactor.counts),
    };
    this.held.push(held);
    return held;
  }

  /** Marks where a held value's output ends, and keeps the rule counts its handling added. */
  end(held: HeldValue<O>, valueEnd: number): void {
    held.valueEnd = valueEnd;
    const added = new Map<string, number>();
    for (const [rule, count] of this.redactor.counts) {
      const before = held.counts.get(rule) ?? 0;
      if (count > before) added.set(rule, count - before);
    }
    held.counts = added;
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
      for (const [id, count] of held.counts) {
        const left = (this.redactor.counts.get(id) ?? 0) - count;
        if (left > 0) this.redactor.counts.set(id, left);
        else this.redactor.counts.delete(id);
      }
      const replacement = this.redactor.applyField(rule, held.text);
      if (replacement !== undefined) {
        rewritten = rewritten.slice(0, held.valueStart) + quote(replacement) + rewritten.slice(held.valueEnd);
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

  /** Lets go of the values `object` holds: their output is final. */
  release(object: O): void {
    while (this.held[this.held.length - 1]?.object === object) this.held.pop();
  }

  /**
   * How much of an output of `outLength` characters may be handed on: all of it before the
   * first held member. A value held for more than `limit` characters of output is let go
   * first, as the detectors left it: a naming member that far after it does not govern it.
   * Positions move back by the amount returned, which the caller drops from its output.
   */
  cut(outLength: number, limit: number): number {
    const first = this.held[0];
    if (first !== undefined && outLength - first.memberStart > limit) this.held = [];
    const kept = this.held[0]?.memberStart ?? outLength;
    for (const held of this.held) {
      held.memberStart -= kept;
      held.valueStart -= kept;
      held.valueEnd -= kept;
    }
    return kept;
  }
}
