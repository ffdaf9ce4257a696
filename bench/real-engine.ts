/**
 * The real engine, when it resolves: `@absolutejs/sync` is an optional peer
 * dependency, so the bench imports it dynamically and runs its engine tables
 * only when it is installed. Nothing here is typed by the package (it may be
 * absent at compile time): the bench declares the four calls it makes.
 *
 * @module
 */
import type { ReferenceEngine } from '../spec/engine/types.js';

/** The engine calls the bench drives: the reference engine's names and signatures, which are the real engine's. */
export type BenchEngine = Pick<ReferenceEngine, 'registerPack' | 'runMutation' | 'hydrate' | 'runSchedule'>;

/** Makes a fresh real engine. */
export type RealEngineFactory = () => BenchEngine;

/** The optional peer, by a name held in a variable so TypeScript does not require its types. */
const REAL_ENGINE = '@absolutejs/sync';

/**
 * Imports `@absolutejs/sync` and returns its `createSyncEngine`, or why it
 * cannot: not installed, or installed without that export.
 */
export const loadRealEngine = async (): Promise<{ create: RealEngineFactory } | { skipped: string }> => {
  let loaded: { createSyncEngine?: unknown };
  try {
    loaded = (await import(REAL_ENGINE)) as { createSyncEngine?: unknown };
  } catch (error) {
    return { skipped: `${REAL_ENGINE} does not resolve (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
  const create = loaded.createSyncEngine;
  if (typeof create !== 'function') return { skipped: `${REAL_ENGINE} resolves but exports no createSyncEngine` };
  return { create: () => (create as RealEngineFactory)() };
};
