/**
 * Run-time checks of what clients send. The engine validates nothing (args
 * are typed only at compile time), so each mutation and subscription parses
 * its input here first and rejects with a `PresenceError` before any write.
 *
 * @module
 */
import { PresenceError } from './errors.js';
import { isPlainObject, jsonStringBytes, measureJson, setKey, snapshotJson, type JsonProblem } from './json.js';
import type { JsonValue, PresenceState } from './row.js';
import type { LentRow } from './store.js';

/** The limits the parsers enforce. */
export interface InputLimits {
  /** Largest state in UTF-8 bytes of its JSON. */
  maxStateBytes: number;
  /** Longest channel. */
  maxChannelLength: number;
  /** Longest session id. */
  maxSessionLength: number;
  /** Deepest nesting of a state (the state object is depth 1). */
  maxStateDepth: number;
}

/** Where in a channel a caller acts: the channel and, optionally, one session. */
export interface ChannelArgs {
  /** The channel. */
  channel: string;
  /** The session, when the client named one. */
  session: string | undefined;
}

/** `presence:heartbeat` args. */
export interface HeartbeatArgs extends ChannelArgs {
  /** New state, or undefined to renew the stored one. */
  state: PresenceState | undefined;
}

/** `presence:cursor` args. */
export interface CursorArgs extends ChannelArgs {
  /** Any JSON; `null` clears the cursor. */
  cursor: JsonValue;
}

/** `presence:typing` args. */
export interface TypingArgs extends ChannelArgs {
  /** Whether the caller is typing. */
  typing: boolean;
}

/** What a value is, for a message: never calls into the value (no getters, toString or traps). */
export const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  try {
    return Array.isArray(value) ? 'an array' : 'an object';
  } catch {
    // A revoked proxy throws even on Array.isArray.
    return 'an unreadable object';
  }
};

/** Why a value is not acceptable JSON, as a message fragment. */
const problemText = (problem: JsonProblem, limits: InputLimits, what: string): string =>
  problem === 'too-deep'
    ? `${what} is nested more than ${limits.maxStateDepth} levels deep (limits.maxStateDepth)`
    : `${what} must be plain JSON (finite numbers, strings, booleans, null, arrays, plain objects; no cycles, no getters that throw)`;

/**
 * One plain snapshot of the fields a call reads: each own field is read once,
 * here, and nothing later reads the caller's object again, so a getter or a
 * proxy cannot show the checks one value and the write another.
 */
const record = <Field extends string>(input: unknown, what: string, fields: readonly Field[]): Record<Field, unknown> => {
  try {
    if (!isPlainObject(input)) throw new PresenceError('INVALID_ARGS', `${what} must be an object; got ${describe(input)}.`);
    const snapshot = {} as Record<Field, unknown>;
    for (const field of fields) snapshot[field] = Object.hasOwn(input, field) ? input[field] : undefined;
    return snapshot;
  } catch (error) {
    if (error instanceof PresenceError) throw error;
    throw new PresenceError('INVALID_ARGS', `${what} could not be read (a getter or proxy trap threw): send a plain object.`, { cause: error });
  }
};

const parseChannel = (value: unknown, limits: InputLimits): string => {
  if (typeof value !== 'string' || value.length === 0) {
    throw new PresenceError('INVALID_CHANNEL', `channel must be a non-empty string; got ${describe(value)}.`);
  }
  if (value.length > limits.maxChannelLength) {
    throw new PresenceError(
      'INVALID_CHANNEL',
      `channel is ${value.length} characters long; the limit is ${limits.maxChannelLength} (limits.maxChannelLength).`,
    );
  }
  return value;
};

const parseSession = (value: unknown, limits: InputLimits): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new PresenceError('INVALID_SESSION', `session must be a string when given; got ${describe(value)}.`);
  }
  if (value.length > limits.maxSessionLength) {
    throw new PresenceError(
      'INVALID_SESSION',
      `session is ${value.length} characters long; the limit is ${limits.maxSessionLength} (limits.maxSessionLength).`,
    );
  }
  return value;
};

const tooLarge = (limits: InputLimits): PresenceError =>
  new PresenceError('STATE_TOO_LARGE', `state is over ${limits.maxStateBytes} bytes of JSON, the limit (limits.maxStateBytes). Send less, or raise the limit.`);

/**
 * A plain copy of a state, checked to be a JSON object within the depth and
 * size limits; the walk stops at the first limit crossed, so a hostile value
 * costs no more than a legal one of the limit's size.
 */
export const checkState = (state: unknown, limits: InputLimits): PresenceState => {
  const snapshot = isPlainObject(state)
    ? snapshotJson(state, { maxDepth: limits.maxStateDepth, maxBytes: limits.maxStateBytes })
    : ({ ok: false, problem: 'not-json' } as const);
  if (snapshot.ok) return snapshot.value as PresenceState;
  if (snapshot.problem === 'too-large') throw tooLarge(limits);
  const kind = isPlainObject(state) ? 'state' : `state (got ${describe(state)})`;
  throw new PresenceError(snapshot.problem === 'too-deep' ? 'STATE_TOO_LARGE' : 'INVALID_STATE', `${problemText(snapshot.problem, limits, kind)}.`);
};

