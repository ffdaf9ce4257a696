/**
 * The subscribing half shared by the reference buses: one dedicated
 * connection per `subscribe`, reopened after it is lost. Whatever was
 * published while it was down is gone (at-most-once, as pub/sub and
 * LISTEN/NOTIFY are): the cluster's convergence must not depend on it.
 *
 * @module
 */
import type { ClusterBus, ClusterMessage } from '../../spec/engine/cluster.js';
import type { ClosableClusterBus } from './closable-bus.js';

/** An open listening connection. */
export interface ListeningConnection {
  /** Closes it and resolves once its socket is closed. */
  close(): Promise<void>;
}

/** How a bus opens and reopens its listening connection. */
export interface ListenerOptions {
  /** Opens one connection, listening; calls `lost` once if it later drops on its own. */
  open(lost: (error?: unknown) => void): Promise<ListeningConnection>;
  /** Waits before reopening attempt `attempt` (1, 2, ...); `close` does not wait for it to end. */
  reconnectDelay(attempt: number): Promise<void>;
  /** Told of every loss and failed reopen. */
  onError(error: unknown): void;
}

/** A listener that reopens itself until closed. */
export interface Listener {
  /** Stops reopening and closes the open connection, if any. */
  close(): Promise<void>;
}

/** Default reopen delay: 100 ms doubling to 5 s, on a timer that does not keep the process alive. */
export const backoffDelay = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** (attempt - 1), 5_000)).unref());

/** Opens the first connection (its failure rejects), then keeps one open until `close`. */
export const startListener = async (options: ListenerOptions): Promise<Listener> => {
  const closing = new AbortController();
  const closed = new Promise<void>((resolve) => closing.signal.addEventListener('abort', () => resolve(), { once: true }));
  let current: ListeningConnection | undefined;
  let reopening: Promise<void> = Promise.resolve();

  // Each connection gets its own `lost`, so a late or repeated report from an old one is ignored.
  const connect = async (): Promise<void> => {
    let dropped = false;
    const opened = await options.open((error) => {
      if (dropped || closing.signal.aborted) return;
      dropped = true;
      current = undefined;
      options.onError(error ?? new Error('cluster bus listener connection closed; reconnecting (messages sent meanwhile are lost)'));
      reopening = reopen();
    });
    // Closed while it was opening, or lost before we saw it: nobody else will close it.
    if (closing.signal.aborted || dropped) await opened.close();
    else current = opened;
  };

  const reopen = async (): Promise<void> => {
    for (let attempt = 1; !closing.signal.aborted; attempt += 1) {
      await Promise.race([options.reconnectDelay(attempt), closed]);
      if (closing.signal.aborted) return;
      try {
        await connect();
        return;
      } catch (error) {
        options.onError(error);
      }
    }
  };

  await connect();
  return {
    close: async () => {
      closing.abort();
      await reopening;
      await current?.close();
      current = undefined;
    },
  };
};

/** Steps of one fresh connection, for {@link listening}. */
export interface ConnectionSteps {
  /** Connects and starts listening. */
  start(): Promise<unknown>;
  /** Closes it; resolves once its socket is closed. */
  close(): Promise<void>;
  /** Calls `callback` when the connection has ended. */
  ended(callback: () => void): void;
}

/** Starts a connection, closing it if that fails; its later end is reported as a loss. */
export const listening = async (steps: ConnectionSteps, lost: (error?: unknown) => void): Promise<ListeningConnection> => {
  try {
    await steps.start();
  } catch (error) {
    await steps.close();
    throw error;
  }
  steps.ended(() => lost());
  return { close: () => steps.close() };
};

/** What {@link listeningBus} needs from one bus technology. */
export interface ListeningBusParts {
  /** Sends one batch. */
  publish: ClusterBus['publish'];
  /** Opens one listening connection that hands every batch to `onMessage`. */
  open(onMessage: (message: ClusterMessage) => void, lost: (error?: unknown) => void): Promise<ListeningConnection>;
  /** See {@link ListenerOptions}. */
  reconnectDelay: ListenerOptions['reconnectDelay'];
  /** See {@link ListenerOptions}. */
  onError: ListenerOptions['onError'];
}

/** A bus whose every `subscribe` is a listener of its own, all closed by `close`. */
export const listeningBus = (parts: ListeningBusParts): ClosableClusterBus => {
  const open = new Set<Listener>();
  return {
    publish: parts.publish,
    subscribe: async (onMessage) => {
      const listener = await startListener({ reconnectDelay: parts.reconnectDelay, onError: parts.onError, open: (lost) => parts.open(onMessage, lost) });
      open.add(listener);
      return async () => {
        open.delete(listener);
        await listener.close();
      };
    },
    close: async () => {
      const all = [...open];
      open.clear();
      await Promise.all(all.map((listener) => listener.close()));
    },
  };
};
