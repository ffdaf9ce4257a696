/**
 * Structural equality for rows and JSON state, and the canonical text the kit
 * prints them with. Object key order is ignored on purpose: stores backed by
 * JSONB or hashes legitimately hand keys back in another order.
 *
 * @module
 */
import type { PresenceRow } from '../src/row.js';

/**
 * Whether two JSON-like values are equal as JSON: objects compare by key set,
 * arrays by position, and `-0` equals `0` because JSON text cannot tell them
 * apart (a store that serialises state hands `-0` back as `0`).
 */
export const deepEqual = (left: unknown, right: unknown): boolean => {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => deepEqual(item, right[index]));
  }
  const leftRecord = left as Record<string, unknown>;
  const rightRecord = right as Record<string, unknown>;
  const leftKeys = Object.keys(leftRecord);
  if (leftKeys.length !== Object.keys(rightRecord).length) return false;
  return leftKeys.every((key) => Object.hasOwn(rightRecord, key) && deepEqual(leftRecord[key], rightRecord[key]));
};

/** Whether two row lists hold the same rows, in any order. */
export const sameRows = (left: readonly PresenceRow[], right: readonly PresenceRow[]): boolean => {
  if (left.length !== right.length) return false;
  const byId = (rows: readonly PresenceRow[]) => [...rows].sort((a, b) => compareText(String(a?.id), String(b?.id)));
  const sortedRight = byId(right);
  return byId(left).every((row, index) => deepEqual(row, sortedRight[index]));
};

/** Code-unit order, so sorting never depends on the locale. */
const compareText = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0);

/** Canonical one-line text of a value for failure messages (`undefined` spelled out). */
export const show = (value: unknown): string => (value === undefined ? 'undefined' : JSON.stringify(value));

/** Canonical text of a row list, sorted by id so two listings diff cleanly. */
export const showRows = (rows: readonly PresenceRow[]): string =>
  show([...rows].sort((a, b) => compareText(String(a?.id), String(b?.id))));
