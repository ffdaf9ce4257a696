/**
 * Borrowing a fresh store from the subject for one run, and always giving it
 * back, pass or fail.
 *
 * @module
 */
import type { PresenceStore } from '../../src/store.js';
import type { StoreSubject } from '../invariant.js';

/** Runs `body` with a fresh store and destroys the store afterwards. */
export const withStore = async <T>(subject: StoreSubject, body: (store: PresenceStore) => Promise<T>): Promise<T> => {
  const store = await subject.create();
  try {
    return await body(store);
  } finally {
    await subject.destroy?.(store);
  }
};
