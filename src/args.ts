/**
 * Run-time checks of what clients send. The engine validates nothing (args
 * are typed only at compile time), so each mutation and subscription parses
 * its input here first and rejects with a `PresenceError` before any write.
 *
 * @module
 */
import { PresenceError } from './errors.js';
import { isJsonValue, isPlainObject, jsonByteLength } from './json.js';
import type { JsonValue, PresenceState } from './row.js';

/** The limits the parsers enforce. */
export interface InputLimits {
  /** Largest state in UTF-8 bytes of its JSON. */
  maxStateBytes: number;
  /** Longest channel. */
  maxChannelLength: number;
  /** Longest session id. */
  maxSessionLength: number;
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

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;

const record = (input: unknown, what: string): Record<string, unknown> => {
  if (!isPlainObject(input)) {
    throw new PresenceError('INVALID_ARGS', `${what} must be an object; got ${describe(input)}.`);
  }
  return input;
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

/** Checks that a state is a JSON object within the size limit. */
export const checkState = (state: unknown, limits: InputLimits): PresenceState => {
  // One walk both validates and measures: no JSON string is built per heartbeat.
  const bytes = isPlainObject(state) ? jsonByteLength(state) : undefined;
  if (bytes === undefined) {
    throw new PresenceError(
      'INVALID_STATE',
      `state must be a plain JSON object (finite numbers, strings, booleans, null, arrays, objects; no cycles); got ${describe(state)}.`,
    );
  }
  if (bytes > limits.maxStateBytes) {
    throw new PresenceError(
      'STATE_TOO_LARGE',
      `state is ${bytes} bytes of JSON; the limit is ${limits.maxStateBytes} (limits.maxStateBytes). Send less, or raise the limit.`,
    );
  }
  return state as PresenceState;
};

const channelArgs = (fields: Record<string, unknown>, limits: InputLimits): ChannelArgs => ({
  channel: parseChannel(fields['channel'], limits),
  session: parseSession(fields['session'], limits),
});

/** Parses `{ channel, session? }` (leave args). */
export const parseChannelArgs = (input: unknown, limits: InputLimits): ChannelArgs =>
  channelArgs(record(input, 'args'), limits);

/** Parses subscription params `{ channel }`. */
export const parseParams = (input: unknown, limits: InputLimits): { channel: string } => ({
  channel: parseChannel(record(input, 'params')['channel'], limits),
});

/** Parses `{ channel, state?, session? }`. */
export const parseHeartbeatArgs = (input: unknown, limits: InputLimits): HeartbeatArgs => {
  const fields = record(input, 'args');
  // Channel, then session, then state: the order the errors are reported in.
  const channel = parseChannel(fields['channel'], limits);
  const session = parseSession(fields['session'], limits);
  const state = fields['state'];
  return { channel, session, state: state === undefined ? undefined : checkState(state, limits) };
};

/** Parses `{ channel, cursor, session? }`. */
export const parseCursorArgs = (input: unknown, limits: InputLimits): CursorArgs => {
  const fields = record(input, 'args');
  const cursor = fields['cursor'];
  if (cursor === undefined || !isJsonValue(cursor)) {
    throw new PresenceError('INVALID_ARGS', `cursor must be a JSON value (null clears it); got ${describe(cursor)}.`);
  }
  const channel = parseChannel(fields['channel'], limits);
  return { channel, session: parseSession(fields['session'], limits), cursor };
};

/** Parses `{ channel, typing, session? }`. */
export const parseTypingArgs = (input: unknown, limits: InputLimits): TypingArgs => {
  const fields = record(input, 'args');
  const typing = fields['typing'];
  if (typeof typing !== 'boolean') {
    throw new PresenceError('INVALID_ARGS', `typing must be a boolean; got ${describe(typing)}.`);
  }
  const channel = parseChannel(fields['channel'], limits);
  return { channel, session: parseSession(fields['session'], limits), typing };
};
