/**
 * Typed errors: every rejection carries a stable `code` and a message that
 * says what to fix.
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

/**
 * A rejected presence operation. The store is unchanged, except after
 * `STORE_TIMEOUT`: the store did not answer within its deadline, so the call
 * may still land (outcome unknown); every presence write is safe to retry.
 */
export class PresenceError extends Error {
  /** Stable machine-readable reason. */
  readonly code: PresenceErrorCode;

  /**
   * Creates the error.
   * @param code - stable reason
   * @param message - what went wrong and what to fix
   * @param options - the underlying cause, if any
   */
  constructor(code: PresenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PresenceError';
    this.code = code;
  }
}

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
   * Creates the error.
   * @param code - stable reason
   * @param message - which key is wrong and what it accepts
   */
  constructor(code: PresenceConfigErrorCode, message: string) {
    super(message);
    this.name = 'PresenceConfigError';
    this.code = code;
  }
}
