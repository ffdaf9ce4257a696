/**
 * `createPresenceClient`: the browser half of presence, on a live collection
 * handle of `@absolutejs/sync/client`.
 *
 * The rules it keeps:
 * - **Lease.** A heartbeat goes out at once, then every third of the TTL
 *   while visible and every half while hidden (jittered, see `cadence.ts`);
 *   also at once on reconnect, when the page becomes visible again and when
 *   the browser comes back online. One heartbeat is in flight at a time; more
 *   requests while it flies fold into one follow-up.
 * - **State.** A heartbeat carries the full state (the `setState` value plus
 *   the last cursor) only when the server may lack it: the first one, after
 *   `setState`, and when an ack shows the row restarted empty (the lease had
 *   lapsed). Otherwise it is a bare renewal, which keeps cursor and typing.
 * - **Patches.** Cursor moves are coalesced (one in flight, the newest value
 *   waits, the trailing value always goes out). A patch rejected with
 *   `NOT_PRESENT` sends a full heartbeat and is retried once.
 * - **Denial.** `CHANNEL_DENIED`, from a mutation or the subscription, stops
 *   everything and is surfaced in the view; other errors are surfaced and the
 *   loop keeps going. Codes come from the message (`presenceErrorCode`),
 *   since the socket sends clients nothing else.
 * - **Leaving.** `leave` is sent on `pagehide` (best effort: the page may be
 *   gone before it lands, and then the lease ends it) and by `dispose()`,
 *   which also removes every timer and listener the client added.
 *
 * @module
 */
import { presenceErrorCode, type PresenceErrorCode } from '../errors.js';
import type { JsonValue, PresenceState } from '../row.js';
import { presenceNames } from '../names.js';
import { heartbeatDelay } from './cadence.js';
import { createCoalescer, rateTicks, type TickScheduler } from './coalescer.js';
import { browserEnvironment, type PresenceEnvironment, type TimerHandle } from './environment.js';
import type { CollectionSnapshot, PresenceCollectionHandle } from './handle.js';
import { isPresenceRow, membersAt, type PresenceMember } from './members.js';
import { createServerClock } from './server-clock.js';
import { tabSession } from './session.js';

/** Which call an error came from. */
export type PresenceOperation = 'heartbeat' | 'leave' | 'cursor' | 'typing' | 'subscribe';

/** An error the client surfaced: the server's message and the code it starts with. */
export interface PresenceClientError {
  /** The pack's code parsed from the message, or `undefined` (a network or engine error). */
  readonly code: PresenceErrorCode | undefined;
  /** The message as the server sent it. */
  readonly message: string;
  /** The call that failed. */
  readonly operation: PresenceOperation;
}

/** What a page renders: one immutable snapshot, replaced only when something visible changed. */
export interface PresenceView<State extends PresenceState = PresenceState> {
  /** The live members, in stable order, this tab included. */
  readonly members: readonly PresenceMember<State>[];
  /** This tab's own member, once the server shows it. */
  readonly self: PresenceMember<State> | undefined;
  /** The handle's connection status (`'connecting' | 'ready' | 'closed'`). */
  readonly status: string;
  /** The last error, cleared by the next successful heartbeat (never after a denial). */
  readonly error: PresenceClientError | undefined;
  /** Whether the client stopped for good: denied, or disposed. */
  readonly stopped: boolean;
}

/** Options of {@link createPresenceClient}. */
export interface PresenceClientOptions<State extends PresenceState = PresenceState> {
  /** The collection handle: `syncClient.collection({ collection: names.collection, params: { channel } })`. */
  handle: PresenceCollectionHandle;
  /** The channel the handle is subscribed to. */
  channel: string;
  /** The pack's `prefix`, if it has one (`'docs_'` sends `docs_presence:heartbeat`). */
  prefix?: string;
  /** The pack's `heartbeatTtlSec` (default 30, as the pack's): the cadence is derived from it. */
  heartbeatTtlSec?: number;
  /** The pack's `typingTtlSec` (default 5, as the pack's): how often a continued `setTyping(true)` is re-sent. */
  typingTtlSec?: number;
  /** The state to share from the first heartbeat (default `{}`). */
  state?: State;
  /** Smallest gap between two cursor mutations; default one per animation frame (50 ms without one). */
  cursorIntervalMs?: number;
  /** The `sessionStorage` key of the tab's session id; default one per collection and channel. */
  sessionKey?: string;
  /** Clock, timers, page and storage; default {@link browserEnvironment}. */
  environment?: PresenceEnvironment;
  /** Called with every surfaced error. */
  onError?: (error: PresenceClientError) => void;
}

