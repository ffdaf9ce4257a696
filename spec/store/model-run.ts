/**
 * The state one model-based run carries: the model, the invariant the run is
 * certifying, and what each command observed. A command reports every
 * disagreement with the model under the invariant it breaks; the run fails
 * only on its own invariant. On any other disagreement the model adopts what
 * the store now holds, so later commands are judged on their own behaviour
 * and a store with one bug fails the invariant of that bug, not all of them.
 *
 * @module
 */
import type { PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';
import { deepEqual, show } from '../equal.js';
import { PresenceModel } from '../model.js';
import type { StoreInvariantId } from './ids.js';

/** A disagreement between store and model, attributed to the invariant it breaks. */
export interface Finding {
  /** The invariant broken. */
  readonly invariant: StoreInvariantId;
  /** What was observed and what the model says. */
  readonly message: string;
}

/** Thrown when a run observes a violation of the invariant it certifies. */
export class InvariantViolation extends Error {
  /** The invariant broken. */
  readonly invariant: string;

  /**
   * @param invariant - the invariant broken
   * @param message - what was observed and what was expected
   */
  constructor(invariant: string, message: string) {
    super(`${invariant} violated: ${message}`);
    this.name = 'InvariantViolation';
    this.invariant = invariant;
  }
}

/** Who is to blame when a stored row disagrees with the model after a command. */
export type Blame = (id: string, expected: PresenceRow | undefined, observed: PresenceRow | undefined) => StoreInvariantId;

/** The model side of a fast-check model run over a presence store. */
export class ModelRun {
  /** The reference model. */
  readonly model = new PresenceModel();
  private findings: Finding[] = [];
  /** Ids written beyond the universe's (a crowd's members): re-aligned by {@link ModelRun.adopt} too. */
  private readonly tracked = new Set<string>();

  /**
   * @param target - the invariant this run certifies; only its findings fail the run
   * @param ids - every id a command may touch (the state compared after each command)
   */
  constructor(
    readonly target: string,
    readonly ids: readonly string[],
  ) {}

  /** Adds ids a command writes beyond the universe's, so re-aligning the model covers them. */
  track(ids: Iterable<string>): void {
    for (const id of ids) this.tracked.add(id);
  }

  /** Records a disagreement. */
  flag(invariant: StoreInvariantId, message: string): void {
    this.findings.push({ invariant, message });
  }

  /**
   * Compares the stored rows of `ids` with the model, blames each difference,
   * then throws if the target invariant was broken, or re-aligns the model if
   * another one was.
   */
  async settle(store: PresenceStore, command: string, blame: Blame, ids: readonly string[] = this.ids): Promise<void> {
    for (const id of ids) {
      const observed = await store.get(id);
      const expected = this.model.peek(id);
      if (!deepEqual(observed, expected)) {
        this.flag(blame(id, expected, observed), `afterwards get(${id}) is ${show(observed)}, expected ${show(expected)}`);
      }
    }
    const broken = this.findings.filter((finding) => finding.invariant === this.target);
    if (broken.length > 0) {
      throw new InvariantViolation(this.target, `${command}: ${broken.map((finding) => finding.message).join('; ')}`);
    }
    if (this.findings.length > 0) await this.adopt(store);
    this.findings = [];
  }

  /** Makes the model hold exactly what the store holds for the run's ids. */
  async adopt(store: PresenceStore): Promise<void> {
    const entries: [string, PresenceRow][] = [];
    for (const id of new Set([...this.ids, ...this.tracked])) {
      const row = await store.get(id);
      if (row !== undefined) entries.push([id, row]);
    }
    this.model.reset(entries);
  }
}

/** Mutates a value in place, everywhere: numbers change, objects and arrays gain an entry. */
export const vandalize = (value: unknown): void => {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach(vandalize);
    value.push('vandal');
    return;
  }
  const record = value as Record<string, unknown>;
  for (const [key, inner] of Object.entries(record)) {
    if (typeof inner === 'number') record[key] = -inner - 1;
    else vandalize(inner);
  }
  record['vandal'] = true;
};
