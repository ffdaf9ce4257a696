/**
 * The README's quick start, runnable: `npx tsx examples/quick-start.ts`.
 *
 * It runs on the spec kit's reference engine, which has the same
 * `registerPack`, `subscribe`, `runMutation` and `runSchedule` as
 * `@absolutejs/sync`'s engine; in an app, swap `createReferenceEngine(...)`
 * for `createSyncEngine()` from `@absolutejs/sync/engine`. The clock is a
 * variable so the run is the same every time; in an app, leave `now` out.
 *
 * @module
 */
import { createPresencePack, type PresenceRow } from '@absolutejs/sync-pack-presence';
import { createReferenceEngine, type ViewDiff } from '@absolutejs/sync-pack-presence/spec';

/** What the engine hands your resolvers: here a session with a user and a workspace. */
type AppContext = { session: { userId: string; workspaceId: string } };

/** Your own channel rule: who may open which document. */
const mayOpen = (userId: string, channel: string): boolean => channel !== 'doc:secret' || userId === 'ada';

let time = Date.UTC(2026, 0, 1);
const now = () => time;

const engine = createReferenceEngine({ now });
const pack = createPresencePack<AppContext>({
  getActorId: (ctx) => ctx.session.userId, // who is calling (default ctx.userId)
  scope: (ctx) => ctx.session.workspaceId, // tenants never see each other
  canAccessChannel: async (channel, ctx) => mayOpen(ctx.session.userId, channel),
  now,
});
engine.registerPack(pack);

const ada: AppContext = { session: { userId: 'ada', workspaceId: 'acme' } };
const bob: AppContext = { session: { userId: 'bob', workspaceId: 'acme' } };

// Bob watches doc:42. Each diff lists the rows that entered (added), changed
// or left (removed) his view; the engine also passes the batch's version (and
// a resume cursor). The first is printed whole to show a row, the others by
// actor/session and state.
let diffs = 0;
const onDiff = (diff: ViewDiff<PresenceRow>, version: number) => {
  const who = (rows: PresenceRow[]) => rows.map((row) => `${row.actorId}/${row.sessionId} ${JSON.stringify(row.state)}`);
  diffs += 1;
  if (diffs === 1) console.log(`diff v${version}: ${JSON.stringify(diff)}`);
  else console.log(`diff v${version}: added ${JSON.stringify(who(diff.added))}, changed ${JSON.stringify(who(diff.changed))}, removed ${JSON.stringify(who(diff.removed))}`);
};
const view = await engine.subscribe<PresenceRow, { channel: string }>({ collection: pack.names.collection, params: { channel: 'doc:42' }, ctx: bob, onDiff });
console.log(`bob joins doc:42 and sees ${view.initial.length} members`);

// Client side, every ~10 s while the page is open (one session id per tab):
const tabId = 'tab-1';
await engine.runMutation(pack.names.heartbeat, { channel: 'doc:42', session: tabId, state: { name: 'Ada' } }, ada);
await engine.runMutation(pack.names.cursor, { channel: 'doc:42', session: tabId, cursor: { x: 10, y: 20 } }, ada);

// Ada closes the tab without a leave: 30 s later (heartbeatTtlSec) her row is
// invisible, and the next cleanup removes it and tells subscribers.
time += 30_000;
await engine.runSchedule(pack.names.cleanup);

// The channel rule: bob may not open doc:secret.
await engine.runMutation(pack.names.heartbeat, { channel: 'doc:secret' }, bob).catch((error: { code?: string }) => console.log(`bob on doc:secret: ${error.code}`));
view.unsubscribe();
