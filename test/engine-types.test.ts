// Compile-time fit with the real engine, checked by `npm run typecheck` (tsconfig
// includes test/, strict with strictFunctionTypes) before vitest runs this file.
// Every assignment below is the check; the runtime part proves the same values work.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as Contract from '../src/contract.js';
import type { PresenceLimits, PresencePackConfig } from '../src/config.js';
import { presenceNames } from '../src/names.js';
import { createPresencePack } from '../src/pack.js';
import type { PresenceRow } from '../src/row.js';
import { resolveSettings } from '../src/settings.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { presenceCleanup } from '../src/surfaces/cleanup.js';
import { presenceCollection, type PresenceParams } from '../src/surfaces/collection.js';
import { presenceMutations } from '../src/surfaces/mutations.js';
import { presencePermissions, presenceReader, presenceSchema, presenceWriter } from '../src/surfaces/tables.js';
import { createInMemoryClusterBus, createReferenceEngine, type ClusterBus, type ClusterMessage } from '../spec/engine.js';
import type * as Real from './types/engine-2.16.js';

type Ctx = { userId: string; workspaceId: string };

/** Every config key, so a key added later without a place here is a compile error. */
const limits = { maxStateBytes: 4096, maxStateDepth: 32, maxChannelLength: 64, maxSessionLength: 64, maxMembersPerChannel: 50, maxSessionsPerActor: 8 } satisfies Required<PresenceLimits>;
const everyKey = {
  prefix: 'docs_',
  getActorId: (ctx: Ctx) => ctx.userId,
  scope: (ctx: Ctx) => ctx.workspaceId,
  canAccessChannel: async (channel: string) => !channel.startsWith('private:'),
  heartbeatTtlSec: 30,
  cleanupCron: '*/15 * * * * *',
  typingTtlSec: 5,
  store: createMemoryPresenceStore(),
  now: () => 1_000_000,
  limits,
  cleanupBatchSize: 100,
  storeTimeoutMs: 2_000,
} satisfies Required<PresencePackConfig<Ctx>>;

const pack = createPresencePack<Ctx>(everyKey);

// The pack as the contract's SyncPack and as the engine's.
const asContract: Contract.SyncPack = pack;
const asReal: Real.SyncPack = pack;
// The contract's own SyncPack fits the engine's, slot by slot.
const contractFits = (contract: Contract.SyncPack): Real.SyncPack => contract;

// The reference engine, typed as the real engine: its signatures are the engine's.
const engine: Real.SyncEngine = createReferenceEngine({ instanceId: 'types' });

// Each surface, with its precise types, against the engine's definition type.
const settings = resolveSettings<Ctx>(everyKey);
const names = presenceNames(settings.prefix);
const collection: Real.CollectionDefinition<PresenceRow, PresenceParams, Ctx> = presenceCollection(settings, names);
const mutations: Real.MutationDefinition<unknown, Ctx>[] = presenceMutations(settings, names);
const cleanup: Real.ScheduleDefinition = presenceCleanup(settings, names);
const schema: Real.TableSchema<PresenceRow> = presenceSchema();
const permissions: Real.TablePermissions<PresenceRow, Ctx> = presencePermissions(settings);
const reader: Real.TableReader<unknown> = presenceReader(settings.store);
const writer: Real.TableWriter<PresenceRow, Contract.CollectionContext, unknown> = presenceWriter(settings);

describe('the pack and the reference engine fit the real engine (2.16) under strict', () => {
  it('shares the engine\'s RowKey, so a reader accepts every key the engine may pass', () => {
    expectTypeOf<Contract.RowKey>().toEqualTypeOf<Real.RowKey>();
    expectTypeOf<Contract.MutationActions>().toEqualTypeOf<Real.MutationActions>();
    expectTypeOf(reader.get).parameter(0).toEqualTypeOf<string | number | bigint>();
  });

  it('registers the pack built with every config key on an engine-typed engine, and it runs', async () => {
    engine.registerPack(asReal);
    expect(engine.inspect().packs).toEqual([
      { name: '@absolutejs/sync-pack-presence', version: '1.0.0', ownsTables: ['docs_presence'], readsTables: [] },
    ]);
    const alice: Ctx = { userId: 'alice', workspaceId: 'w1' };
    const diffs: Real.ViewDiff<unknown>[] = [];
    const sub = await engine.subscribe<PresenceRow, PresenceParams, Ctx>({
      collection: names.collection,
      params: { channel: 'doc' },
      ctx: alice,
      onDiff: (diff) => diffs.push(diff),
    });
    await engine.runMutation(names.heartbeat, { channel: 'doc', state: { name: 'Alice' } }, alice);
    expect(diffs.map((diff) => diff.added.length)).toEqual([1]);
    expect(sub.cursor).toBe('{"types":0}');
    // A bigint key, as the engine may pass one: looked up by its text, a miss here.
    expect(await asContract.readers![names.table]!.get!(10n, alice)).toBeUndefined();
    expect(contractFits(asContract)).toBe(pack);
  });

  it('has the engine\'s cluster seam: the same message and bus types, and a bus of either fits the other', async () => {
    expectTypeOf<ClusterMessage>().toEqualTypeOf<Real.ClusterMessage>();
    expectTypeOf<ClusterBus>().toEqualTypeOf<Real.ClusterBus>();
    const bus: Real.ClusterBus = createInMemoryClusterBus();
    const peer: Real.SyncEngine = createReferenceEngine({ instanceId: 'types-peer' });
    const disconnect = [await engine.connectCluster(bus), await peer.connectCluster(bus)];
    const seen: Real.ClusterMessage[] = [];
    await bus.subscribe((message) => seen.push(message));
    await engine.applyChange('t', { op: 'insert', row: { id: 'x' } });
    expect(seen).toEqual([{ origin: 'types', originVersion: 2, changes: [{ table: 't', change: { op: 'insert', row: { id: 'x' } } }] }]);
    for (const stop of disconnect) await stop();
  });

  it('builds each surface as the engine types it', () => {
    expect([collection.name, cleanup.name, ...mutations.map((m) => m.name)]).toEqual([
      'docs_presence',
      'docs_presence:cleanup',
      'docs_presence:heartbeat',
      'docs_presence:leave',
      'docs_presence:cursor',
      'docs_presence:typing',
    ]);
    expect(Object.keys(schema.fields)).toContain('expiresAt');
    expect(typeof permissions.write).toBe('function');
    expect([typeof writer.insert, typeof writer.update, typeof writer.delete]).toEqual(['function', 'function', 'function']);
  });
});