/** A running presence client. Create one per channel per tab. */
export interface PresenceClient<State extends PresenceState = PresenceState> {
  /** This tab's session id (kept across reloads, fresh in a duplicated tab). */
  readonly sessionId: string;
  /** The current view (same object until something visible changes): `useSyncExternalStore`'s `getSnapshot`. */
  get(): PresenceView<State>;
  /** Calls `listener` after each view change; returns the unsubscribe: `useSyncExternalStore`'s `subscribe`. */
  subscribe(listener: () => void): () => void;
  /** Replaces the shared state; resolves when the heartbeat carrying it settled. */
  setState(state: State): Promise<void>;
  /** Moves this tab's cursor (`null` hides it); coalesced, the last value always sent. */
  moveCursor(cursor: JsonValue): void;
  /** Says whether the user is typing; repeated `true`s are sent at most twice per typing TTL. */
  setTyping(typing: boolean): Promise<void>;
  /** Sends a heartbeat now (the loop does this by itself). */
  heartbeat(): Promise<void>;
  /** The server's clock now, as estimated from heartbeat round trips. */
  serverNow(): number;
  /** Leaves (best effort), closes the handle, removes every timer and listener. Idempotent. */
  dispose(): void;
}

/** Cursor cadence without animation frames. */
const DEFAULT_CURSOR_INTERVAL_MS = 50;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const isEmpty = (state: object): boolean => Object.keys(state).length === 0;

/** The ticks of the cursor coalescer: a fixed rate when asked or without frames, else animation frames. */
const cursorTicks = (env: PresenceEnvironment, intervalMs: number | undefined): TickScheduler => {
  const { requestAnimationFrame: frame, cancelAnimationFrame: cancel } = env;
  if (intervalMs !== undefined || frame === undefined || cancel === undefined) {
    return rateTicks(env, intervalMs ?? DEFAULT_CURSOR_INTERVAL_MS);
  }
  return { schedule: frame, cancel };
};

/**
 * Starts presence in one channel on a collection handle: the first heartbeat
 * goes out at once.
 *
 * @example
 * ```ts
 * import { createPresenceClient, type PresenceCollectionHandle } from '@absolutejs/sync-pack-presence/client';
 *
 * // `sync` is `createSyncClient({ url: 'wss://example.com/sync/ws' })` from '@absolutejs/sync/client'.
 * declare const sync: { collection(options: { collection: string; params: unknown }): PresenceCollectionHandle };
 *
 * const channel = 'doc:42';
 * const presence = createPresenceClient({
 *   handle: sync.collection({ collection: 'presence', params: { channel } }),
 *   channel,
 *   state: { name: 'Ada' },
 *   heartbeatTtlSec: 30, // the pack's
 * });
 * presence.moveCursor({ x: 10, y: 20 });
 * presence.subscribe(() => console.log(presence.get().members.map((m) => `${m.actorId}${m.isSelf ? ' (you)' : ''}`)));
 * ```
 *
 * @param options - the handle, the channel, the pack's prefix and TTLs, the initial state
 */
