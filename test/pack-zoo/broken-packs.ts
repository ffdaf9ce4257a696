// Deliberately broken presence packs, one realistic bug each, built by
// rewiring one surface of the real pack. The pack certification must reject
// every one under the invariant named beside it.
import type { CollectionDefinition, MutationActions, MutationDefinition, SyncPack } from '../../src/contract.js';
import type { PresencePackConfig } from '../../src/config.js';
import { createPresencePack, type PresencePack, type PresenceRow } from '../../src/index.js';
import { isLive, tombstoneOf } from '../../src/machine.js';
import { assemblePresencePack } from '../../src/pack.js';
import { resolveSettings } from '../../src/settings.js';
import { createViewIndex, type ViewIndex } from '../../src/view-index.js';
import { PACK } from '../../spec/pack/ids.js';

type Ctx = Record<string, unknown>;
type Handler = NonNullable<MutationDefinition<unknown, Ctx>['handler']>;

const replaceMutation = (pack: PresencePack, suffix: string, wrap: (original: Handler, pack: PresencePack) => Handler): SyncPack => ({
  ...pack,
  mutations: pack.mutations!.map((mutation) =>
    mutation.name.endsWith(suffix) ? { ...mutation, handler: wrap(mutation.handler as Handler, pack) } : mutation,
  ),
});

const replaceCollection = (pack: PresencePack, change: (collection: CollectionDefinition<PresenceRow, { channel: string }, Ctx>) => Partial<CollectionDefinition<PresenceRow, { channel: string }, Ctx>>): SyncPack => ({
  ...pack,
  collections: pack.collections!.map((collection) => ({ ...collection, ...change(collection) })),
});

type ScheduleRun = NonNullable<SyncPack['schedules']>[number]['run'];

const replaceCleanup = (pack: SyncPack, run: ScheduleRun): SyncPack => ({
  ...pack,
  schedules: pack.schedules!.map((schedule) => ({ ...schedule, run })),
});

/** Runs the pack's cleanup with its actions rewired by `wrap`, built afresh for each run (a retry included). */
const wrapCleanupActions = (pack: SyncPack, wrap: (actions: MutationActions) => MutationActions): SyncPack =>
  replaceCleanup(pack, (context) => pack.schedules![0]!.run({ ...context, actions: wrap(context.actions) }));

/** The real pack rebuilt around a view index the broken pack can reach (`fault` may rewire it). */
const overIndex = (config: PresencePackConfig, fault: (index: ViewIndex) => ViewIndex = (index) => index) => {
  const settings = resolveSettings(config);
  const index = fault(createViewIndex(settings.cleanupBatchSize));
  return { index, pack: assemblePresencePack(settings, index) };
};

/** Actions that send, for each announced `update`, the row `rewrite` returns instead (nothing for `undefined`). */
const rewriteUpdates = (rewrite: (row: PresenceRow) => PresenceRow | undefined) => (actions: MutationActions): MutationActions => ({
  ...actions,
  change: async (table, change) => {
    if (change.op !== 'update') return actions.change(table, change);
    const row = rewrite(change.row as PresenceRow);
    if (row !== undefined) await actions.change(table, { ...change, row });
  },
});

const live = (config: PresencePackConfig) => (row: PresenceRow) => row.expiresAt > config.now!();

/** A broken pack and the invariant that must catch it. */
export interface BrokenPack {
  name: string;
  caughtBy: string;
  createPack: (config: PresencePackConfig) => SyncPack;
}

