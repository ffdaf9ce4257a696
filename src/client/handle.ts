/**
 * The collection handle the presence client drives, typed by its shape only,
 * so the handle of `@absolutejs/sync/client` fits without a cast and without
 * this package importing the sync client.
 *
 * @module
 */

/** What a collection handle reports: its rows, connection status and last error. */
export interface CollectionSnapshot {
  /**
   * The rows in view. Typed `unknown` so a handle of any row type fits: rows
   * arrive from the network and are checked one by one before use.
   */
  readonly data: readonly unknown[];
  /** `'connecting' | 'ready' | 'closed'` on the sync client; any other string is treated as not ready. */
  readonly status: string;
  /** The last error the server sent for this subscription (its message), or `undefined`. */
  readonly error?: unknown;
}

/** A mutation call, as the sync client's `mutate` takes it. */
export interface MutationCall {
  /** The registered mutation name (with the pack's prefix). */
  name: string;
  /** The mutation's args. */
  args: unknown;
}

/**
 * A live collection handle: `createSyncClient({ url }).collection({ collection, params: { channel } })`
 * from `@absolutejs/sync/client`, or anything with the same four methods.
 */
export interface PresenceCollectionHandle {
  /** The current state; the same object until something changes. */
  get(): CollectionSnapshot;
  /** Calls `listener` on every change (the sync client also calls it once at once); returns the unsubscribe. */
  subscribe(listener: (state: CollectionSnapshot) => void): () => void;
  /** Runs a server mutation; resolves with its result on `ack`, rejects with `Error(message)` on `reject`. */
  mutate(call: MutationCall): Promise<unknown>;
  /** Unsubscribes the collection. */
  close(): void;
}
