/**
 * The reference model of a presence store: a `Map` and linear scans, written
 * from the normative rules alone (never from `src/machine.ts`), so that a
 * disagreement between the two is evidence, not an echo.
 *
 * The rules, once:
 * - an incoming row's fields win iff its `heartbeatAt >= stored.heartbeatAt`
 *   (last writer wins; ties go to the newcomer);
 * - `expiresAt` becomes the larger of the stored and incoming values, whoever wins;
 * - `update` touches only stored ids; `remove` drops one id;
 * - a row is live at `now` iff `expiresAt > now`; expired means `expiresAt <= now`.
 *
 * @module
 */
import type { PresenceRow } from '../src/row.js';

/**
 * A deep copy, so nothing handed in or out aliases the model's own rows. A
 * state is JSON, so a JSON round trip copies it exactly (and faster than
 * `structuredClone`, which matters when a run holds a thousand-member crowd).
 */
const copy = (row: PresenceRow): PresenceRow => ({ ...row, state: JSON.parse(JSON.stringify(row.state)) as PresenceRow['state'] });

/** The merge rule for a write onto a stored row. */
export const lastWriterWins = (stored: PresenceRow, incoming: PresenceRow): PresenceRow => {
  const winner = incoming.heartbeatAt >= stored.heartbeatAt ? incoming : stored;
  return { ...copy(winner), expiresAt: Math.max(stored.expiresAt, incoming.expiresAt) };
};

/** A deliberately naive, obviously correct presence store model. */
export class PresenceModel {
  private readonly byId = new Map<string, PresenceRow>();

  /** The stored row with this id, or `undefined`. */
  get(id: string): PresenceRow | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : copy(row);
  }

  /** The stored row itself, not a copy: for comparisons that never hand it out. */
  peek(id: string): Readonly<PresenceRow> | undefined {
    return this.byId.get(id);
  }

  /** Inserts or merges last-writer-wins; returns the stored row. */
  upsert(row: PresenceRow): PresenceRow {
    const stored = this.byId.get(row.id);
    const next = stored === undefined ? copy(row) : lastWriterWins(stored, row);
    this.byId.set(row.id, next);
    return copy(next);
  }

  /** Merges into a stored row; a missing id stays missing. */
  update(row: PresenceRow): PresenceRow | undefined {
    return this.byId.has(row.id) ? this.upsert(row) : undefined;
  }

  /** Drops one id; returns what was there. */
  remove(id: string): PresenceRow | undefined {
    const row = this.get(id);
    this.byId.delete(id);
    return row;
  }

  /** The live rows of one scope and channel. */
  channel(scope: string, channel: string, now: number): PresenceRow[] {
    return this.where((row) => row.scope === scope && row.channel === channel && row.expiresAt > now);
  }

  /** The rows a sweep at `now` may remove. */
  expired(now: number): PresenceRow[] {
    return this.where((row) => row.expiresAt <= now);
  }

  /** Every stored row. */
  rows(): PresenceRow[] {
    return this.where(() => true);
  }

  /** Copies of the stored rows that pass `test` (filtered first: a crowded model holds thousands). */
  private where(test: (row: PresenceRow) => boolean): PresenceRow[] {
    return [...this.byId.values()].filter(test).map(copy);
  }

  /** Forgets everything and holds exactly these rows (keyed by the id they were read under). */
  reset(entries: Iterable<readonly [string, PresenceRow]>): void {
    this.byId.clear();
    for (const [id, row] of entries) this.byId.set(id, copy(row));
  }
}
