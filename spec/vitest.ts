/**
 * The vitest binding (`./spec/vitest`): one vitest test per store invariant.
 *
 * @example
 * ```ts
 * import { describePresenceStore } from '@absolutejs/sync-pack-presence/spec/vitest';
 * describePresenceStore('my redis store', { create: () => createMyStore(), destroy: (store) => store.close() });
 * ```
 *
 * @module
 */
import { describe as vitestDescribe, it as vitestIt } from 'vitest';
import {
  definePresencePackTests,
  definePresenceStoreTests,
  type PresencePackTestOptions,
  type PresenceStoreTestOptions,
  type TestRunner,
} from './tests.js';

/**
 * Registers a vitest `describe(name)` with one test per store invariant, e.g.
 * `STORE-LWW: last writer wins by heartbeatAt`. Pass `describe` and `it` to
 * use another runner's functions instead.
 */
export const describePresenceStore = (name: string, options: PresenceStoreTestOptions & Partial<TestRunner>): void =>
  definePresenceStoreTests(name, { describe: vitestDescribe, it: vitestIt, ...options });

/**
 * Registers a vitest `describe(name)` with one test per pack invariant, e.g.
 * `PACK-SCOPE: no row crosses a scope, in hydrate or in pushed diffs`: the
 * presence pack (or `createPack`) on stores from `create`.
 */
export const describePresencePack = (name: string, options: PresencePackTestOptions & Partial<TestRunner>): void =>
  definePresencePackTests(name, { describe: vitestDescribe, it: vitestIt, ...options });
