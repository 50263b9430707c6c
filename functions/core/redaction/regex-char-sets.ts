import type { AST } from '@eslint-community/regexpp';

/** Bits 1–26 of a 32-character word: `A`–`Z` in word 2 (64–95), `a`–`z` in word 3 (96–127). */
const asciiLetterBits = 0x07fffffe;

/**
 * The characters a regex element can match, as a set over ASCII (one bit each) plus one bit
 * standing for every character above U+007F: exact for ASCII, conservative beyond.
 */
export class CharSet {
  private readonly words = new Uint32Array(5);

  /** The empty set. */
  static empty(): CharSet {
    return new CharSet();
  }

  /** The set {@link toJSON} wrote. */
  static fromJSON(words: readonly number[]): CharSet {
    const set = new CharSet();
    set.words.set(words.slice(0, set.words.length));
    return set;
  }

  /** The set as JSON holds it (the pattern facts cached in the CLI bundle): its five words. */
  toJSON(): number[] {
    return [...this.words];
  }

  /** Every character. */
  static any(): CharSet {
    const set = new CharSet();
    set.words.fill(0xffffffff);
    return set;
  }

  add(code: number): void {
    const index = code > 127 ? 128 : code;
    const word = index >>> 5;
    this.words[word] = (this.words[word] ?? 0) | (1 << (index & 31));
  }

  addRange(min: number, max: number): void {
    for (let code = min; code <= Math.min(max, 127); code++) this.add(code);
    if (max > 127) this.add(128);
  }

  has(code: number): boolean {
    const index = code > 127 ? 128 : code;
    return (((this.words[index >>> 5] ?? 0) >>> (index & 31)) & 1) === 1;
  }

  union(other: CharSet): CharSet {
    const set = new CharSet();
    for (let i = 0; i < 5; i++) set.words[i] = (this.words[i] ?? 0) | (other.words[i] ?? 0);
    return set;
  }

  /** Every character not in the set; the non-ASCII bit stays set (it stands for many characters). */
  complement(): CharSet {
    const set = new CharSet();
    for (let i = 0; i < 5; i++) set.words[i] = ~(this.words[i] ?? 0);
    set.add(128);
    return set;
  }

  intersects(other: CharSet): boolean {
    for (let i = 0; i < 5; i++) if (((this.words[i] ?? 0) & (other.words[i] ?? 0)) !== 0) return true;
    return false;
  }

  isEmpty(): boolean {
    return !this.words.some((word) => word !== 0);
  }

  /** The ASCII members, or `undefined` when a non-ASCII character is in the set. */
  asciiMembers(): string[] | undefined {
    if (this.has(128)) return undefined;
    const members: string[] = [];
    for (let code = 0; code < 128; code++) if (this.has(code)) members.push(String.fromCharCode(code));
    return members;
  }

  /**
   * Both cases of every ASCII letter in the set. A-Z and a-z sit at the same bits (1–26) of
   * words 2 and 3, so folding is two word operations: the backtracking check folds every
   * character of an `i` pattern, many times over (a loop over the letters here was the largest
   * part of checking the shipped packs at start).
   */
  caseFolded(): CharSet {
    const set = this.union(CharSet.empty());
    const letters = ((this.words[2] ?? 0) | (this.words[3] ?? 0)) & asciiLetterBits;
    set.words[2] = (set.words[2] ?? 0) | letters;
    set.words[3] = (set.words[3] ?? 0) | letters;
    return set;
  }
}

const digit = (): CharSet => range(48, 57);
const word = (): CharSet => {
  const set = range(48, 57).union(range(65, 90)).union(range(97, 122));
  set.add(95);
  return set;
};
const space = (): CharSet => {
  const set = CharSet.empty();
  for (const code of [9, 10, 11, 12, 13, 32]) set.add(code);
  set.add(128);
  return set;
};

function range(min: number, max: number): CharSet {
  const set = CharSet.empty();
  set.addRange(min, max);
  return set;
}

/** The characters one character element can match (`i` folds ASCII letters). */
export function charSetOf(
  node: AST.Character | AST.CharacterClass | AST.CharacterSet | AST.ExpressionCharacterClass,
  isIgnoreCase: boolean,
): CharSet {
  const set = rawCharSetOf(node);
  return isIgnoreCase ? set.caseFolded() : set;
}

function rawCharSetOf(
  node:
    | AST.Character
    | AST.CharacterClass
    | AST.CharacterSet
    | AST.ExpressionCharacterClass
    | AST.CharacterClassElement,
): CharSet {
  switch (node.type) {
    case 'Character': {
      const set = CharSet.empty();
      set.add(node.value);
      return set;
    }
    case 'CharacterClassRange':
      return range(node.min.value, node.max.value);
    case 'CharacterSet': {
      let set: CharSet;
      switch (node.kind) {
        case 'digit':
          set = digit();
          break;
        case 'word':
          set = word();
          break;
        case 'space':
          set = space();
          break;
        default:
          // `.` and property escapes: anything (conservative).
          return CharSet.any();
      }
      return node.negate ? set.complement() : set;
    }
    case 'CharacterClass': {
      let set = CharSet.empty();
      for (const element of node.elements) set = set.union(rawCharSetOf(element));
      return node.negate ? set.complement() : set;
    }
    default:
      return CharSet.any();
  }
}
