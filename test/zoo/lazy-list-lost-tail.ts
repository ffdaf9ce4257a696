/**
 * An expiry index of linked lists, one per distinct `expiresAt`, filed lazily
 * (a renewal leaves its row where it was filed; the sweep re-files it when
 * that list comes due), as the bundled memory store does. Its unlink moves
 * the list's tail back for any entry that is not the head, so removing an
 * entry from the middle leaves the tail pointing at its predecessor: the next
 * entry linked into that list cuts off the old tail, which no sweep reaches
 * again.
 */
import type { PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

interface Node {
  readonly id: string;
  filedAt: number;
  prev: Node | null;
  next: Node | null;
}

const createLostTailStore = (): PresenceStore => {
  const store = createNaiveStore();
  const nodes = new Map<string, Node>();
  const lists = new Map<number, { head: Node; tail: Node }>();

  const link = (node: Node, key: number): void => {
    node.filedAt = key;
    node.prev = null;
    node.next = null;
    const list = lists.get(key);
    if (list === undefined) lists.set(key, { head: node, tail: node });
    else {
      node.prev = list.tail;
      list.tail.next = node;
      list.tail = node;
    }
  };

  const unlink = (node: Node): void => {
    const { prev, next } = node;
    if (prev !== null) prev.next = next;
    if (next !== null) next.prev = prev;
    const list = lists.get(node.filedAt)!;
    if (prev === null && next === null) lists.delete(node.filedAt);
    else if (prev === null) list.head = next!;
    // The bug: a middle entry moves the tail too (the check for `next === null` is missing).
    else list.tail = prev;
  };

  /** A row just written: filed when new, left where it is filed when renewed. */
  const filed = <T extends PresenceRow | undefined>(row: T): T => {
    if (row !== undefined && !nodes.has(row.id)) {
      const node: Node = { id: row.id, filedAt: row.expiresAt, prev: null, next: null };
      nodes.set(row.id, node);
      link(node, row.expiresAt);
    }
    return row;
  };

  const forget = (id: string): void => {
    const node = nodes.get(id);
    if (node === undefined) return;
    unlink(node);
    nodes.delete(id);
  };

  return {
    ...store,
    upsert: (row) => filed(store.upsert(row) as PresenceRow),
    update: (row) => filed(store.update(row) as PresenceRow | undefined),
    admit: (row, limits) => {
      const admission = store.admit(row, limits) as Awaited<ReturnType<PresenceStore['admit']>>;
      if (admission.admitted) filed(admission.row);
      return admission;
    },
    remove: (id) => {
      forget(id);
      return store.remove(id);
    },
    sweep: (now, limit = Infinity) => {
      const due: PresenceRow[] = [];
      for (const key of [...lists.keys()].sort((left, right) => left - right)) {
        if (key > now) break;
        for (let node = lists.get(key)?.head ?? null; node !== null; ) {
          const next: Node | null = node.next;
          const row = store.get(node.id) as PresenceRow;
          if (row.expiresAt <= now) due.push(row);
          else {
            unlink(node);
            link(node, row.expiresAt);
          }
          node = next;
        }
      }
      due.sort((left, right) => left.expiresAt - right.expiresAt || (left.id < right.id ? -1 : 1));
      return due.slice(0, limit).map((row) => {
        forget(row.id);
        return store.remove(row.id) as PresenceRow;
      });
    },
  };
};

export const lazyListLostTail: ZooSpecimen = {
  name: 'lazy-list-lost-tail',
  bug: "a lazily filed linked-list expiry index moves a list's tail back when an entry leaves from its middle, so the next entry filed there cuts members off",
  caughtBy: STORE.sweep,
  create: createLostTailStore,
};
