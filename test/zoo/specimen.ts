/** What a zoo specimen is: a broken store, its bug, and the invariant that must catch it. */
import type { StoreInvariantId } from '../../spec/store/ids.js';
import type { PresenceStore } from '../../src/store.js';

/** A deliberately broken store the kit must reject. */
export interface ZooSpecimen {
  /** Short name, used in the test name. */
  readonly name: string;
  /** The bug, as a code reviewer would describe it. */
  readonly bug: string;
  /** The invariant whose failure names the bug. */
  readonly caughtBy: StoreInvariantId;
  /** A fresh broken store. */
  readonly create: () => PresenceStore;
}
