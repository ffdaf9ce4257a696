/**
 * A fake browser for the presence client: a virtual clock whose timers run
 * only when a test advances it, a page with visibility and lifecycle events,
 * and a `sessionStorage`. Nothing here waits on real time.
 *
 * @module
 */
import type { PresenceDocument, PresenceEnvironment, PresenceEventTarget, PresenceStorage } from '../../src/client/index.js';

/** An event target that counts its listeners, so a test can see dispose() removed them all. */
export interface FakeTarget extends PresenceEventTarget {
  /** Calls every listener of `type`. */
  dispatch(type: string, event?: unknown): void;
  /** How many listeners are attached, over all types. */
  listenerCount(): number;
}

export const fakeTarget = (): FakeTarget => {
  const listeners = new Map<string, Set<(event: unknown) => void>>();
  return {
    addEventListener: (type, listener) => void listeners.set(type, (listeners.get(type) ?? new Set()).add(listener)),
    removeEventListener: (type, listener) => void listeners.get(type)?.delete(listener),
    dispatch: (type, event = { type }) => {
      for (const listener of [...(listeners.get(type) ?? [])]) listener(event);
    },
    listenerCount: () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0),
  };
};

export const fakeStorage = (entries: Record<string, string> = {}): PresenceStorage & { entries: Map<string, string> } => {
  const map = new Map(Object.entries(entries));
  return {
    entries: map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
};

/** Lets every settled promise run its continuations (a macrotask turn, not a sleep). */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** One browser tab: its own page, window and storage, on the world's clock. */
export interface FakeTab {
  env: PresenceEnvironment;
  document: PresenceDocument & FakeTarget & { visibilityState: string };
  window: FakeTarget;
  storage: ReturnType<typeof fakeStorage>;
}

/** Session ids unique over every world of a test file, as real random ids are. */
let ids = 0;

export interface FakeWorld extends FakeTab {
  /** Another tab on the same clock (with a copy of `storage` for a duplicated tab). */
  tab(storage?: ReturnType<typeof fakeStorage>): FakeTab;
  now(): number;
  /** Moves the clock forward, running due timers in order and settling promises after each. */
  advance(ms: number): Promise<void>;
  /** Timers (and animation frames) still scheduled. */
  pendingTimers(): number;
}

export const createWorld = (options: { start?: number; random?: () => number; frames?: boolean } = {}): FakeWorld => {
  let now = options.start ?? 1_000_000;
  let seq = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  const schedule = (run: () => void, ms: number): number => {
    seq += 1;
    timers.set(seq, { at: now + Math.max(0, ms), run });
    return seq;
  };
  const cancel = (handle: unknown): void => void timers.delete(handle as number);
  const tab = (storage = fakeStorage()): FakeTab => {
    const document = Object.assign(fakeTarget(), { visibilityState: 'visible' });
    const window = fakeTarget();
    const env: PresenceEnvironment = {
      now: () => now,
      setTimeout: schedule,
      clearTimeout: cancel,
      random: options.random ?? (() => 0.5),
      randomId: () => `session-${(ids += 1)}`,
      ...(options.frames ? { requestAnimationFrame: (run: () => void) => schedule(run, 16), cancelAnimationFrame: cancel } : {}),
      document,
      window,
      sessionStorage: storage,
    };
    return { env, document, window, storage };
  };
  return {
    ...tab(),
    tab,
    now: () => now,
    async advance(ms) {
      const target = now + ms;
      await settle();
      for (;;) {
        const due = [...timers.entries()].filter(([, timer]) => timer.at <= target).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].run();
        await settle();
      }
      now = target;
      await settle();
    },
    pendingTimers: () => timers.size,
  };
};