export const createPresenceClient = <State extends PresenceState = PresenceState>(
  options: PresenceClientOptions<State>,
): PresenceClient<State> => {
  const { handle, channel } = options;
  const env = options.environment ?? browserEnvironment();
  const names = presenceNames(options.prefix ?? '');
  const ttlMs = (options.heartbeatTtlSec ?? 30) * 1000;
  const typingTtlMs = (options.typingTtlSec ?? 5) * 1000;
  const session = tabSession(env.sessionStorage, options.sessionKey ?? `absolutejs-presence:${names.collection}:${channel}`, () =>
    env.randomId(),
  );
  const clock = createServerClock();
  const listeners = new Set<() => void>();

  let userState: PresenceState = options.state ?? {};
  let lastCursor: JsonValue | undefined;
  let stateVersion = 0;
  let needFullState = true;
  let typingSentAt: number | undefined;
  let paused = false;
  let stopped = false;
  let disposed = false;
  let heartbeatTimer: TimerHandle | undefined;
  let deadlineTimer: TimerHandle | undefined;
  let current: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let everReady = false;
  let lastStatus = '';
  let lastHandleError: unknown;
  let view: PresenceView<State> = { members: [], self: undefined, status: handle.get().status, error: undefined, stopped: false };

  const sessionArgs = { channel, session: session.id };
  const serverNow = (): number => env.now() + clock.offset();
  const hidden = (): boolean => env.document?.visibilityState === 'hidden';
  const fullState = (): PresenceState => (lastCursor === undefined ? { ...userState } : { ...userState, cursor: lastCursor });
  const typingShown = (now: number): boolean => typingSentAt !== undefined && now - typingSentAt < typingTtlMs;

  const clearTimer = (handleToClear: TimerHandle | undefined): undefined => {
    if (handleToClear !== undefined) env.clearTimeout(handleToClear);
    return undefined;
  };

  const publish = (next: Partial<PresenceView<State>>): void => {
    const merged = { ...view, ...next };
    if (
      merged.members === view.members &&
      merged.status === view.status &&
      merged.error === view.error &&
      merged.stopped === view.stopped
    ) {
      return;
    }
    view = { ...merged, self: merged.members.find((member) => member.isSelf) };
    for (const listener of [...listeners]) listener();
  };

  /** Recomputes the members and sleeps until the next lease or typing deadline. */
  const refresh = (state: CollectionSnapshot = handle.get()): void => {
    deadlineTimer = clearTimer(deadlineTimer);
    if (disposed) return;
    const at = serverNow();
    const { members, nextChangeAt } = membersAt<State>(state.data, at, session.id, view.members);
    if (nextChangeAt !== Infinity) deadlineTimer = env.setTimeout(() => refresh(), nextChangeAt - at + 1);
    publish({ members, status: state.status });
  };

  const stop = (): void => {
    stopped = true;
    heartbeatTimer = clearTimer(heartbeatTimer);
    cursor.dispose();
  };

  const report = (error: unknown, operation: PresenceOperation): void => {
    const surfaced: PresenceClientError = { code: presenceErrorCode(error), message: messageOf(error), operation };
    if (surfaced.code === 'CHANNEL_DENIED') stop();
    publish({ error: surfaced, stopped: stopped || disposed });
    options.onError?.(surfaced);
  };

  const scheduleHeartbeat = (): void => {
    heartbeatTimer = clearTimer(heartbeatTimer);
    if (stopped || paused || disposed) return;
    heartbeatTimer = env.setTimeout(() => void heartbeat(), heartbeatDelay(ttlMs, hidden(), env.random()));
  };

  const sendPatch = async (name: string, args: Record<string, JsonValue>, operation: PresenceOperation): Promise<void> => {
    const call = (): Promise<unknown> => handle.mutate({ name, args: { ...sessionArgs, ...args } });
    if (stopped || paused) return;
    try {
      await call();
      return;
    } catch (error) {
      if (presenceErrorCode(error) !== 'NOT_PRESENT') return report(error, operation);
    }
    needFullState = true;
    await heartbeat();
    if (stopped || paused) return;
    await call().catch((error: unknown) => report(error, operation));
  };

  const sendTyping = (typing: boolean): Promise<void> => {
    typingSentAt = typing ? env.now() : undefined;
    return sendPatch(names.typing, { typing }, 'typing');
  };

  const beatOnce = async (): Promise<void> => {
    if (stopped || paused || disposed) return;
    const full = needFullState;
    const sentVersion = stateVersion;
    const sentAt = env.now();
    scheduleHeartbeat();
    let result: unknown;
    try {
      result = await handle.mutate({ name: names.heartbeat, args: full ? { ...sessionArgs, state: fullState() } : sessionArgs });
    } catch (error) {
      return report(error, 'heartbeat');
    }
    if (full && sentVersion === stateVersion) needFullState = false;
    if (view.error !== undefined && !stopped) publish({ error: undefined });
    if (!isPresenceRow(result)) return;
    if (clock.observe({ sentAt, receivedAt: env.now(), serverAt: result.heartbeatAt })) refresh();
    if (!full && isEmpty(result.state) && !isEmpty(fullState())) {
      // The lease had lapsed and the row restarted empty: put the state back.
      needFullState = true;
      void heartbeat();
    } else if (full && typingShown(env.now())) {
      // A full state replaces typing too: restore it.
      void sendTyping(true);
    }
  };

  /** Sends a heartbeat now, or right after the one in flight. */
  const heartbeat = (): Promise<void> => {
    if (current === undefined) {
      current = beatOnce().finally(() => {
        current = undefined;
      });
      return current;
    }
    queued ??= current.then(() => {
      queued = undefined;
      return heartbeat();
    });
    return queued;
  };

  const cursor = createCoalescer<JsonValue>(cursorTicks(env, options.cursorIntervalMs), (value) =>
    sendPatch(names.cursor, { cursor: value }, 'cursor'),
  );

  const onHandleState = (state: CollectionSnapshot): void => {
    const reconnected = state.status === 'ready' && lastStatus !== 'ready' && everReady;
    everReady ||= state.status === 'ready';
    lastStatus = state.status;
    if (state.error !== undefined && state.error !== lastHandleError) report(state.error, 'subscribe');
    lastHandleError = state.error;
    if (reconnected) void heartbeat();
    refresh(state);
  };

  const leave = (): void => {
    if (stopped) return;
    handle.mutate({ name: names.leave, args: sessionArgs }).catch((error: unknown) => {
      if (!disposed) report(error, 'leave');
    });
  };

  const onVisibility = (): void => {
    if (hidden()) scheduleHeartbeat();
    else void heartbeat();
  };
  const onOnline = (): void => void heartbeat();
  const onPageHide = (): void => {
    leave();
    paused = true;
    heartbeatTimer = clearTimer(heartbeatTimer);
    session.release();
  };
  const onPageShow = (): void => {
    // Only a page restored from the back/forward cache was paused: its leave went out, so join again.
    if (!paused) return;
    session.claim();
    paused = false;
    needFullState = true;
    void heartbeat();
  };

  const pageListeners: [string, (event: unknown) => void][] = [
    ['online', onOnline],
    ['pagehide', onPageHide],
    ['pageshow', onPageShow],
  ];
  env.document?.addEventListener('visibilitychange', onVisibility);
  for (const [type, listener] of pageListeners) env.window?.addEventListener(type, listener);
  const unsubscribeHandle = handle.subscribe(onHandleState);

  void heartbeat();

  return {
    sessionId: session.id,
    get: () => view,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    setState(state) {
      userState = state;
      stateVersion += 1;
      needFullState = true;
      return heartbeat();
    },
    moveCursor(value) {
      lastCursor = value;
      if (!stopped && !disposed) cursor.push(value);
    },
    setTyping(typing) {
      const now = env.now();
      if (typing) return typingSentAt !== undefined && now - typingSentAt < typingTtlMs / 2 ? Promise.resolve() : sendTyping(true);
      const shown = typingShown(now);
      typingSentAt = undefined;
      return shown ? sendTyping(false) : Promise.resolve();
    },
    heartbeat,
    serverNow,
    dispose() {
      if (disposed) return;
      leave();
      disposed = true;
      stop();
      deadlineTimer = clearTimer(deadlineTimer);
      env.document?.removeEventListener('visibilitychange', onVisibility);
      for (const [type, listener] of pageListeners) env.window?.removeEventListener(type, listener);
      unsubscribeHandle();
      handle.close();
      session.release();
      publish({ stopped: true });
    },
  };
};
