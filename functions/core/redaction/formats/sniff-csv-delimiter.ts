/** The delimiters sniffing chooses from, in the order that breaks a tie nothing else breaks. */
const SNIFFED_DELIMITERS = [',', ';', '\t', '|'];
/** Records read to break a tie in the first one (the first record included). */
const TIE_BREAK_RECORDS = 8;

/**
 * The delimiter of the CSV records that start at `from` in `text`: the usual delimiter (`,` `;`
 * tab `|`) found most often outside quotes in the first record. When several are found equally
 * often there (`a;b,c` names no winner), the next records decide: the one found the same number
 * of times in most of them, then the one found most in all; `,` when none is found at all.
 *
 * Returns `undefined` while more text is needed: the first record may go on past the end of
 * `text`, or a tie waits for the records that break it (unless `isEnd`). Only the first
 * `maxLength` + 1 characters count, so that the choice is the same whatever the chunking and a
 * record too long for the tokenizer is then refused by it.
 */
export function sniffCsvDelimiter(
  text: string,
  from: number,
  isEnd: boolean,
  maxLength: number,
): string | undefined {
  const end = Math.min(text.length, from + maxLength + 1);
  const isWindowFull = isEnd || text.length - from > maxLength;
  const records: number[][] = [];
  let counts = SNIFFED_DELIMITERS.map(() => 0);
  let isQuoted = false;
  let recordStart = from;
  let i = from;
  for (; i < end && records.length < TIE_BREAK_RECORDS; i++) {
    const character = text[i] as string;
    if (character === '"') isQuoted = !isQuoted;
    else if (isQuoted) continue;
    else if (character === '\n' || character === '\r') {
      // A CR last in the text may be the first half of a CRLF: one terminator, not two.
      if (character === '\r' && i + 1 === text.length && !isEnd) return undefined;
      if (character === '\r' && text[i + 1] === '\n') i++;
      records.push(counts);
      // A first record that names one delimiter most often decides alone.
      const [winner, ...others] = records.length === 1 ? winnerOf(counts) : [];
      if (winner !== undefined && others.length === 0) return SNIFFED_DELIMITERS[winner] as string;
      counts = SNIFFED_DELIMITERS.map(() => 0);
      recordStart = i + 1;
    } else {
      const index = SNIFFED_DELIMITERS.indexOf(character);
      if (index >= 0) counts[index] = (counts[index] as number) + 1;
    }
  }
  // A record cut by the end of the text or of the window counts as far as it goes: the same
  // characters are read whatever the chunking.
  if (isWindowFull && records.length < TIE_BREAK_RECORDS && i > recordStart) records.push(counts);
  const first = records[0];
  if (first === undefined) return isWindowFull ? (SNIFFED_DELIMITERS[0] as string) : undefined;
  const tied = winnerOf(first);
  if (tied.length === 1) return SNIFFED_DELIMITERS[tied[0] as number] as string;
  if (records.length < TIE_BREAK_RECORDS && !isWindowFull) return undefined;
  const rest = records.slice(1);
  const score = (index: number) => ({
    sameCount: rest.filter((record) => record[index] === first[index]).length,
    total: rest.reduce((sum, record) => sum + (record[index] as number), 0),
  });
  let best = tied[0] as number;
  for (const index of tied.slice(1)) {
    const [candidate, leader] = [score(index), score(best)];
    if (
      candidate.sameCount > leader.sameCount ||
      (candidate.sameCount === leader.sameCount && candidate.total > leader.total)
    )
      best = index;
  }
  return SNIFFED_DELIMITERS[best] as string;
}

/** The indexes of the delimiters found most often in `counts` (all of them when none is found). */
function winnerOf(counts: readonly number[]): number[] {
  const most = Math.max(...counts);
  return counts.flatMap((count, index) => (count === most ? [index] : []));
}
