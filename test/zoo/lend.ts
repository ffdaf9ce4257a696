/**
 * Two broken loans (the optional `lend`): a store that saves the allocation
 * by lending one scratch row, and one that caches what it lent.
 */
import { STORE } from '../../spec/store/ids.js';
import type { PresenceRow } from '../../src/row.js';
import { createNaiveStore } from './naive-store.js';
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
