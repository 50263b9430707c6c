/** Prints `read N MB (P%)` on stderr about once a second while a long run goes on, on a TTY only. */
export function startProgress(read: () => number, totalBytes: number | undefined): () => void {
  if (!process.stderr.isTTY) return () => {};
  const timer = setInterval(() => {
    const megabytes = (read() / 1e6).toFixed(1);
    const percent = totalBytes ? ` (${Math.floor((100 * read()) / totalBytes)}%)` : '';
    process.stderr.write(`\rredacting: ${megabytes} MB read${percent}  `);
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}
