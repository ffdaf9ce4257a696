/**
 * The wire form of a `ClusterMessage` for the reference buses: JSON, made
 * pure ASCII so any byte limit is a character limit and no transport can
 * mangle a string (lone surrogates and NUL are escapes, never raw bytes),
 * with bigints (a row key may be one) tagged so they come back as bigints.
 *
 * Tagging is unambiguous: a bigint is `{"$bigint":"<digits>"}`, and any
 * object of the message that itself has a `$bigint` or `$entries` key is
 * sent as `{"$entries":[[key, value], ...]}`, so a decoded tag can only
 * come from the encoder.
 *
 * @module
 */
import type { ClusterMessage } from '../../spec/engine/cluster.js';

const BIGINT = '$bigint';
const ENTRIES = '$entries';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function tag(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return { [BIGINT]: value.toString() };
  if (isPlainObject(value) && (Object.hasOwn(value, BIGINT) || Object.hasOwn(value, ENTRIES))) return { [ENTRIES]: Object.entries(value) };
  return value;
}

const untag = (_key: string, value: unknown): unknown => {
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1) return value;
  if (keys[0] === BIGINT && typeof value[BIGINT] === 'string') return BigInt(value[BIGINT]);
  if (keys[0] === ENTRIES && Array.isArray(value[ENTRIES])) return Object.fromEntries(value[ENTRIES] as [string, unknown][]);
  return value;
};

const escapeNonAscii = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Encodes a batch as ASCII JSON (non-ASCII, NUL and lone surrogates as `\u` escapes). */
export const encodeClusterMessage = (message: ClusterMessage): string =>
  // Outside strings JSON is ASCII already, so every match is inside a string literal.
  JSON.stringify(message, tag).replace(/[\u007f-\uffff]/g, escapeNonAscii);

/** A payload on the bus that is not a batch. */
export class ClusterMessageDecodeError extends Error {
  /** Stable reason. */
  readonly code = 'BAD_CLUSTER_MESSAGE';

  /** @param detail - what was wrong with the payload */
  constructor(detail: string) {
    super(`[BAD_CLUSTER_MESSAGE] ${detail}; only encodeClusterMessage output belongs on a cluster bus channel`);
    this.name = 'ClusterMessageDecodeError';
  }
}

/** Decodes {@link encodeClusterMessage} output; throws {@link ClusterMessageDecodeError} on anything else. */
export const decodeClusterMessage = (text: string): ClusterMessage => {
  let value: unknown;
  try {
    value = JSON.parse(text, untag);
  } catch (error) {
    throw new ClusterMessageDecodeError(`payload is not JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(value) || typeof value.origin !== 'string' || !Array.isArray(value.changes)) {
    throw new ClusterMessageDecodeError('payload has no string `origin` and array `changes`');
  }
  return value as unknown as ClusterMessage;
};

/** Decodes and delivers one payload; a bad one goes to `onError`, never to the engine. */
export const deliverPayload = (payload: string, onMessage: (message: ClusterMessage) => void, onError: (error: unknown) => void): void => {
  let message: ClusterMessage;
  try {
    message = decodeClusterMessage(payload);
  } catch (error) {
    onError(error);
    return;
  }
  onMessage(message);
};
