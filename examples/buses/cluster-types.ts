/**
 * The cluster seam's message shapes, structurally (the engine's
 * `ClusterMessage` and `ClusterBus`), until the reference engine exports them.
 *
 * @module
 */

/** One committed change on the bus. */
export interface ClusterChange {
  /** The table written. */
  table: string;
  /** The engine's row change. */
  change: unknown;
}

/** One node's committed batch. */
export interface ClusterMessage {
  /** The node that committed it. */
  origin: string;
  /** The origin's engine version after the batch. */
  originVersion?: number;
  /** The batch's changes. */
  changes: ClusterChange[];
}

/** What `engine.connectCluster` takes. */
export interface ClusterBus {
  /** Sends one batch to every node. */
  publish(message: ClusterMessage): void | Promise<void>;
  /** Delivers every batch on the bus; resolves to the function that stops it. */
  subscribe(onMessage: (message: ClusterMessage) => void): (() => void | Promise<void>) | Promise<() => void | Promise<void>>;
}

/** A cluster bus that holds connections of its own. */
export interface ClosableClusterBus extends ClusterBus {
  /** Stops every subscription and resolves once their connections are closed. */
  close(): Promise<void>;
}
