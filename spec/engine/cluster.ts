/**
 * The cluster seam (the real engine's `src/engine/cluster.ts` types, 1.17+,
 * and the `connectCluster` behaviour of `syncEngine.ts`; ENGINE_CONTRACT.md
 * §14). Each committed batch goes out on the bus tagged with this engine's
 * `instanceId` and the batch's local version; a peer ignores its own origin
 * and applies the others' batches like a local commit, logged against
 * `(origin, originVersion)`, without publishing them again.
 *
 * Buses are at-most-once: nothing here retries, acknowledges or orders
 * messages, as in the engine.
 *
 * @module
 */
import type { TableChange } from '../../src/contract.js';
import type { BufferedChange } from './actions.js';

/** A row change as the engine's types name it: `{ op, row }`. */
export type RowChange<Row = unknown> = TableChange<Row>;

/** One committed change as it travels over the bus. */
export type ClusterChange = {
  /** The table written. */
  table: string;
  /** What happened to which row. */
  change: RowChange<unknown>;
};

/** One committed batch as it travels over the bus. */
export type ClusterMessage = {
  /** The `instanceId` of the engine that committed it; that engine ignores it. */
  origin: string;
  /**
   * The origin's local version of the batch. Receivers log the batch against
   * `(origin, originVersion)` so cursors carry it; a bus that omits it gets
   * `0`, and cross-node resume then falls back to a snapshot.
   */
  originVersion?: number;
  /** The batch's changes, in commit order. */
  changes: ClusterChange[];
};

/** What a host plugs into `connectCluster`: the engine's `ClusterBus`, structurally. */
export type ClusterBus = {
  /** Sends this engine's committed batch to the others; the engine never awaits it. */
  publish: (message: ClusterMessage) => void | Promise<void>;
  /** Starts delivering other engines' batches; resolves to (or returns) the stop function. */
  subscribe: (onMessage: (message: ClusterMessage) => void) => (() => void | Promise<void>) | Promise<() => void | Promise<void>>;
};

/**
 * An in-process bus: every `publish` reaches every current listener at once,
 * in subscription order (the engine's `createInMemoryClusterBus`). It is
 * lossless; tests that need loss, delay or reordering wrap it or write their own.
 *
 * @returns a bus with no listeners
 */
export function createInMemoryClusterBus(): ClusterBus {
  const listeners = new Set<(message: ClusterMessage) => void>();
  return {
    publish(message) {
      for (const listener of [...listeners]) listener(message);
    },
    subscribe(onMessage) {
      // One entry per call, so subscribing the same function twice delivers twice.
      const listener = (message: ClusterMessage) => onMessage(message);
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/** Where a peer's batch came from, as the change log records it. */
export interface PeerOrigin {
  /** The committing engine's `instanceId`. */
  origin: string;
  /** Its local version of the batch. */
  originVersion: number;
}

/** The engine's side of the seam: the current bus and the two directions over it. */
export interface ClusterLink {
  /** Publishes a local batch, fire and forget; a throwing or rejecting bus never reaches the committer. */
  publish(changes: readonly BufferedChange[], originVersion: number): void;
  /**
   * Subscribes to `bus` and publishes on it from now on.
   *
   * @param bus - the bus
   * @param applyPeer - commits a peer's batch locally, without publishing it
   * @returns the disconnect function
   */
  connect(bus: ClusterBus, applyPeer: (changes: BufferedChange[], peer: PeerOrigin) => Promise<void>): Promise<() => Promise<void>>;
}

const toWire = ({ table, op, row }: BufferedChange): ClusterChange => ({ table, change: { op, row } });
const fromWire = ({ table, change }: ClusterChange): BufferedChange => ({ table, op: change.op, row: change.row });

/** Swallows a failure of fire-and-forget work, sync or async. */
function detached(work: () => unknown): void {
  try {
    const result = work();
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // Fire and forget: the commit that triggered it already happened.
  }
}

/**
 * Creates the cluster link of one engine, connected to nothing.
 *
 * @param instanceId - the engine's id: the `origin` it publishes and ignores
 * @returns the link
 */
export function createClusterLink(instanceId: string): ClusterLink {
  // As in the engine, the latest connected bus is the one published to.
  let bus: ClusterBus | undefined;
  return {
    publish(changes, originVersion) {
      const current = bus;
      if (current === undefined || changes.length === 0) return;
      const message: ClusterMessage = { origin: instanceId, originVersion, changes: changes.map(toWire) };
      detached(() => current.publish(message));
    },
    async connect(next, applyPeer) {
      let open = true;
      const stop = await next.subscribe((message) => {
        if (!open || message.origin === instanceId) return;
        // Returned (a `void` callback may return a promise) so a test bus can await delivery.
        const peer = { origin: message.origin, originVersion: message.originVersion ?? 0 };
        return applyPeer(message.changes.map(fromWire), peer).catch(() => undefined);
      });
      bus = next;
      return async () => {
        open = false;
        if (bus === next) bus = undefined;
        await stop();
      };
    },
  };
}
