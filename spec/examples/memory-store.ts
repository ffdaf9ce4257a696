/**
 * A store module for `presence-certify`: its default export is the factory
 * to certify. `npm run certify` runs the command on this one, the built-in
 * memory store; point the command at your own module the same way.
 *
 * @example
 * ```sh
 * npx presence-certify ./node_modules/@absolutejs/sync-pack-presence/dist/spec/examples/memory-store.js --pack
 * ```
 *
 * @module
 */
import type { PresenceStore } from '../../src/store.js';
import { createMemoryPresenceStore } from '../../src/stores/memory.js';

/** The name the report gives the store. */
export const name = 'the bundled memory store, createMemoryPresenceStore()';

/** A fresh memory store per call. */
const createStore = (): PresenceStore => createMemoryPresenceStore();

export default createStore;
