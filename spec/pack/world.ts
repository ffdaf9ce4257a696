/**
 * One certification run's world: the pack on the reference engine, a live
 * view per scope and channel, the model, and the plain store underneath (read
 * directly, so injected faults never disturb what the checks observe).
 *
 * @module
 */
import type { PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';
import type { ViewDiff } from '../engine/types.js';
import { createPresenceHarness, type PresenceHarness, type PresenceView } from '../harness.js';
import { PackModel } from './model.js';
import { CHANNELS, GATED, MODEL_SETTINGS, SCOPES, START, ctxOf, packConfig, type PackFactory, type PackLimits } from './subject.js';

/** A scope and channel a view watches. */
export interface ViewKey {
  /** The scope. */
  scope: string;
  /** The channel. */
  channel: string;
}

/** A view and how many of its diffs the checks have already looked at. */
interface WatchedView extends ViewKey {
  view: PresenceView;
  seen: number;
}

/** The pack, its views, the model and the plain store. */
export class PackWorld {
  /** What the pack should have done. */
  readonly model: PackModel;
  readonly #views: WatchedView[] = [];

  /**
   * Creates a world; call {@link PackWorld.open} before use.
   * @param harness - the pack on the reference engine
   * @param inner - the store without fault injection
   * @param limits - the limits the pack was configured with
   */
  constructor(
    readonly harness: PresenceHarness,
    readonly inner: PresenceStore,
    limits: PackLimits = {},
  ) {
    this.model = new PackModel({ ...MODEL_SETTINGS, ...limits });
  }

  /** Registers the pack on `store` (maybe fault-injected), with the limits if given, and watches every scope and channel. */
  static async open(inner: PresenceStore, store: PresenceStore, createPack: PackFactory | undefined, limits?: PackLimits): Promise<PackWorld> {
    const harness = createPresenceHarness({
      config: { ...packConfig(undefined, limits), store },
      start: START,
      ...(createPack === undefined ? {} : { createPack }),
    });
    const world = new PackWorld(harness, inner, limits);
    for (const row of await inner.rows()) world.model.rows.set(row.id, row);
    for (const scope of SCOPES) {
      for (const channel of CHANNELS) {
        const view = await harness.watch(ctxOf({ actor: GATED.actor, scope }), channel);
        world.#views.push({ scope, channel, view, seen: 0 });
      }
    }
    return world;
  }

  /** The current time. */
  get now(): number {
    return this.harness.clock.now();
  }

  /** Every row in the plain store. */
  async stored(): Promise<PresenceRow[]> {
    return [...(await this.inner.rows())];
  }

  /** Each view with the rows it holds and the diffs that arrived since the last call. */
  takeViews(): { key: ViewKey; rows: PresenceRow[]; diffs: ViewDiff<PresenceRow>[] }[] {
    return this.#views.map((watched) => {
      const diffs = watched.view.diffs.slice(watched.seen);
      watched.seen = watched.view.diffs.length;
      return { key: { scope: watched.scope, channel: watched.channel }, rows: watched.view.rows(), diffs };
    });
  }

  /** A one-shot hydrate of `key`, as a caller the gate admits. */
  members(key: ViewKey): Promise<PresenceRow[]> {
    return this.harness.members(ctxOf({ actor: GATED.actor, scope: key.scope }), key.channel);
  }

  /** Every scope and channel pair. */
  keys(): ViewKey[] {
    return SCOPES.flatMap((scope) => CHANNELS.map((channel) => ({ scope, channel })));
  }

  /** Makes the model agree with the store again, so each step is judged on its own. */
  async resync(): Promise<void> {
    this.model.rows.clear();
    for (const row of await this.stored()) this.model.rows.set(row.id, row);
  }

  /** Stops every view. */
  close(): void {
    for (const watched of this.#views) watched.view.unsubscribe();
  }
}
