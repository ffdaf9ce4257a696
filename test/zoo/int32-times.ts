/**
 * `expires_at` and `heartbeat_at` are `INT` columns (or go through `| 0` in
 * the client): 32-bit integers, so epoch-millisecond times wrap. Fine in a
 * test whose clock starts at 0; wrong for every real timestamp.
 */
import type { PresenceRow } from '../../src/row.js';
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

const int32Times = (row: PresenceRow): PresenceRow => ({ ...structuredClone(row), expiresAt: row.expiresAt | 0, heartbeatAt: row.heartbeatAt | 0 });

export const int32TimesStore: ZooSpecimen = {
  name: 'int32-times',
  bug: 'times are stored as 32-bit integers, so epoch milliseconds wrap',
  caughtBy: STORE.getAfterUpsert,
  create: () => createNaiveStore({ copy: int32Times }),
};
