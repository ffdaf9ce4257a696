/**
 * One judge per pack invariant. A judge looks at one step and says what broke,
 * ignoring everything its invariant does not cover, so each failure is
 * reported under the one rule it breaks.
 *
 * @module
 */
import { isCurrentlyTyping } from '../../src/machine.js';
import type { PresenceRow } from '../../src/row.js';
import { deepEqual, sameRows, show, showRows } from '../equal.js';
import { PACK, type PackInvariantId } from './ids.js';
import { PackModel } from './model.js';
import { describeError, errorCode, type Judge, type Step } from './step.js';

const byId = (rows: readonly PresenceRow[]): Map<string, PresenceRow> => new Map(rows.map((row) => [row.id, row]));

/** Rows of one scope and channel. */
const within = (rows: readonly PresenceRow[], scope: string, channel: string): PresenceRow[] =>
  rows.filter((row) => row.scope === scope && row.channel === channel);

/** The first row in `rows` outside `scope`/`channel`, as text. */
const stray = (rows: readonly PresenceRow[], scope: string, channel: string): string | undefined => {
  const row = rows.find((candidate) => candidate.scope !== scope || candidate.channel !== channel);
  return row === undefined ? undefined : show(row);
};

/** What the outcome says against what the model expected, or undefined when they agree. */
const outcomeMismatch = (step: Step): string | undefined => {
  const { expected, outcome } = step;
  if (expected === undefined) return undefined;
  if (expected.ok && !outcome.ok) return `expected success, got ${describeError(outcome.error)}`;
  if (!expected.ok && outcome.ok) return `expected a PresenceError ${expected.code}, but it succeeded`;
  if (!expected.ok && !outcome.ok && errorCode(outcome.error) !== expected.code) {
    return `expected a PresenceError ${expected.code}, got ${describeError(outcome.error)}`;
  }
  return undefined;
};

/** A leave's reported count against the model's, or undefined when they agree (or it is no leave). */
const removedMismatch = (step: Step): string | undefined => {
  if (step.expected?.ok !== true || step.expected.removed === undefined || !step.outcome.ok) return undefined;
  const removed = (step.outcome.value as { removed?: unknown } | undefined)?.removed;
  return removed === step.expected.removed ? undefined : `the leave reported ${show(step.outcome.value)}, expected { removed: ${step.expected.removed} }`;
};

/**
 * A stored row `isCurrentlyTyping` reads wrongly, as text: at `now`, and at
 * the row's own `typingExpiresAt` and 1 ms either side, the instant typing
 * lapses, which the clock seldom lands on.
 */
const typingMisread = (rows: readonly PresenceRow[], now: number): string | undefined => {
  for (const row of rows) {
    const until = row.state['typingExpiresAt'];
    const instants = typeof until === 'number' ? [now, until - 1, until, until + 1] : [now];
    const at = instants.find((instant) => isCurrentlyTyping(row, instant) !== PackModel.typing(row, instant));
    if (at !== undefined) return `isCurrentlyTyping(${show(row)}, ${at}) is ${isCurrentlyTyping(row, at)}`;
  }
  return undefined;
};

const semantics: Judge = async (step, world) => {
  if (step.kind === 'bad-input') return undefined;
  const mismatch = outcomeMismatch(step) ?? removedMismatch(step);
  if (mismatch !== undefined && step.kind !== 'subscribe') return mismatch;
  if (!sameRows(step.after, step.modelAfter)) return `stored rows ${showRows(step.after)}, expected ${showRows(step.modelAfter)}`;
  return typingMisread(step.after, world.now);
};

const scope: Judge = async (step, world) => {
  for (const { key, rows, diffs } of world.takeViews()) {
    const leaked = stray(rows, key.scope, key.channel) ?? stray(diffs.flatMap((diff) => [...diff.added, ...diff.changed, ...diff.removed]), key.scope, key.channel);
    if (leaked !== undefined) return `a subscriber of ${key.scope}/${key.channel} received ${leaked}`;
  }
  if (step.kind === 'subscribe' && step.outcome.ok && step.caller !== undefined) {
    const leaked = stray(step.outcome.value as PresenceRow[], step.caller.scope, step.channel ?? '');
    if (leaked !== undefined) return `a new subscription of ${step.caller.scope}/${step.channel} started with ${leaked}`;
  }
  for (const key of world.keys()) {
    const leaked = stray(await world.members(key), key.scope, key.channel);
    if (leaked !== undefined) return `a hydrate of ${key.scope}/${key.channel} returned ${leaked}`;
  }
  return undefined;
};

const actor: Judge = async (step) => {
  if ((step.kind !== 'mutation' && step.kind !== 'attack') || step.caller === undefined) return undefined;
  const { caller } = step;
  const mine = (row: PresenceRow | undefined) => row !== undefined && row.actorId === caller.actor && row.scope === caller.scope;
  const before = byId(step.before);
  const after = byId(step.after);
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    const [old, now] = [before.get(id), after.get(id)];
    if (!mine(old) && !mine(now) && !deepEqual(old, now)) {
      return `${caller.actor}@${caller.scope} changed another actor's row: ${show(old)} became ${show(now)}`;
    }
    if (mine(old) !== mine(now) && old !== undefined && now !== undefined) return `a row changed owner: ${show(old)} became ${show(now)}`;
  }
  const value = step.outcome.ok ? (step.outcome.value as Partial<PresenceRow> | undefined) : undefined;
  if (value !== undefined && typeof value.actorId === 'string' && !mine(value as PresenceRow)) {
    return `the mutation returned a row of ${value.actorId}@${String(value.scope)}`;
  }
  return undefined;
};

