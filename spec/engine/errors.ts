/**
 * The engine's error classes, with the names and messages pack authors see
 * (ENGINE_CONTRACT.md §9). Anything else a pack throws propagates unchanged.
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
   * Builds an error naming both packs and suggesting a table prefix.
   *
   * @param table - the contested table
   * @param existingPack - its current owner
   * @param newPack - the pack being registered
   */
  constructor(table: string, existingPack: string, newPack: string) {
    super(
      `Pack "${newPack}" cannot own table "${table}": it is already owned by pack "${existingPack}". ` +
        'Give one of the packs a tablePrefix so their tables do not collide.',
    );
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
   * Builds an error naming the pack and the table it lacks a reader for.
   *
   * @param pack - the pack being registered
   * @param missingTable - the table nobody registered a reader for
   */
  constructor(pack: string, missingTable: string) {
    super(
      `Pack "${pack}" reads table "${missingTable}" but no reader is registered for it. ` +
        'Register the pack that owns it (or a reader) first.',
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
   * Wraps the last attempt's error, keeping it as `cause`.
   *
   * @param attempts - attempts that ran
   * @param elapsedMs - time spent, on the engine's clock
   * @param cause - the last attempt's error
   */
  constructor(attempts: number, elapsedMs: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Gave up after ${attempts} attempts in ${elapsedMs} ms: ${reason}`, { cause });
    this.name = 'RetriesExhaustedError';
    this.attempts = attempts;
    this.elapsedMs = elapsedMs;
    this.cause = cause;
  }
}
