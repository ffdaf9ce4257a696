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

/** Where the engine lives: the documented subpath first, then the package root. Held in variables so TypeScript does not require the peer's types. */
const SPECIFIERS = ['@absolutejs/sync/engine', '@absolutejs/sync'] as const;

/**
 * Imports `@absolutejs/sync` and returns its `createSyncEngine`, or why it
 * cannot: not installed, or installed without that export.
 */
export const loadRealEngine = async (): Promise<{ create: RealEngineFactory } | { skipped: string }> => {
  const failures: string[] = [];
  for (const specifier of SPECIFIERS) {
    let loaded: { createSyncEngine?: unknown };
    try {
      loaded = (await import(specifier)) as { createSyncEngine?: unknown };
    } catch (error) {
      failures.push(`${specifier}: ${error instanceof Error ? error.message.split('\n')[0]! : String(error)}`);
      continue;
    }
    const create = loaded.createSyncEngine;
    if (typeof create === 'function') return { create: () => (create as RealEngineFactory)() };
    failures.push(`${specifier} resolves but exports no createSyncEngine`);
  }
  return { skipped: `@absolutejs/sync does not resolve (${failures.join('; ')})` };
};
