/**
 * A small browser sync client speaking the same frames as
 * `@absolutejs/sync/client` (which cannot be installed here), with the same
 * handle shape: `collection({ collection, params })` → `{ get, subscribe,
 * mutate, close }`. It reconnects with a doubling backoff, resubscribes with
 * the last resume cursor (`since`) and replays unacknowledged mutations,
 * as the real client does; unlike the multiplexed real client, a handle's
 * status goes back to `'connecting'` while the socket is down.
 *
 * @module
 */

/** A collection handle's state. */
export interface CollectionState {
  data: unknown[];
  status: 'connecting' | 'ready' | 'closed';
  error: unknown;
}

/** The handle of one subscribed collection. */
export interface CollectionHandle {
  get(): CollectionState;
  subscribe(listener: (state: CollectionState) => void): () => void;
  mutate(call: { name: string; args?: unknown }): Promise<unknown>;
  close(): void;
}

/** A client over one WebSocket. */
export interface SyncClient {
  collection(options: { collection: string; params?: unknown }): CollectionHandle;
  /** Drops the socket; it reconnects by itself. */
  disconnect(): void;
  close(): void;
}

interface Pending {
  mutationId: number;
  name: string;
  args: unknown;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface Entry {
  id: string;
  collection: string;
  params: unknown;
  rows: Map<string, unknown>;
  state: CollectionState;
  listeners: Set<(state: CollectionState) => void>;
  cursor: string | undefined;
}

type Frame = { type: string; id?: string; mutationId?: number; rows?: unknown[]; added?: unknown[]; changed?: unknown[]; removed?: unknown[]; cursor?: string; result?: unknown; message?: string };

const keyOf = (row: unknown): string => String((row as { id: unknown }).id);

/** Connects to `url` (a `ws://…/sync/ws` endpoint). */
export const createSyncClient = (options: { url: string; reconnectMs?: number; maxReconnectMs?: number }): SyncClient => {
  const entries = new Map<string, Entry>();
  const pending = new Map<number, Pending>();
  let socket: WebSocket | undefined;
  let open = false;
  let closed = false;
  let delay = options.reconnectMs ?? 250;
  let nextEntry = 0;
  let nextMutation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const update = (entry: Entry, patch: Partial<CollectionState>): void => {
    entry.state = { ...entry.state, ...patch, data: [...entry.rows.values()] };
    for (const listener of [...entry.listeners]) listener(entry.state);
  };
  const send = (frame: object): void => {
    if (open) socket?.send(JSON.stringify(frame));
  };
  const subscribeFrame = (entry: Entry): object => ({ type: 'subscribe', id: entry.id, collection: entry.collection, params: entry.params, since: entry.cursor });
  const mutateFrame = (m: Pending): object => ({ type: 'mutate', mutationId: m.mutationId, name: m.name, args: m.args });

  const onFrame = (frame: Frame): void => {
    const entry = frame.id === undefined ? undefined : entries.get(frame.id);
    if (frame.type === 'snapshot' && entry) {
      entry.rows = new Map((frame.rows ?? []).map((row) => [keyOf(row), row]));
      entry.cursor = frame.cursor ?? entry.cursor;
      update(entry, { status: 'ready', error: undefined });
    } else if (frame.type === 'diff' && entry) {
      for (const row of frame.removed ?? []) entry.rows.delete(keyOf(row));
      for (const row of [...(frame.added ?? []), ...(frame.changed ?? [])]) entry.rows.set(keyOf(row), row);
      entry.cursor = frame.cursor ?? entry.cursor;
      update(entry, { status: 'ready' });
    } else if (frame.type === 'error' && entry) {
      update(entry, { error: frame.message });
    } else if ((frame.type === 'ack' || frame.type === 'reject') && frame.mutationId !== undefined) {
      const mutation = pending.get(frame.mutationId);
      pending.delete(frame.mutationId);
      if (frame.type === 'ack') mutation?.resolve(frame.result);
      else mutation?.reject(new Error(String(frame.message)));
    }
  };

  const connect = (): void => {
    if (closed) return;
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      open = true;
      delay = options.reconnectMs ?? 250;
      for (const entry of entries.values()) send(subscribeFrame(entry));
      for (const mutation of pending.values()) send(mutateFrame(mutation));
    };
    ws.onmessage = (event) => {
      try {
        onFrame(JSON.parse(String(event.data)) as Frame);
      } catch {
        // an unreadable frame is dropped, as the real client does
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      open = false;
      for (const entry of entries.values()) update(entry, { status: closed ? 'closed' : 'connecting' });
      if (closed) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, options.maxReconnectMs ?? 5000);
    };
  };
  connect();
  // Back online: try at once instead of waiting out the backoff.
  const reconnectNow = (): void => {
    if (open || closed || socket?.readyState === WebSocket.CONNECTING) return;
    clearTimeout(timer);
    connect();
  };
  addEventListener('online', reconnectNow);

  return {
    collection({ collection, params }) {
      const entry: Entry = { id: `c${(nextEntry += 1)}`, collection, params, rows: new Map(), state: { data: [], status: 'connecting', error: undefined }, listeners: new Set(), cursor: undefined };
      entries.set(entry.id, entry);
      send(subscribeFrame(entry));
      return {
        get: () => entry.state,
        subscribe(listener) {
          entry.listeners.add(listener);
          listener(entry.state);
          return () => void entry.listeners.delete(listener);
        },
        mutate: ({ name, args }) =>
          new Promise((resolve, reject) => {
            const mutation: Pending = { mutationId: (nextMutation += 1), name, args, resolve, reject };
            pending.set(mutation.mutationId, mutation);
            send(mutateFrame(mutation));
          }),
        close() {
          if (!entries.delete(entry.id)) return;
          send({ type: 'unsubscribe', id: entry.id });
        },
      };
    },
    disconnect: () => socket?.close(),
    close() {
      closed = true;
      removeEventListener('online', reconnectNow);
      clearTimeout(timer);
      socket?.close();
    },
  };
};
