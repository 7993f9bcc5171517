// The progress line of `-l`: on a terminal, once fetching has taken longer than a second, stderr
// shows how many pods have answered, redrawn in place, and erases it before anything else is printed.
// Pipes and files never see it.
import type { Writable } from 'node:stream';

const SHOW_AFTER_MS = 1000;
const ERASE_LINE = '\r\x1b[K';

export interface Progress {
  settled(done: number): void;
  /** Erases the line, if it was shown. */
  end(): void;
}

export function fanOutProgress(err: Writable & { isTTY?: boolean }, total: number, showAfterMs = SHOW_AFTER_MS): Progress {
  if (err.isTTY !== true) return { settled() {}, end() {} };
  let done = 0;
  let shown = false;
  const draw = () => {
    shown = true;
    err.write(`${ERASE_LINE}fetching from pods: ${done}/${total}`);
  };
  const timer = setTimeout(draw, showAfterMs);
  return {
    settled(count) {
      done = count;
      if (shown) draw();
    },
    end() {
      clearTimeout(timer);
      if (shown) err.write(ERASE_LINE);
    },
  };
}