const ttl: Judge = async (step) => {
  const before = byId(step.before);
  for (const row of step.after) {
    const old = before.get(row.id);
    if (old !== undefined && row.expiresAt < old.expiresAt) return `expiresAt of ${row.id} fell from ${old.expiresAt} to ${row.expiresAt}`;
  }
  return undefined;
};

const expired: Judge = async (step, world) => {
  const { now } = world;
  const dead = (rows: readonly PresenceRow[]) => rows.find((row) => row.expiresAt <= now);
  if (step.kind === 'subscribe' && step.outcome.ok) {
    const row = dead(step.outcome.value as PresenceRow[]);
    if (row !== undefined) return `a new subscription at now=${now} started with the expired row ${show(row)}`;
  }
  for (const key of world.keys()) {
    const row = dead(await world.members(key));
    if (row !== undefined) return `a hydrate of ${key.scope}/${key.channel} at now=${now} returned the expired row ${show(row)}`;
  }
  return undefined;
};

const converge: Judge = async (step, world) => {
  const { now } = world;
  // A one-shot hydrate must list the live rows too: a view opened on an empty store never shows a hydrate that lists nothing.
  for (const key of world.keys()) {
    const expected = within(step.modelAfter, key.scope, key.channel).filter((row) => row.expiresAt > now);
    const hydrated = await world.members(key);
    if (!sameRows(hydrated, expected)) return `a hydrate of ${key.scope}/${key.channel} at now=${now} returned ${showRows(hydrated)}, expected ${showRows(expected)}`;
  }
  for (const { key, rows } of world.takeViews()) {
    const expected = within(step.modelAfter, key.scope, key.channel);
    const live = (list: readonly PresenceRow[]) => list.filter((row) => row.expiresAt > now);
    if (!sameRows(live(rows), live(expected))) {
      return `the subscriber of ${key.scope}/${key.channel} sees live rows ${showRows(live(rows))}, expected ${showRows(live(expected))}`;
    }
    if (step.kind === 'cleanup' && step.outcome.ok && !sameRows(rows, expected)) {
      return `after cleanup the subscriber of ${key.scope}/${key.channel} holds ${showRows(rows)}, expected ${showRows(expected)}`;
    }
  }
  return undefined;
};

const acl: Judge = async (step) => {
  if (step.expected === undefined || step.caller === undefined) return undefined;
  const denied = !step.expected.ok && step.expected.code === 'CHANNEL_DENIED';
  const code = step.outcome.ok ? undefined : errorCode(step.outcome.error);
  if (denied && code !== 'CHANNEL_DENIED') {
    return `${step.caller.actor} is not admitted to ${step.channel}, but the call ${step.outcome.ok ? 'succeeded' : `failed with ${describeError(step.outcome.error)}`}`;
  }
  if (denied && !sameRows(step.before, step.after)) return `a denied call changed the store to ${showRows(step.after)}`;
  if (!denied && code === 'CHANNEL_DENIED') return `${step.caller.actor} is admitted to ${step.channel}, but was denied`;
  return undefined;
};

const input: Judge = async (step, world) => {
  // Drain the views every step, so only this step's diffs are judged below.
  const pushed = world.takeViews().flatMap(({ diffs }) => diffs);
  if (step.kind !== 'bad-input') return undefined;
  if (step.outcome.ok) return `malformed args were accepted (returned ${show(step.outcome.value)})`;
  if (errorCode(step.outcome.error) === undefined) return `malformed args were rejected with ${describeError(step.outcome.error)}, not a PresenceError with a code`;
  if (!sameRows(step.before, step.after)) return `a rejected call changed the store to ${showRows(step.after)}`;
  if (pushed.length > 0) return `a rejected call pushed ${show(pushed)}`;
  return undefined;
};

/**
 * Under injected faults: a failed call is a `STORE_UNAVAILABLE` (or the
 * model's own error), and every row is either as before or as the model says
 * after; a successful call matches the model exactly.
 */
const faults: Judge = async (step) => {
  if (step.kind === 'clock') return undefined;
  if (!step.outcome.ok) {
    const code = errorCode(step.outcome.error);
    const own = step.expected !== undefined && !step.expected.ok ? step.expected.code : undefined;
    const allowedCodes = step.kind === 'bad-input' ? [code] : ['STORE_UNAVAILABLE', own];
    if (code === undefined || !allowedCodes.includes(code)) return `a store fault surfaced as ${describeError(step.outcome.error)}`;
    const before = byId(step.before);
    const after = byId(step.after);
    const model = byId(step.modelAfter);
    for (const id of new Set([...before.keys(), ...after.keys(), ...model.keys()])) {
      const row = after.get(id);
      if (!deepEqual(row, before.get(id)) && !deepEqual(row, model.get(id))) return `a failed call half-wrote ${id}: ${show(row)}`;
    }
    return undefined;
  }
  if (step.kind === 'bad-input' || step.kind === 'subscribe') return undefined;
  return sameRows(step.after, step.modelAfter) ? undefined : `stored rows ${showRows(step.after)}, expected ${showRows(step.modelAfter)}`;
};

/** The judge of each model-based pack invariant. */
export const JUDGES: Record<Exclude<PackInvariantId, typeof PACK.prefix | typeof PACK.raceCleanup | typeof PACK.racePatchLeave | typeof PACK.cleanupRetry | typeof PACK.cluster>, Judge> = {
  [PACK.semantics]: semantics,
  [PACK.scope]: scope,
  [PACK.actor]: actor,
  [PACK.ttl]: ttl,
  [PACK.expired]: expired,
  [PACK.converge]: converge,
  [PACK.acl]: acl,
  [PACK.input]: input,
  [PACK.faults]: faults,
};
