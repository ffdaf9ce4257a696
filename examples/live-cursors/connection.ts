/**
 * One WebSocket connection, speaking the frames of `@absolutejs/sync`'s
 * socket: `subscribe { id, collection, params, since }`, `unsubscribe { id }`
 * and `mutate { mutationId, name, args }` in; `snapshot`, `diff`, `ack`,
 * `reject` and `error` out. Like the real socket it sends clients only
 * messages, never error codes.
 *
 * @module
 */
import type { ReferenceEngine, Subscription } from '../../spec/engine.js';

/** A frame the server sends. */
export type ServerFrame =
  | { type: 'snapshot'; id: string; rows: unknown[]; version: number; cursor: string }
  | { type: 'diff'; id: string; added: unknown[]; changed: unknown[]; removed: unknown[]; version: number; cursor: string }
  | { type: 'ack'; mutationId: number; result: unknown }
  | { type: 'reject'; mutationId: number; message: string }
  | { type: 'error'; id?: string; message: string };

/** The frame handler of one connection. */
export interface SyncConnection {
  /** Handles one raw text frame from the client. */
  handle(raw: string): Promise<void>;
  /** Ends every subscription of the connection (on socket close). */
  close(): void;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/**
 * Connects a socket to the engine with the caller's `ctx`, fixed for the
 * connection's life (as the real socket resolves it once, at upgrade).
 */
export const createSyncConnection = (engine: ReferenceEngine, ctx: unknown, send: (frame: ServerFrame) => void): SyncConnection => {
  const subscriptions = new Map<string, Promise<Subscription | undefined>>();

  const subscribe = (id: string, collection: string, params: unknown, since: number | string | undefined): void => {
    if (subscriptions.has(id)) {
      send({ type: 'error', id, message: `Subscription id "${id}" already in use` });
      return;
    }
    const pending = engine
      .subscribe({
        collection,
        params,
        ctx,
        ...(since === undefined ? {} : { since }),
        onDiff: (diff, version, cursor) => send({ type: 'diff', id, ...diff, version, cursor: cursor ?? '' }),
      })
      .then((subscription) => {
        // No await between the reply and this send: the snapshot precedes every diff.
        send({ type: 'snapshot', id, rows: subscription.initial, version: subscription.version, cursor: subscription.cursor });
        if (subscription.catchup) send({ type: 'diff', id, ...subscription.catchup, version: subscription.version, cursor: subscription.cursor });
        return subscription;
      })
      .catch((error: unknown) => {
        subscriptions.delete(id);
        send({ type: 'error', id, message: messageOf(error) });
        return undefined;
      });
    subscriptions.set(id, pending);
  };

  const mutate = async (mutationId: number, name: string, args: unknown): Promise<void> => {
    try {
      send({ type: 'ack', mutationId, result: await engine.runMutation(name, args, ctx) });
    } catch (error) {
      send({ type: 'reject', mutationId, message: messageOf(error) });
    }
  };

  return {
    async handle(raw) {
      let frame: Record<string, unknown> | undefined;
      try {
        frame = record(JSON.parse(raw));
      } catch {
        frame = undefined;
      }
      const { type, id, mutationId } = frame ?? {};
      if (type === 'subscribe' && typeof id === 'string' && typeof frame?.['collection'] === 'string') {
        const since = frame['since'];
        subscribe(id, frame['collection'], frame['params'], typeof since === 'number' || typeof since === 'string' ? since : undefined);
      } else if (type === 'unsubscribe' && typeof id === 'string') {
        const pending = subscriptions.get(id);
        subscriptions.delete(id);
        (await pending)?.unsubscribe();
      } else if (type === 'mutate' && typeof mutationId === 'number' && typeof frame?.['name'] === 'string') {
        await mutate(mutationId, frame['name'], frame['args']);
      } else {
        send({ type: 'error', message: 'Malformed sync frame' });
      }
    },
    close() {
      for (const pending of subscriptions.values()) void pending.then((subscription) => subscription?.unsubscribe());
      subscriptions.clear();
    },
  };
};
