/**
 * Typed errors: every rejection carries a stable `code` and a message that
 * says what to fix.
 *
 * The engine's socket layer sends a client only `error.message` (a `reject`
 * frame for a mutation, an `error` frame for a subscribe), never `code`. So
 * every message starts with its code in brackets, `[NOT_PRESENT] ...`, and
 * {@link presenceErrorCode} reads it back on the other side.
 *
 * @module
 */

/** Why a mutation, subscription or store call was rejected. */
export type PresenceErrorCode =
  | 'INVALID_ARGS'
  | 'INVALID_CHANNEL'
  | 'INVALID_SESSION'
  | 'INVALID_STATE'
  | 'STATE_TOO_LARGE'
  | 'MISSING_ACTOR'
  | 'INVALID_SCOPE'
  | 'CHANNEL_DENIED'
  | 'CHANNEL_FULL'
  | 'NOT_PRESENT'
  | 'STORE_UNAVAILABLE'
  | 'STORE_TIMEOUT'
  | 'INVALID_CLOCK';

/** Every code, as a lookup; a code added to the union without a line here is a compile error. */
const PRESENCE_ERROR_CODES: Readonly<Record<PresenceErrorCode, true>> = {
  INVALID_ARGS: true,
  INVALID_CHANNEL: true,
  INVALID_SESSION: true,
  INVALID_STATE: true,
  STATE_TOO_LARGE: true,
  MISSING_ACTOR: true,
  INVALID_SCOPE: true,
  CHANNEL_DENIED: true,
  CHANNEL_FULL: true,
  NOT_PRESENT: true,
  STORE_UNAVAILABLE: true,
  STORE_TIMEOUT: true,
  INVALID_CLOCK: true,
};

/** The one place the `[CODE] ` prefix is written. */
const withCode = (code: string, message: string): string => `[${code}] ${message}`;

/**
 * A rejected presence operation. The store is unchanged, except after
 * `STORE_TIMEOUT`: the store did not answer within its deadline, so the call
 * may still land (outcome unknown); every presence write is safe to retry.
 */
export class PresenceError extends Error {
  /** Stable machine-readable reason. */
  readonly code: PresenceErrorCode;

  /**
   * Creates the error; its `message` is `[<code>] <message>`.
   * @param code - stable reason
   * @param message - what went wrong and what to fix
   * @param options - the underlying cause, if any
   */
  constructor(code: PresenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(withCode(code, message), options);
    this.name = 'PresenceError';
    this.code = code;
  }
}

/**
 * A leading code, optionally behind the engine's own retry wrapper
 * (`retries exhausted after <n> attempts (<ms>ms): `), which is the only
 * text the engine ever puts in front of a handler's message. Only the start
 * of the message counts: client input quoted later in a message cannot
 * forge a code.
 */
const LEADING_CODE = /^(?:retries exhausted after \d+ attempts \(\d+(?:\.\d+)?ms\): )?\[([A-Z_]+)\] /;

/**
 * The {@link PresenceErrorCode} of a rejection, from the error itself or from
 * the message a client received (`reject.message`, an `error` frame, or the
 * frame object itself).
 *
 * @example
 * ```ts
 * import { presenceErrorCode } from '@absolutejs/sync-pack-presence';
 *
 * // What a client does with the `message` of a `reject` frame.
 * const nextStep = (message: string): 'heartbeat' | 'stop' | 'report' => {
 *   const code = presenceErrorCode(message);
 *   if (code === 'NOT_PRESENT') return 'heartbeat'; // the row expired: join again
 *   if (code === 'CHANNEL_DENIED') return 'stop'; // retrying cannot help
 *   return 'report';
 * };
 * console.log(nextStep('[NOT_PRESENT] The presence row was removed before the patch landed: send a heartbeat first.')); // "heartbeat"
 * ```
 *
 * @param errorOrMessage - a thrown error, a message string, or any object with a string `message`
 * @returns the code, or `undefined` when the message does not start with a known one
 */
export const presenceErrorCode = (errorOrMessage: unknown): PresenceErrorCode | undefined => {
  if (errorOrMessage instanceof PresenceError) return errorOrMessage.code;
  const message =
    typeof errorOrMessage === 'string'
      ? errorOrMessage
      : typeof errorOrMessage === 'object' && errorOrMessage !== null && typeof (errorOrMessage as { message?: unknown }).message === 'string'
        ? (errorOrMessage as { message: string }).message
        : undefined;
  const code = message === undefined ? undefined : LEADING_CODE.exec(message)?.[1];
  return code !== undefined && Object.hasOwn(PRESENCE_ERROR_CODES, code) ? (code as PresenceErrorCode) : undefined;
};

/** Why `createPresencePack` refused its config. */
export type PresenceConfigErrorCode =
  | 'INVALID_PREFIX'
  | 'INVALID_TTL'
  | 'INVALID_CRON'
  | 'INVALID_LIMIT'
  | 'INVALID_OPTION'
  | 'INVALID_STORE';

/** A config the pack cannot run with; thrown by the factory. */
export class PresenceConfigError extends Error {
  /** Stable machine-readable reason. */
  readonly code: PresenceConfigErrorCode;

  /**
   * Creates the error; its `message` is `[<code>] <message>`, like a {@link PresenceError}'s.
   * @param code - stable reason
   * @param message - which key is wrong and what it accepts
   */
  constructor(code: PresenceConfigErrorCode, message: string) {
    super(withCode(code, message));
    this.name = 'PresenceConfigError';
    this.code = code;
  }
}
