/** Prints `read N MB (P%)` on stderr about once a second while a long run goes on, on a TTY only. */
export function startProgress(read: () => number, totalBytes: number | undefined): () => void {
  return startProgressLine(() => {
    const megabytes = (read() / 1e6).toFixed(1);
    const percent = totalBytes ? ` (${Math.floor((100 * read()) / totalBytes)}%)` : '';
    return `redacting: ${megabytes} MB read${percent}`;
  });
}

/**
 * Rewrites one status line on stderr about once a second with what `render` returns, on a TTY
 * only; the returned function stops and clears it.
 */
export function startProgressLine(render: () => string): () => void {
  if (!process.stderr.isTTY) return () => {};
  const timer = setInterval(() => {
    process.stderr.write(`\r${render()}  `);
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}
