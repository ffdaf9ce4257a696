/**
 * One session id per browser tab.
 *
 * The id lives in `sessionStorage`, so a reload keeps it (the server sees the
 * same member come back) while another tab gets its own. A duplicated tab (or
 * a `window.open` child) starts with a COPY of its opener's `sessionStorage`,
 * id included; two tabs sharing one id would be one member that flickers and
 * leaves for both. So the live page marks its id as claimed, and clears the
 * mark on `pagehide`: a page that finds the id unclaimed is the same tab
 * reloaded, a page that finds it claimed is a copy and takes a fresh id.
 *
 * @module
 */
import type { PresenceStorage } from './environment.js';

/** A tab's session id, with the claim that tells a reload from a duplicate. */
export interface TabSession {
  /** The session id this tab sends with every presence mutation. */
  readonly id: string;
  /** Marks the id as held by a live page (on start and on `pageshow` from the back/forward cache). */
  claim(): void;
  /** Clears the mark (on `pagehide`), so a reload of this tab keeps its id. */
  release(): void;
}

/** The value stored under the claim key while a page holds the id. */
const CLAIMED = '1';

/** Runs a storage call that may throw (quota, disabled storage); a failure means "no storage". */
const attempt = <T>(call: () => T): T | undefined => {
  try {
    return call();
  } catch {
    return undefined;
  }
};

/**
 * The session of this tab under `key`: the stored id when this is the same
 * tab reloaded, a fresh `randomId()` when there is none or the stored one is
 * claimed by the page this tab was copied from. Claims it at once.
 *
 * @param storage - the tab's `sessionStorage`; without one, every call gets a fresh id
 * @param key - where the id lives (one key per collection and channel)
 * @param randomId - makes a fresh id
 */
export const tabSession = (storage: PresenceStorage | undefined, key: string, randomId: () => string): TabSession => {
  const claimKey = `${key}:claimed`;
  const stored = attempt(() => storage?.getItem(key));
  const copied = attempt(() => storage?.getItem(claimKey)) === CLAIMED;
  const id = typeof stored === 'string' && stored !== '' && !copied ? stored : randomId();
  attempt(() => storage?.setItem(key, id));
  const session: TabSession = {
    id,
    claim: () => void attempt(() => storage?.setItem(claimKey, CLAIMED)),
    release: () => void attempt(() => storage?.removeItem(claimKey)),
  };
  session.claim();
  return session;
};
