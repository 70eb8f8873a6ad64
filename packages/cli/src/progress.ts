/**
 * A progress line on stderr for long waits: redrawn in place on a terminal, one line at start and end otherwise (so
 * logs stay readable).
 */
export function progress(label: string, totalSeconds: number): { done(message: string): void } {
  const stream = process.stderr;
  const started = Date.now();
  if (!stream.isTTY) {
    stream.write(`${label} (${totalSeconds} s)...\n`);
    return { done: (message) => void stream.write(`${message}\n`) };
  }
  const draw = () => {
    const elapsed = Math.min(totalSeconds, Math.floor((Date.now() - started) / 1_000));
    const width = 20;
    const filled = Math.round((elapsed / Math.max(totalSeconds, 1)) * width);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${elapsed}/${totalSeconds} s`);
  };
  draw();
  const timer = setInterval(draw, 500);
  return {
    done(message) {
      clearInterval(timer);
      stream.write(`\r\x1b[K${message}\n`);
    },
  };
}

/**
 * A spinner on stderr for a wait of unknown length (a download), on a terminal only and only once it lasts: short
 * waits and piped output stay silent.
 */
export function waiting(label: string, afterMillis = 300): { done(): void } {
  const stream = process.stderr;
  if (!stream.isTTY) return { done() {} };
  const started = Date.now();
  const frames = ['|', '/', '-', '\\'];
  let shown = false;
  let frame = 0;
  const timer = setInterval(() => {
    if (Date.now() - started < afterMillis) return;
    shown = true;
    stream.write(`\r${label} ${frames[frame++ % frames.length]} ${((Date.now() - started) / 1_000).toFixed(1)} s`);
  }, 100);
  timer.unref();
  return {
    done() {
      clearInterval(timer);
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
