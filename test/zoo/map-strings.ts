/** Rewrites every string inside a state, as a lossy text column or encoding would. */
import type { JsonValue, PresenceRow } from '../../src/row.js';

const mapValue = (value: JsonValue, rewrite: (text: string) => string): JsonValue => {
  if (typeof value === 'string') return rewrite(value);
  if (Array.isArray(value)) return value.map((item) => mapValue(item, rewrite));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [rewrite(key), mapValue(inner, rewrite)]));
  }
  return value;
};

/** A deep copy of `row` whose state keys and strings went through `rewrite`. */
export const rewriteStrings =
  (rewrite: (text: string) => string) =>
  (row: PresenceRow): PresenceRow => ({ ...structuredClone(row), state: mapValue(row.state, rewrite) as PresenceRow['state'] });
