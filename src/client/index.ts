/**
 * `@absolutejs/sync-pack-presence/client`: presence in the browser, on a
 * collection handle of `@absolutejs/sync/client`. It keeps the lease (a
 * heartbeat loop derived from the pack's TTL, with the page's visibility and
 * network in mind), one session per tab, leaves when the tab goes, coalesces
 * cursor moves, and serves a members view judged by the server's clock.
 *
 * No runtime dependency: it imports only the pack's row type, names, typing
 * rule and error-code parser.
 *
 * @example
 * ```ts
 * import { createPresenceClient, type PresenceCollectionHandle } from '@absolutejs/sync-pack-presence/client';
 *
 * // `sync` is `createSyncClient({ url: 'wss://example.com/sync/ws' })` from '@absolutejs/sync/client'.
 * declare const sync: { collection(options: { collection: string; params: unknown }): PresenceCollectionHandle };
 *
 * const channel = 'doc:42';
 * const presence = createPresenceClient({
 *   handle: sync.collection({ collection: 'presence', params: { channel } }),
 *   channel,
 *   state: { name: 'Ada' },
 *   heartbeatTtlSec: 30, // the pack's
 * });
 * presence.moveCursor({ x: 10, y: 20 });
 * presence.subscribe(() => console.log(presence.get().members.map((m) => `${m.actorId}${m.isSelf ? ' (you)' : ''}`)));
 * ```
 *
 * In React, the view plugs into `useSyncExternalStore` as it is:
 *
 * ```tsx
 * import { useEffect, useState, useSyncExternalStore } from 'react';
 *
 * function usePresence(sync: SyncClient, channel: string, name: string) {
 *   const [presence] = useState(() =>
 *     createPresenceClient({ handle: sync.collection({ collection: 'presence', params: { channel } }), channel, state: { name } }),
 *   );
 *   useEffect(() => () => presence.dispose(), [presence]);
 *   return [useSyncExternalStore(presence.subscribe, presence.get), presence] as const;
 * }
 *
 * function Avatars({ sync }: { sync: SyncClient }) {
 *   const [view, presence] = usePresence(sync, 'doc:42', 'Ada');
 *   return (
 *     <ul onPointerMove={(e) => presence.moveCursor({ x: e.clientX, y: e.clientY })}>
 *       {view.members.map((m) => <li key={m.id}>{String(m.state.name)}{m.isSelf ? ' (you)' : ''}{m.isTyping ? ' …' : ''}</li>)}
 *     </ul>
 *   );
 * }
 * ```
 *
 * @module @absolutejs/sync-pack-presence/client
 */
export {
  createPresenceClient,
  type PresenceClient,
  type PresenceClientOptions,
  type PresenceClientError,
  type PresenceOperation,
  type PresenceView,
} from './client.js';
export type { PresenceMember } from './members.js';
export type { CollectionSnapshot, MutationCall, PresenceCollectionHandle } from './handle.js';
export {
  browserEnvironment,
  type PresenceEnvironment,
  type PresenceDocument,
  type PresenceEventTarget,
  type PresenceStorage,
  type TimerHandle,
} from './environment.js';
export { heartbeatDelay } from './cadence.js';
export type { PresenceErrorCode } from '../errors.js';
export type { PresenceState, JsonValue } from '../row.js';
