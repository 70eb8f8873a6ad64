import { createHook, type AsyncHook } from 'node:async_hooks';

/** Resource types worth a creation stack: the long-lived handles that leak (async_hooks type names). */
const TRACKED_TYPES = new Set([
  'TCPWRAP',
  'TCPSERVERWRAP',
  'PIPEWRAP',
  'PIPESERVERWRAP',
  'UDPWRAP',
  'TTYWRAP',
  'Timeout',
  'Immediate',
  'FSEVENTWRAP',
  'STATWATCHER',
  'SIGNALWRAP',
  'PROCESSWRAP',
  'HTTPCLIENTREQUEST',
  'HTTPINCOMINGMESSAGE',
  'TLSWRAP',
]);

export interface TrackedResource {
  type: string;
  /** Creation stack, innermost first: `name (file:line:column)`. */
  stack: readonly Frame[];
}

export interface Frame {
  name: string;
  file: string;
  line: number;
}

/**
 * Opt-in: remembers the creation stack of each live handle (async_hooks init/destroy), so a handles profile says where
 * 8,400 sockets were created. Costs a stack capture per tracked handle; promises are not tracked.
 */
export class HandleTracker {
  readonly #live = new Map<number, TrackedResource>();
  readonly #hook: AsyncHook;
  readonly #maxTracked: number;

  constructor(maxTracked = 100_000) {
    this.#maxTracked = maxTracked;
    const live = this.#live;
    this.#hook = createHook({
      init(asyncId, type) {
        if (!TRACKED_TYPES.has(type) || live.size >= maxTracked) return;
        live.set(asyncId, { type, stack: captureStack() });
      },
      destroy(asyncId) {
        live.delete(asyncId);
      },
    });
  }

  enable(): void {
    this.#hook.enable();
  }

  disable(): void {
    this.#hook.disable();
    this.#live.clear();
  }

  get limit(): number {
    return this.#maxTracked;
  }

  live(): IterableIterator<TrackedResource> {
    return this.#live.values();
  }
}

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):\d+\)?$/;

function captureStack(): Frame[] {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 16;
  Error.captureStackTrace(holder, captureStack);
  Error.stackTraceLimit = limit;
  const frames: Frame[] = [];
  for (const line of (holder.stack ?? '').split('\n').slice(1)) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const file = match[2]!;
    // Node's own frames (timers, net, async_hooks) say how, not where: keep the application's frames.
    if (file.startsWith('node:') || file.includes('handle-tracker')) continue;
    frames.push({ name: match[1] ?? '(anonymous)', file, line: Number(match[3]) });
  }
  return frames;
}
