/**
 * The engine's error classes, with the names and the messages, word for word,
 * that the real engine (2.16) gives: hosts match on these texts. Anything
 * else a pack throws propagates unchanged.
 *
 * @module
 */

/** A collection/mutation `authorize` or a write rule returned falsy. */
export class UnauthorizedError extends Error {
  /** What was refused, e.g. `run mutation "x"` or `insert on table "t"`. */
  readonly action: string;

  /**
   * Builds the `Not authorized: <action>` error.
   *
   * @param action - what was refused
   */
  constructor(action: string) {
    super(`Not authorized: ${action}`);
    this.name = 'UnauthorizedError';
    this.action = action;
  }
}

/** A schema field validator rejected a write payload. */
export class SchemaError extends Error {
  /** The table whose schema rejected the payload. */
  readonly table: string;
  /** The first field whose validator returned false. */
  readonly field: string;

  /**
   * Builds the `Schema violation on "<table>": invalid field "<field>"` error.
   *
   * @param table - the table written to
   * @param field - the rejected field
   */
  constructor(table: string, field: string) {
    super(`Schema violation on "${table}": invalid field "${field}"`);
    this.name = 'SchemaError';
    this.table = table;
    this.field = field;
  }
}

/** `registerPack` found one of the pack's tables already owned by another pack. */
export class PackTableConflictError extends Error {
  /** The contested table. */
  readonly table: string;
  /** The pack that owns it. */
  readonly existingPack: string;
  /** The pack that tried to claim it. */
  readonly newPack: string;

  /**
   * Builds `Pack "<new>" claims table "<t>", but "<owner>" already owns it. Use a tablePrefix on one of them.`
   *
   * @param table - the contested table
   * @param existingPack - its current owner
   * @param newPack - the pack being registered
   */
  constructor(table: string, existingPack: string, newPack: string) {
    super(`Pack "${newPack}" claims table "${table}", but "${existingPack}" already owns it. Use a tablePrefix on one of them.`);
    this.name = 'PackTableConflictError';
    this.table = table;
    this.existingPack = existingPack;
    this.newPack = newPack;
  }
}

/** `registerPack` with `requireDependencies` found a read table without a reader. */
export class PackMissingDependencyError extends Error {
  /** The pack being registered. */
  readonly pack: string;
  /** The `readsTables` entry with no registered reader. */
  readonly missingTable: string;

  /**
   * Builds the error naming the pack, the table and the `registerReader` call that fixes it.
   *
   * @param pack - the pack being registered
   * @param missingTable - the table nobody registered a reader for
   */
  constructor(pack: string, missingTable: string) {
    super(
      `Pack "${pack}" requires a reader for table "${missingTable}" but none is registered. ` +
        `Call engine.registerReader("${missingTable}", ...) before engine.registerPack.`,
    );
    this.name = 'PackMissingDependencyError';
    this.pack = pack;
    this.missingTable = missingTable;
  }
}

/** A retried mutation or schedule stopped after more than one attempt. */
export class RetriesExhaustedError extends Error {
  /** How many attempts ran (always at least 2). */
  readonly attempts: number;
  /** Milliseconds from the first attempt to the last failure, on the engine's clock. */
  readonly elapsedMs: number;
  /** The error of the last attempt. */
  override readonly cause: unknown;

  /**
   * Wraps the last attempt's error, keeping it as `cause`:
   * `retries exhausted after <n> attempts (<ms>ms): <cause message>`.
   *
   * @param attempts - attempts that ran
   * @param elapsedMs - time spent, on the engine's clock
   * @param cause - the last attempt's error
   */
  constructor(attempts: number, elapsedMs: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`retries exhausted after ${attempts} attempts (${elapsedMs}ms): ${reason}`, { cause });
    this.name = 'RetriesExhaustedError';
    this.attempts = attempts;
    this.elapsedMs = elapsedMs;
    this.cause = cause;
  }
}

/**
 * A `subscribe` or `hydrate` whose `AbortSignal` fired before it finished;
 * named `AbortError` like the DOM's.
 */
export class AbortError extends Error {
  /**
   * Builds the error from the signal's reason: its message if an `Error`, the
   * string if a string, else `Aborted`.
   *
   * @param reason - the signal's `reason`
   */
  constructor(reason: unknown) {
    super(reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'Aborted');
    this.name = 'AbortError';
  }
}

/**
 * Throws {@link AbortError} when `signal` has fired.
 *
 * @param signal - the caller's signal, if any
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}
