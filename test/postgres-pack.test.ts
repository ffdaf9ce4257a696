/**
 * The presence pack certified on the PostgreSQL store: every pack invariant
 * of the spec kit, through the reference engine with live subscriptions.
 */
import { describe } from 'vitest';
import { postgresSkipReason } from './servers/postgres.js';
import { usePostgresTables } from './servers/postgres-tables.js';
import { certifyPackEachInvariant } from './servers/store-cases.js';

const skip = postgresSkipReason();

describe.skipIf(skip !== undefined)(skip === undefined ? 'presence pack on the postgres store' : `presence pack on the postgres store (SKIPPED: ${skip})`, () => {
  const db = usePostgresTables('presence_pk');
  certifyPackEachInvariant(() => ({ create: db.create, destroy: db.destroy }));
});
