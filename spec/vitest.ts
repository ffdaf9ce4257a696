/**
 * The vitest binding (`./spec/vitest`): one vitest test per invariant, so a
 * store author sees which rule failed in their usual runner. It also runs
 * unchanged under `bun test`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createRedisPresenceStore } from '@absolutejs/sync-pack-presence/stores/redis';
 * import { describePresencePack, describePresenceStore } from '@absolutejs/sync-pack-presence/spec/vitest';
 *
 * const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
 * let run = 0;
 * // A fresh key prefix per store: certified stores must share nothing.
 * const create = () => createRedisPresenceStore({ redis, keyPrefix: `certify:${run++}:` });
 *
 * describePresenceStore('redis store', { create });
 * describePresencePack('presence pack on redis', { create });
 * ```
 *
 * @module @absolutejs/sync-pack-presence/spec/vitest
 */
import { describe as vitestDescribe, it as vitestIt } from 'vitest';
import type { PresenceStore } from '../src/store.js';
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
export const describePresenceStore = <Store extends PresenceStore>(name: string, options: PresenceStoreTestOptions<Store> & Partial<TestRunner>): void =>
  definePresenceStoreTests<Store>(name, { describe: vitestDescribe, it: vitestIt, ...options });

/**
 * Registers a vitest `describe(name)` with one test per pack invariant, e.g.
 * `PACK-SCOPE: no row crosses a scope, in hydrate or in pushed diffs`: the
 * presence pack (or `createPack`) on stores from `create`.
 */
export const describePresencePack = <Store extends PresenceStore>(name: string, options: PresencePackTestOptions<Store> & Partial<TestRunner>): void =>
  definePresencePackTests<Store>(name, { describe: vitestDescribe, it: vitestIt, ...options });
