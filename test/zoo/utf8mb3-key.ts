/**
 * MySQL's legacy `utf8` (utf8mb3) charset holds at most three bytes per
 * character: in non-strict mode every astral character (emoji) is stored as
 * `?`, so two channels named by different emoji collide.
 */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import { normalizedKey } from './normalized-key.js';
import type { ZooSpecimen } from './specimen.js';

export const utf8mb3Key: ZooSpecimen = {
  name: 'utf8mb3-key',
  bug: 'astral characters in identity parts are replaced by `?` (MySQL utf8mb3)',
  caughtBy: STORE.ids,
  create: () => createNaiveStore({ keyOf: normalizedKey((part) => part.replace(/[\u{10000}-\u{10FFFF}]/gu, '?')) }),
};
