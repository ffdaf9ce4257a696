/**
 * A collection handle backed by the reference engine in-process, behaving as
 * `@absolutejs/sync/client`'s does on the wire: `mutate` resolves with the
 * ack's result and rejects with `Error(message)` (codes only in the message);
 * `subscribe` calls the listener at once; a disconnection holds mutations
 * until the reconnect re-subscribes and replays them. Tests can intercept a
 * mutation to fail or delay it.
 *
 * @module
 */
import { createReferenceEngine } from '../../spec/engine.js';
import type { ReferenceEngine } from '../../spec/engine.js';
import type { CollectionSnapshot, MutationCall, PresenceCollectionHandle } from '../../src/client/index.js';
import { createPresencePack, type PresencePackConfig, type PresenceRow } from '../../src/index.js';

export interface EngineHandle extends PresenceCollectionHandle {
  /** Every mutation the client sent, in order. */
  calls: MutationCall[];
  closed: boolean;
  listenerCount(): number;
  /** Drops the connection: status 'connecting', mutations held. */
  disconnect(): void;
  /** Re-subscribes (fresh snapshot) and replays the held mutations. */
  reconnect(): Promise<void>;
  /** Answers a call instead of the engine, when it returns a promise. */
  intercept: ((call: MutationCall) => Promise<unknown> | undefined) | undefined;
}

export interface Server {
  engine: ReferenceEngine;
  names: ReturnType<typeof createPresencePack>['names'];
  /** A handle for the caller `ctx` on `channel`; resolves once subscribed. */
  connect(ctx: Record<string, unknown>, channel: string): Promise<EngineHandle>;
}

export const createServer = async (now: () => number, config: PresencePackConfig = {}): Promise<Server> => {
  const engine = createReferenceEngine();
  const pack = createPresencePack({ now, ...config });
  engine.registerPack(pack);
  const connect = async (ctx: Record<string, unknown>, channel: string): Promise<EngineHandle> => {
    const rows = new Map<string, PresenceRow>();
    const listeners = new Set<(state: CollectionSnapshot) => void>();
    let state: CollectionSnapshot = { data: [], status: 'connecting', error: undefined };
    let connected = true;
    let unsubscribe: (() => void) | undefined;
    const held: (() => void)[] = [];
    const emit = (patch: Partial<CollectionSnapshot>): void => {
      state = { ...state, ...patch, data: [...rows.values()] };
      for (const listener of [...listeners]) listener(state);
    };
    const subscribe = async (): Promise<void> => {
      try {
        const sub = await engine.subscribe<PresenceRow, { channel: string }>({
          collection: pack.names.collection,
          params: { channel },
          ctx,
          onDiff: (diff) => {
            if (!connected) return;
            for (const row of diff.removed) rows.delete(row.id);
            for (const row of [...diff.added, ...diff.changed]) rows.set(row.id, row);
            emit({});
          },
        });
        unsubscribe = sub.unsubscribe;
        rows.clear();
        for (const row of sub.initial) rows.set(row.id, row);
        emit({ status: 'ready', error: undefined });
      } catch (error) {
        emit({ error: (error as Error).message });
      }
    };
    const handle: EngineHandle = {
      calls: [],
      closed: false,
      intercept: undefined,
      listenerCount: () => listeners.size,
      get: () => state,
      subscribe(listener) {
        listeners.add(listener);
        listener(state);
        return () => void listeners.delete(listener);
      },
      mutate(call) {
        handle.calls.push(call);
        const run = (): Promise<unknown> =>
          handle.intercept?.(call) ??
          engine.runMutation(call.name, call.args, ctx).catch((error: unknown) => {
            throw new Error((error as Error).message);
          });
        if (connected) return run();
        return new Promise((resolve, reject) => held.push(() => void run().then(resolve, reject)));
      },
      close() {
        handle.closed = true;
        unsubscribe?.();
      },
      disconnect() {
        connected = false;
        unsubscribe?.();
        emit({ status: 'connecting' });
      },
      async reconnect() {
        connected = true;
        await subscribe();
        for (const replay of held.splice(0)) replay();
      },
    };
    await subscribe();
    return handle;
  };
  return { engine, names: pack.names, connect };
};
