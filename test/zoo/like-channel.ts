/**
 * channel() matches with SQL `LIKE` instead of `=`: `%` and `_` in a channel
 * name are wildcards, and SQLite's `LIKE` also ignores ASCII case. The SQLite
 * store written from docs/STORES.md with `WHERE channel LIKE ?` did exactly this.
 */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

/** SQLite `LIKE`: `%` any run, `_` any one character, ASCII case folded, no escape character. */
const like = (value: string, pattern: string): boolean => {
  const source = [...pattern].map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'isu').test(value);
};

export const likeChannel: ZooSpecimen = {
  name: 'like-channel',
  bug: 'channel() filters with SQLite `channel LIKE ?`, so `r%` lists `room` and `Room` lists `room`',
  caughtBy: STORE.channel,
  create: () => createNaiveStore({ inChannel: (row, scope, channel) => row.scope === scope && like(row.channel, channel) }),
};
