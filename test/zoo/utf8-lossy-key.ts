/**
 * Identity parts go through a UTF-8 encoder on the way to the database (as
 * every driver's `Buffer.from(text, 'utf8')` does): a lone surrogate becomes
 * U+FFFD, so `\ud800`, `\udc00` and `\ufffd` are one channel.
 */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import { normalizedKey } from './normalized-key.js';
import type { ZooSpecimen } from './specimen.js';

export const utf8LossyKey: ZooSpecimen = {
  name: 'utf8-lossy-key',
  bug: 'identity parts are encoded as UTF-8 without escaping lone surrogates, which become U+FFFD',
  caughtBy: STORE.ids,
  create: () => createNaiveStore({ keyOf: normalizedKey((part) => Buffer.from(part, 'utf8').toString('utf8')) }),
};
