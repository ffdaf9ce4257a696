/**
 * A cluster bus that owns connections, as the reference buses do.
 *
 * @module
 */
import type { ClusterBus } from '../../spec/engine/cluster.js';

/** A `ClusterBus` (spec/engine/cluster.ts) with connections of its own to release. */
export type ClosableClusterBus = ClusterBus & {
  /** Stops every subscription and resolves once their connections are closed. */
  close(): Promise<void>;
};
