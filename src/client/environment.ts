/**
 * Everything the presence client reads from the outside world, injected:
 * the clock, timers, randomness, the page's visibility and lifecycle events,
 * and `sessionStorage`. Tests pass fakes; {@link browserEnvironment} reads the
 * browser's globals. Typed structurally, so the package needs no DOM types.
 *
 * @module
 */

/** An opaque timer handle from {@link PresenceEnvironment.setTimeout}. */
export type TimerHandle = unknown;

/** The part of `EventTarget` the client uses. */
export interface PresenceEventTarget {
  /** Adds a listener. */
  addEventListener(type: string, listener: (event: unknown) => void): void;
  /** Removes a listener added with the same arguments. */
  removeEventListener(type: string, listener: (event: unknown) => void): void;
}

/** The part of `document` the client uses: `visibilitychange` events and the current visibility. */
export interface PresenceDocument extends PresenceEventTarget {
  /** `'visible'` or `'hidden'`. */
  readonly visibilityState: string;
}

/** The part of `Storage` the client uses. */
export interface PresenceStorage {
  /** The stored value, or `null`. */
  getItem(key: string): string | null;
  /** Stores a value. */
  setItem(key: string, value: string): void;
  /** Removes a value. */
  removeItem(key: string): void;
}

/** The outside world, as the presence client sees it. */
export interface PresenceEnvironment {
  /** Local wall clock in ms since the epoch. */
  now(): number;
  /** Schedules `callback` after `ms`. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer. */
  clearTimeout(handle: TimerHandle): void;
  /** A uniform number in [0, 1): the heartbeat jitter. */
  random(): number;
  /** A fresh unguessable id: a new tab's session id. */
  randomId(): string;
  /** Runs `callback` before the next paint; absent outside a browser (then cursor moves use a fixed rate). */
  requestAnimationFrame?: (callback: () => void) => TimerHandle;
  /** Cancels a frame callback. */
  cancelAnimationFrame?: (handle: TimerHandle) => void;
  /** `visibilitychange` source; absent means always visible. */
  document?: PresenceDocument;
  /** `pagehide`, `pageshow` and `online` source; absent means no page lifecycle. */
  window?: PresenceEventTarget;
  /** Where the tab's session id lives; absent means a fresh id per client. */
  sessionStorage?: PresenceStorage;
}

/** The browser globals {@link browserEnvironment} reads, each possibly missing (SSR, workers). */
interface BrowserGlobals {
  document?: PresenceDocument;
  window?: PresenceEventTarget;
  sessionStorage?: PresenceStorage;
  requestAnimationFrame?: (callback: () => void) => TimerHandle;
  cancelAnimationFrame?: (handle: TimerHandle) => void;
  crypto?: { randomUUID?: () => string };
}

/** A random id without `crypto.randomUUID` (insecure contexts): 128 bits from `random`. */
const fallbackId = (random: () => number): string =>
  Array.from({ length: 4 }, () => Math.floor(random() * 2 ** 32).toString(16).padStart(8, '0')).join('');

/**
 * The real browser: `Date.now`, `setTimeout`, `Math.random`, `crypto.randomUUID`,
 * `requestAnimationFrame`, `document`, `window` and `sessionStorage` where they exist.
 * Reading `sessionStorage` can throw (storage disabled); the tab then gets a fresh id per client.
 */
export const browserEnvironment = (): PresenceEnvironment => {
  const globals = globalThis as BrowserGlobals;
  let storage: PresenceStorage | undefined;
  try {
    storage = globals.sessionStorage;
  } catch {
    storage = undefined;
  }
  const raf = globals.requestAnimationFrame;
  const caf = globals.cancelAnimationFrame;
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
    random: () => Math.random(),
    randomId: () => globals.crypto?.randomUUID?.() ?? fallbackId(Math.random),
    ...(raf && caf ? { requestAnimationFrame: (callback: () => void) => raf(callback), cancelAnimationFrame: (handle: TimerHandle) => caf(handle) } : {}),
    ...(globals.document ? { document: globals.document } : {}),
    ...(globals.window ? { window: globals.window } : {}),
    ...(storage ? { sessionStorage: storage } : {}),
  };
};
