/** The least position `>= from` where `shape` matches, by trying each one (the reference for candidate searches). */
export function naiveSearch(shape: RegExp, text: string, from: number): number {
  const sticky = new RegExp(shape.source, 'y');
  for (let position = from; position <= text.length; position++) {
    sticky.lastIndex = position;
    if (sticky.test(text)) return position;
  }
  return -1;
}