export const brokenPacks: BrokenPack[] = [
  {
    // Trusting the handler, it also drops the write rule that would have stopped it.
    name: 'takes the actor from args when the client sends one',
    caughtBy: PACK.actor,
    createPack: (config) => ({
      ...replaceMutation(createPresencePack(config), ':heartbeat', (original) => (args, ctx, actions) => {
        const claimed = (args as { actorId?: unknown }).actorId;
        return original(args, claimed === undefined ? ctx : { ...ctx, userId: claimed }, actions);
      }),
      permissions: {},
    }),
  },
  {
    name: 'forgets the scope in match, hydrate and the read rule',
    caughtBy: PACK.scope,
    createPack: (config) => {
      const pack = createPresencePack(config);
      const unscoped = replaceCollection(pack, () => ({
        match: (row, params) => row.channel === params.channel && live(config)(row),
        hydrate: async (params) => (await pack.store.rows()).filter((row) => row.channel === params.channel && live(config)(row)),
      }));
      return { ...unscoped, permissions: {} };
    },
  },
  {
    name: 'hydrates with every stored row of the channel, expired ones included',
    caughtBy: PACK.expired,
    createPack: (config) => {
      const pack = createPresencePack(config);
      return replaceCollection(pack, () => ({
        hydrate: async (params, ctx) => (await pack.store.rows()).filter((row) => row.channel === params.channel && row.scope === ctx['tenant']),
      }));
    },
  },
  {
    name: 'cleans up without telling subscribers',
    caughtBy: PACK.converge,
    createPack: (config) => {
      const pack = createPresencePack(config);
      return replaceCleanup(pack, async () => void (await pack.store.sweep(config.now!())));
    },
  },
  {
    name: 'lets a cursor patch write through an expired row',
    caughtBy: PACK.semantics,
    createPack: (config) =>
      replaceMutation(createPresencePack(config), ':cursor', (original, pack) => async (args, ctx, actions) => {
        try {
          return await original(args, ctx, actions);
        } catch {
          const { channel, session, cursor } = args as { channel: string; session?: string; cursor: unknown };
          const id = JSON.stringify([ctx['tenant'], channel, ctx['userId'], session ?? '']);
          const stored = await pack.store.get(id);
          return stored && actions.insert(pack.names.table, { ...stored, state: { ...stored.state, cursor } });
        }
      }),
  },
  {
    name: 'checks the channel gate on mutations but not on subscribe',
    caughtBy: PACK.acl,
    createPack: (config) => {
      const pack = createPresencePack(config);
      // The pack's own hydrate gates params it did not authorize, so the bug reads the store directly.
      return replaceCollection(pack, () => ({
        authorize: async () => true,
        hydrate: async (params, ctx) => pack.store.channel(config.scope === undefined ? '' : String(config.scope(ctx)), params.channel, config.now!()),
      }));
    },
  },
  {
    name: 'stores any heartbeat state without validating it',
    caughtBy: PACK.input,
    createPack: (config) =>
      replaceMutation(createPresencePack(config), ':heartbeat', (original, pack) => async (args, ctx, actions: MutationActions) => {
        const { channel, state } = (args ?? {}) as { channel?: unknown; state?: unknown };
        if (typeof channel !== 'string' || state === undefined || typeof state === 'object') return original(args, ctx, actions);
        const row = await original({ channel }, ctx, actions);
        return actions.update(pack.names.table, { ...(row as PresenceRow), state });
      }),
  },
  {
    name: 'renews a row by deleting and re-inserting it',
    caughtBy: PACK.faults,
    createPack: (config) =>
      replaceMutation(createPresencePack(config), ':heartbeat', (original, pack) => async (args, ctx, actions) => {
        const { channel, session } = (args ?? {}) as { channel?: string; session?: string };
        const id = JSON.stringify([ctx['tenant'], channel, ctx['userId'], session ?? '']);
        const stored = typeof channel === 'string' ? await pack.store.get(id) : undefined;
        if (stored !== undefined) await actions.delete(pack.names.table, stored);
        return original(args, ctx, actions);
      }),
  },
  {
    name: 'cleans up like 0.3: lists the expired rows, then deletes them by id',
    caughtBy: PACK.raceCleanup,
    createPack: (config) => {
      const pack = createPresencePack(config);
      return replaceCleanup(pack, async ({ actions }) => {
        const now = config.now!();
        const expired = (await pack.store.rows()).filter((row) => row.expiresAt <= now);
        for (const row of expired) {
          await pack.store.remove(row.id);
          await actions.change(pack.names.table, { op: 'delete', row });
        }
      });
    },
  },
  {
    name: 'names its collection without the prefix',
    caughtBy: PACK.prefix,
    createPack: (config) => replaceCollection(createPresencePack(config), () => ({ name: 'presence' })),
  },
  {
    // What a pack gets wrong at its boundaries.
    name: 'ignores limits.maxMembersPerChannel (the config key is dropped on the way to the settings)',
    caughtBy: PACK.semantics,
    createPack: (config) => createPresencePack({ ...config, limits: {} }),
  },
  {
    name: 'counts members with > instead of >=, so a full channel admits one more',
    caughtBy: PACK.semantics,
    createPack: (config) => {
      const limit = config.limits?.maxMembersPerChannel;
      return createPresencePack(limit === undefined ? config : { ...config, limits: { ...config.limits, maxMembersPerChannel: limit + 1 } });
    },
  },
  {
    name: 'answers a leave with the number of members it saw instead of the number it removed',
    caughtBy: PACK.semantics,
    createPack: (config) =>
      replaceMutation(createPresencePack(config), ':leave', (original, pack) => async (args, ctx, actions) => {
        const channel = (args as { channel?: unknown } | undefined)?.channel;
        const seen = typeof channel === 'string' ? (await pack.store.channel(String(ctx['tenant']), channel, config.now!())).length : 0;
        await original(args, ctx, actions);
        return { removed: seen };
      }),
  },
  {
    // Redis `EXPIRE` takes whole seconds: a pack that rounds the lease down lets a row lapse early.
    name: 'stores expiresAt in whole seconds, rounded down, like a Redis EXPIRE',
    caughtBy: PACK.semantics,
    createPack: (config) => createPresencePack({ ...config, now: () => Math.floor(config.now!() / 1000) * 1000 }),
  },
  {
    name: 'hydrates rows with expiresAt >= now, so a row is still listed at its expiry instant',
    caughtBy: PACK.expired,
    createPack: (config) => {
      const pack = createPresencePack(config);
      return replaceCollection(pack, () => ({
        hydrate: async (params, ctx) =>
          (await pack.store.rows()).filter((row) => row.channel === params.channel && row.scope === ctx['tenant'] && row.expiresAt >= config.now!()),
      }));
    },
  },
  {
    name: 'writes a cursor or typing patch with insert (an upsert), so a patch racing a leave brings the row back',
    caughtBy: PACK.racePatchLeave,
    createPack: (config) => {
      const pack = createPresencePack(config);
      const asInsert = (original: Handler): Handler => (args, ctx, actions) => original(args, ctx, { ...actions, update: (table, row) => actions.insert(table, row) });
      return replaceMutation(replaceMutation(pack, ':cursor', asInsert) as PresencePack, ':typing', asInsert);
    },
  },
  {
    name: 'registers its cleanup without a retry policy, so one unavailable sweep fails the run',
    caughtBy: PACK.cleanupRetry,
    createPack: (config) => {
      const pack = createPresencePack(config);
      return { ...pack, schedules: pack.schedules!.map(({ retry: _retry, ...schedule }) => schedule) };
    },
  },
  {
    // The 1.0 cleanup: a removal announced only on the bus never reaches a node that missed it.
    name: 'sweeps and announces what it removed, but never reconciles its node’s views with the store',
    caughtBy: PACK.cluster,
    createPack: (config) => {
      const pack = createPresencePack(config);
      return replaceCleanup(pack, async ({ actions }) => {
        for (const row of await pack.store.sweep(config.now!(), 5000)) await actions.change(pack.names.table, { op: 'delete', row });
      });
    },
  },
  {
    name: 'retries every cleanup failure, bugs included',
    caughtBy: PACK.cleanupRetry,
    createPack: (config) => {
      const pack = createPresencePack(config);
      return { ...pack, schedules: pack.schedules!.map((schedule) => ({ ...schedule, retry: { maxAttempts: 3, isRetryable: () => true } })) };
    },
  },
  {
    // machine.ts `sameRow` → `() => true` (Stryker, pack fourth pass): versions compared by id only,
    // in the heal and in a second subscription's hydrate, so a renewal the bus lost is never healed.
    name: 'compares row versions by id only, so a node keeps a stale version after a lost renewal',
    caughtBy: PACK.cluster,
    createPack: (config) => {
      const { index, pack } = overIndex(config, (real) => ({
        ...real,
        hydrated(scope, channel, rows) {
          const before = real.watched().find((watched) => watched.scope === scope && watched.channel === channel)?.sure;
          real.hydrated(scope, channel, rows);
          for (const row of rows) if (before?.has(row.id) === true) real.hold(row);
        },
      }));
      return wrapCleanupActions(pack, (actions) => {
        // The heal refreshes only the live rows the views lack, not those they hold in another version.
        const held = new Set(index.watched().flatMap((watched) => [...watched.sure.keys()]));
        return rewriteUpdates((row) => (isLive(row, config.now!()) && held.has(row.id) ? undefined : row))(actions);
      });
    },
  },
  {
    // machine.ts `tombstoneOf` → `() => ({})`: a removal no longer tells the nodes that hear it to forget the row.
    name: 'announces a removal with an empty tombstone, so a same-millisecond rejoin the bus lost is never healed',
    caughtBy: PACK.cluster,
    createPack: (config) => {
      const empty = rewriteUpdates((row) => (row.expiresAt === tombstoneOf(row).expiresAt ? ({} as PresenceRow) : row));
      const pack = replaceMutation(createPresencePack(config), ':leave', (original) => (args, ctx, actions) => original(args, ctx, empty(actions)));
      return wrapCleanupActions(pack, empty);
    },
  },
  {
    // collection.ts `row.scope === scope && row.channel === channel` → `true`.
    name: 'forgets a row its subscription rejects even when it is another channel’s, so a lost leave leaves a ghost',
    caughtBy: PACK.cluster,
    createPack: (config) => {
      const { index, pack } = overIndex(config);
      return replaceCollection(pack, (collection) => ({
        match: (row, params, ctx) => {
          const shown = collection.match!(row, params, ctx);
          if (!shown) index.forget(row);
          return shown;
        },
      }));
    },
  },
];
