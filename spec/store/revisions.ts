/**
 * Edits of a stored state, the way a patch or a client revises its own
 * presence: the new state shares almost all of its structure with the stored
 * one and differs only at its innermost level, by a key added at the end, a
 * leaf changed, the last key dropped, or an array swapped for an object with
 * the same keys. A store that merges states in place, or skips a write that
 * "looks the same", gets exactly these wrong.
 *
 * @module
 */
import type { JsonValue, PresenceState } from '../../src/row.js';

/**
 * What a revision does: to the top level, or (`-deep`) to the innermost
 * container, reached by following the last key that holds one. `array-object`
 * turns the innermost container into the other kind with the same keys, or
 * adds a list when the state nests nothing.
 */
export type Revision = 'append' | 'append-deep' | 'change-deep' | 'drop-last' | 'drop-last-deep' | 'array-object';

/** Every revision, for generators. */
export const REVISIONS: readonly Revision[] = ['append', 'append-deep', 'change-deep', 'drop-last', 'drop-last-deep', 'array-object'];

type Container = Record<string, JsonValue> | JsonValue[];

const isContainer = (value: JsonValue | undefined): value is Container => typeof value === 'object' && value !== null;

/** The container reached by following, from `value`, the last key holding a container, with its parent and key. */
const innermost = (value: Container): { node: Container; parent?: Container; key?: string } => {
  let found: { node: Container; parent?: Container; key?: string } = { node: value };
  for (;;) {
    const keys = Object.keys(found.node);
    const key = [...keys].reverse().find((name) => isContainer((found.node as Record<string, JsonValue>)[name]));
    if (key === undefined) return found;
    found = { node: (found.node as Record<string, JsonValue>)[key] as Container, parent: found.node, key };
  }
};

/** A leaf that differs from `value` in value or kind. */
const changed = (value: JsonValue | undefined): JsonValue => {
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'string') return `${value}!`;
  if (typeof value === 'boolean') return !value;
  return value === null ? 0 : null;
};

const append = (node: Container): void => {
  if (Array.isArray(node)) node.push(0);
  else node[`k${Object.keys(node).length}`] = 0;
};

const dropLast = (node: Container): void => {
  if (Array.isArray(node)) node.pop();
  else delete node[Object.keys(node).at(-1) ?? ''];
};

/** `state` revised by `revision`, as a fresh copy (the stored state is left alone). */
export const revise = (state: PresenceState, revision: Revision): PresenceState => {
  const copy = structuredClone(state);
  const deepest = innermost(copy);
  const node = deepest.node as Record<string, JsonValue>;
  if (revision === 'append') append(copy);
  else if (revision === 'append-deep') append(deepest.node);
  else if (revision === 'drop-last') dropLast(copy);
  else if (revision === 'drop-last-deep') dropLast(deepest.node);
  else if (revision === 'change-deep') {
    const last = Object.keys(node).at(-1);
    if (last === undefined) append(deepest.node);
    else node[last] = changed(node[last]);
  } else if (deepest.parent !== undefined) {
    // The same keys under the same name, as the other kind of container.
    const swapped = Array.isArray(deepest.node) ? Object.fromEntries(Object.entries(deepest.node)) : Object.values(deepest.node);
    (deepest.parent as Record<string, JsonValue>)[deepest.key!] = swapped;
  } else copy['list'] = ['a', 'b'];
  return copy;
};
