/**
 * The cleanup schedule: one bounded, atomic sweep per run, reported to
 * subscribers as deletes of exactly the rows it removed.
 *
 * @module
 */
import type { RetryPolicy, ScheduleDefinition } from '../contract.js';
import { PresenceError } from '../errors.js';
import type { PresenceNames } from '../names.js';
import type { PresenceSettings } from '../settings.js';

/** Retry only an unreachable or slow store; a sweep is atomic, so a retry is safe. */
export const cleanupRetry: RetryPolicy = {
  maxAttempts: 3,
  isRetryable: (error) => error instanceof PresenceError && (error.code === 'STORE_UNAVAILABLE' || error.code === 'STORE_TIMEOUT'),
};

/** Builds the `presence:cleanup` schedule. */
export const presenceCleanup = <Ctx>(settings: PresenceSettings<Ctx>, names: PresenceNames): ScheduleDefinition => ({
  name: names.cleanup,
  pattern: settings.cleanupCron,
  retry: cleanupRetry,
  async run({ actions }) {
    // The store removes each row only if it is still expired at delete time,
    // so a heartbeat racing this sweep is never lost.
    const removed = await settings.store.sweep(settings.now(), settings.cleanupBatchSize);
    for (const row of removed) await actions.change(names.table, { op: 'delete', row });
  },
});
