/**
 * Per-subscription netting of one batch (ENGINE_CONTRACT.md §2): add then
 * remove cancels, remove then add becomes `changed`, add then update stays
 * `added` with the latest row, update then remove becomes `removed`.
 *
 * @module
 */
import type { RowKey } from '../../src/contract.js';
import type { ViewDiff } from './types.js';

type Entry = { kind: 'added' | 'changed' | 'removed'; row: unknown };

/** The netted effect of a batch on one subscription's view, by key. */
export class DiffAccumulator {
  private readonly entries = new Map<RowKey, Entry>();

  /**
   * A row entered the view.
   *
   * @param key - its key
   * @param row - the row now held
   */
  add(key: RowKey, row: unknown): void {
    const kind = this.entries.get(key)?.kind === 'removed' ? 'changed' : 'added';
    this.entries.set(key, { kind, row });
  }

  /**
   * A row already in the view was replaced.
   *
   * @param key - its key
   * @param row - the row now held
   */
  change(key: RowKey, row: unknown): void {
    const kind = this.entries.get(key)?.kind === 'added' ? 'added' : 'changed';
    this.entries.set(key, { kind, row });
  }

  /**
   * A row left the view.
   *
   * @param key - its key
   * @param row - the row the view held
   */
  remove(key: RowKey, row: unknown): void {
    if (this.entries.get(key)?.kind === 'added') this.entries.delete(key);
    else this.entries.set(key, { kind: 'removed', row });
  }

  /**
   * The batch's net effect, in first-touch key order.
   *
   * @returns the netted rows by kind, or `undefined` when nothing changed
   */
  result(): ViewDiff | undefined {
    if (this.entries.size === 0) return undefined;
    const diff: ViewDiff = { added: [], changed: [], removed: [] };
    for (const { kind, row } of this.entries.values()) diff[kind].push(row);
    return diff;
  }
}

/**
 * The refetch comparison: same own enumerable keys with `Object.is` values;
 * non-objects compare with `Object.is`.
 *
 * @param a - old row
 * @param b - new row
 * @returns whether the rows count as unchanged
 */
export function shallowEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every(
    (k) => Object.prototype.hasOwnProperty.call(b, k) && Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/**
 * Records into `acc` how `before` became `after` (refetch and re-hydrate).
 *
 * @param before - the view as held
 * @param after - the freshly hydrated view
 * @param acc - the batch's accumulator for this subscription
 */
export function diffViews(before: Map<RowKey, unknown>, after: Map<RowKey, unknown>, acc: DiffAccumulator): void {
  for (const [key, row] of before) if (!after.has(key)) acc.remove(key, row);
  for (const [key, row] of after) {
    if (!before.has(key)) acc.add(key, row);
    else if (!shallowEqual(before.get(key), row)) acc.change(key, row);
  }
}
