// The real sync client's handle must fit the presence client's handle type
// without a cast. These are transcriptions of `SyncCollectionHandle<T>`,
// `SyncCollectionState<T>` and `MutateOptions<T>` from @absolutejs/sync's
// src/client/syncClient.ts and syncCollection.ts (2.16), which cannot be
// installed here; a type error in this file fails `npm run typecheck`.
import { describe, expect, expectTypeOf, test } from 'vitest';
import type { PresenceCollectionHandle } from '../../src/client/index.js';
import type { PresenceRow } from '../../src/index.js';

type RowKey = string | number | bigint;
type SyncCollectionStatus = 'connecting' | 'ready' | 'closed';
type SyncCollectionState<T> = { data: T[]; status: SyncCollectionStatus; error: unknown };
type OptimisticDraft<T> = { set: (row: T) => void; delete: (key: RowKey) => void };
type MutateOptions<T> = { name: string; args?: unknown; optimistic?: (draft: OptimisticDraft<T>) => void };
type SyncCollectionHandle<T> = {
  get: () => SyncCollectionState<T>;
  subscribe: (listener: (state: SyncCollectionState<T>) => void) => () => void;
  mutate: <R = unknown>(options: MutateOptions<T>) => Promise<R>;
  close: () => void;
};

describe('the real client handle', () => {
  test('fits PresenceCollectionHandle for any row type, typed or not', () => {
    expectTypeOf<SyncCollectionHandle<PresenceRow>>().toExtend<PresenceCollectionHandle>();
    expectTypeOf<SyncCollectionHandle<unknown>>().toExtend<PresenceCollectionHandle>();
    expectTypeOf<SyncCollectionHandle<{ id: string }>>().toExtend<PresenceCollectionHandle>();
    const accept = (handle: PresenceCollectionHandle): string => handle.get().status;
    const real: SyncCollectionHandle<unknown> = {
      get: () => ({ data: [], status: 'ready', error: undefined }),
      subscribe: () => () => undefined,
      mutate: () => Promise.reject(new Error('offline')),
      close: () => undefined,
    };
    expect(accept(real)).toBe('ready');
  });
});
