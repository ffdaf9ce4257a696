/**
 * Broken loans (the optional `lend`): a store that saves the allocation by
 * lending one scratch row, one that caches what it lent, and three whose
 * loans carry a wrong state size (`stateBytes`).
 */
import { STORE } from '../../spec/store/ids.js';
import type { PresenceRow } from '../../src/row.js';
import type { Admission, PresenceStore } from '../../src/store.js';
import { createNaiveStore, createNaiveStoreWith, type NaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const lendScratchRow: ZooSpecimen = {
  name: 'lend-scratch-row',
  bug: 'lend fills one scratch row and lends it every time, so lending another id changes the row a caller still reads',
  caughtBy: STORE.lend,
  create: () => {
    const store = createNaiveStore();
    let scratch: PresenceRow | undefined;
    return {
      ...store,
      lend: (id: string) => {
        const row = store.parts.byKey.get(id);
        if (row === undefined) return undefined;
        scratch = Object.assign(scratch ?? ({} as PresenceRow), row);
        return scratch;
      },
    };
  },
};

export const lendStaleCache: ZooSpecimen = {
  name: 'lend-stale-cache',
  bug: 'lend caches the row it first lent and serves it until the row is removed, so a loan after a write reads the old version',
  caughtBy: STORE.lend,
  create: () => {
    const store = createNaiveStore();
    const lent = new Map<string, PresenceRow>();
    return {
      ...store,
      remove: (id: string) => {
        lent.delete(id);
        return store.remove(id);
      },
      lend: (id: string) => {
        const row = store.parts.byKey.get(id);
        if (row === undefined) return undefined;
        if (!lent.has(id)) lent.set(id, row);
        return lent.get(id);
      },
    };
  },
};

/** UTF-8 bytes of a state's JSON. */
const bytesOf = (state: PresenceRow['state']): number => Buffer.byteLength(JSON.stringify(state), 'utf8');

/**
 * The naive store lending its rows with a size it keeps per id: `keep` is
 * told of every row a write stored (it decides what to remember), and a
 * removed or swept row is forgotten. The naive store answers synchronously.
 */
const sizedLoans = (keep: (sizes: Map<string, number>, row: PresenceRow) => void) =>
  createNaiveStoreWith((base: NaiveStore): Partial<PresenceStore> => {
    const sizes = new Map<string, number>();
    return {
      upsert: (row) => {
        const stored = base.upsert(row) as PresenceRow;
        keep(sizes, row);
        return stored;
      },
      admit: (row, limits) => {
        const admission = base.admit(row, limits) as Admission;
        if (admission.admitted) keep(sizes, row);
        return admission;
      },
      update: (row) => {
        const stored = base.update(row) as PresenceRow | undefined;
        if (stored !== undefined) keep(sizes, row);
        return stored;
      },
      remove: (id) => {
        sizes.delete(id);
        return base.remove(id);
      },
      sweep: (now, limit) => {
        const removed = base.sweep(now, limit) as PresenceRow[];
        for (const row of removed) sizes.delete(row.id);
        return removed;
      },
      lend: (id) => {
        const row = base.parts.byKey.get(id);
        return row && { ...row, stateBytes: sizes.get(id)! };
      },
    };
  });

export const lendBytesFirstWrite: ZooSpecimen = {
  name: 'lend-bytes-first-write',
  bug: 'a loan carries the state size measured when the row was inserted, never updated by a later write that changes the state',
  caughtBy: STORE.lendBytes,
  create: sizedLoans((sizes, row) => {
    if (!sizes.has(row.id)) sizes.set(row.id, bytesOf(row.state));
  }),
};

export const lendBytesOfLoser: ZooSpecimen = {
  name: 'lend-bytes-of-loser',
  bug: 'a loan carries the size of the last state written to the row, even when that write lost to a newer heartbeat and the stored state stayed',
  caughtBy: STORE.lendBytes,
  create: sizedLoans((sizes, row) => sizes.set(row.id, bytesOf(row.state))),
};

export const lendBytesUtf16: ZooSpecimen = {
  name: 'lend-bytes-utf16',
  bug: "a loan's state size counts the JSON's UTF-16 code units (`JSON.stringify(state).length`), not its UTF-8 bytes",
  caughtBy: STORE.lendBytes,
  create: () => {
    const store = createNaiveStore();
    return {
      ...store,
      lend: (id: string) => {
        const row = store.parts.byKey.get(id);
        return row && { ...row, stateBytes: JSON.stringify(row.state).length };
      },
    };
  },
};