/**
 * {@link checkState} of a patch's merged state, counted from the stored
 * state's known size instead of a walk of all of it: `merged` is
 * `{ ...stored.state, ...patch }` (a fresh top level), its size is
 * `stored.stateBytes` less the values the patch replaces plus what it adds,
 * and of the stored values only those that are objects or arrays are copied
 * (so the state written shares nothing with the loan). The patch's values
 * are checked copies already. Answers `undefined` when the size is unknown,
 * or a stored value is not JSON within the depth limit: the caller then runs
 * the full check, which says what is wrong.
 */
export const checkPatchedState = (merged: PresenceState, stored: LentRow, patch: PresenceState, limits: InputLimits): PresenceState | undefined => {
  const known = stored.stateBytes;
  if (known === undefined) return undefined;
  const old = stored.state;
  const depth = limits.maxStateDepth - 1;
  let bytes = known;
  // `{}` is the only JSON object of 2 bytes: a key added to it takes no comma.
  let empty = known === 2;
  for (const key of Object.keys(patch)) {
    const size = measureJson(patch[key], depth);
    // A stored value is part of a state of `known` bytes: a larger one is a store's mistake, not counted on.
    const replaced = Object.hasOwn(old, key) ? measureJson(old[key], depth, known) : 0;
    if (size === undefined || replaced === undefined) return undefined;
    if (Object.hasOwn(old, key)) bytes += size - replaced;
    else {
      bytes += (empty ? 0 : 1) + jsonStringBytes(key) + 1 + size;
      empty = false;
    }
  }
  if (bytes > limits.maxStateBytes) throw tooLarge(limits);
  for (const key of Object.keys(merged)) {
    const value = merged[key];
    if (Object.hasOwn(patch, key)) continue;
    if (typeof value === 'object' && value !== null) {
      const copy = snapshotJson(value, { maxDepth: depth, maxBytes: Infinity });
      if (!copy.ok) return undefined;
      setKey(merged, key, copy.value);
    } else if (typeof value === 'number' ? !Number.isFinite(value) : value !== null && typeof value !== 'string' && typeof value !== 'boolean') return undefined;
  }
  return merged;
};

/** A plain copy of a cursor: any JSON within the state limits, one level below the state. */
const checkCursor = (cursor: unknown, limits: InputLimits): JsonValue => {
  const snapshot =
    cursor === undefined ? ({ ok: false, problem: 'not-json' } as const) : snapshotJson(cursor, { maxDepth: limits.maxStateDepth - 1, maxBytes: limits.maxStateBytes });
  if (snapshot.ok) return snapshot.value;
  if (snapshot.problem === 'not-json') throw new PresenceError('INVALID_ARGS', `cursor must be a JSON value (null clears it); got ${describe(cursor)}.`);
  throw new PresenceError('STATE_TOO_LARGE', `${problemText(snapshot.problem, limits, 'cursor')}; it is part of the state (limits.maxStateBytes).`);
};

const channelArgs = (fields: { channel: unknown; session: unknown }, limits: InputLimits): ChannelArgs => ({
  channel: parseChannel(fields.channel, limits),
  session: parseSession(fields.session, limits),
});

/** Parses `{ channel, session? }` (leave args). */
export const parseChannelArgs = (input: unknown, limits: InputLimits): ChannelArgs =>
  channelArgs(record(input, 'args', ['channel', 'session']), limits);

/** Parses subscription params `{ channel }`. */
export const parseParams = (input: unknown, limits: InputLimits): { channel: string } => ({
  channel: parseChannel(record(input, 'params', ['channel']).channel, limits),
});

/** Parses `{ channel, state?, session? }`. */
export const parseHeartbeatArgs = (input: unknown, limits: InputLimits): HeartbeatArgs => {
  const fields = record(input, 'args', ['channel', 'session', 'state']);
  // Channel, then session, then state: the order the errors are reported in.
  const channel = parseChannel(fields.channel, limits);
  const session = parseSession(fields.session, limits);
  const state = fields.state;
  return { channel, session, state: state === undefined ? undefined : checkState(state, limits) };
};

/** Parses `{ channel, cursor, session? }`. */
export const parseCursorArgs = (input: unknown, limits: InputLimits): CursorArgs => {
  const fields = record(input, 'args', ['channel', 'session', 'cursor']);
  const cursor = checkCursor(fields.cursor, limits);
  const channel = parseChannel(fields.channel, limits);
  return { channel, session: parseSession(fields.session, limits), cursor };
};

/** Parses `{ channel, typing, session? }`. */
export const parseTypingArgs = (input: unknown, limits: InputLimits): TypingArgs => {
  const fields = record(input, 'args', ['channel', 'session', 'typing']);
  const typing = fields.typing;
  if (typeof typing !== 'boolean') {
    throw new PresenceError('INVALID_ARGS', `typing must be a boolean; got ${describe(typing)}.`);
  }
  const channel = parseChannel(fields.channel, limits);
  return { channel, session: parseSession(fields.session, limits), typing };
};
