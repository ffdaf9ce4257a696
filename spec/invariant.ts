/**
 * What an invariant is, and what it takes to check one against a store. The
 * catalog (`invariants.ts`) composes these from one module per family.
 *
 * @module
 */
import type { PresenceStore } from '../src/store.js';

/** How binding an invariant is: a `MUST` failure fails certification, a `SHOULD` failure is reported only. */
export type InvariantLevel = 'MUST' | 'SHOULD';

/** One normative rule with a stable id that reports and docs cite. */
export interface Invariant {
  /** Stable id, `FAMILY-RULE` (`STORE-LWW`, `PACK-SCOPE`). Never reused for another rule. */
  readonly id: string;
  /** Whether a failure fails certification. */
  readonly level: InvariantLevel;
  /** One line, used as the test name. */
  readonly title: string;
  /** The rule in full, as a store author needs it. */
  readonly description: string;
}

/** Makes a fresh, empty store; each call must return a store that shares nothing with the others. */
export type StoreFactory<Store extends PresenceStore = PresenceStore> = () => Store | Promise<Store>;

/**
 * The store under certification: how to make one and how to dispose of it.
 * `Store` is your store's own type, so `destroy` can call its `close()`.
 */
export interface StoreSubject<Store extends PresenceStore = PresenceStore> {
  /** A fresh, empty store. */
  create: StoreFactory<Store>;
  /** Cleanup after each run (close connections, drop tables); gets what `create` made. */
  destroy?(store: Store): void | Promise<void>;
}

/** The fast-check settings one check runs with. */
export interface CheckSettings {
  /** Seed of the pseudo-random generator. */
  seed: number;
  /** How many runs to execute. */
  numRuns: number;
  /** A counterexample path to replay instead of searching. */
  path?: string;
}

/** What one check found, before it is dressed as a report line. */
export interface CheckOutcome {
  /** Whether the property failed (or executed nothing). */
  failed: boolean;
  /** How many runs executed. */
  runs: number;
  /** The shrunk counterexample, printed. */
  counterexample?: string;
  /** The fast-check path that replays the counterexample. */
  path?: string;
  /** Why the run failed. */
  error?: string;
}

/** One invariant together with the property that checks it. */
export interface InvariantCheck<Subject> {
  /** The rule checked. */
  readonly invariant: Invariant;
  /** Runs per `numRuns` (cheap checks run more, expensive ones fewer); defaults to 1. */
  readonly weight?: number;
  /** Runs the property against the subject. */
  run(subject: Subject, settings: CheckSettings): Promise<CheckOutcome>;
}

/** A family of invariants checked against a store (one module each). */
export interface CheckFamily<Subject> {
  /** The family's name, e.g. `last-writer-wins`. */
  readonly name: string;
  /** Its invariants, in report order. */
  readonly checks: readonly InvariantCheck<Subject>[];
}

/** A family of store invariants. */
export type StoreCheckFamily = CheckFamily<StoreSubject>;

/** One store invariant with its property. */
export type StoreCheck = InvariantCheck<StoreSubject>;
