/** Every zoo specimen: broken stores the kit must reject, each by a named invariant. */
import { admitRace } from './admit-race.js';
import { appendOnlyExpiryIndex } from './append-only-expiry-index.js';
import { caseInsensitiveKey } from './case-insensitive-key.js';
import { emptyIsNull } from './empty-is-null.js';
import { int32TimesStore } from './int32-times.js';
import { likeChannel } from './like-channel.js';
import { nulTerminatedKey } from './nul-terminated-key.js';
import { numericAffinityKey } from './numeric-affinity.js';
import { channelResultCap, sweepResultCap } from './result-cap.js';
import { shallowStateCompare } from './shallow-state-compare.js';
import { utf8LossyKey } from './utf8-lossy-key.js';
import { utf8mb3Key } from './utf8mb3-key.js';
import { varchar255Key } from './varchar-255-key.js';
import { channelLeaksScope } from './channel-leaks-scope.js';
import { channelReturnsExpired } from './channel-returns-expired.js';
import { dropsEmptySession } from './drops-empty-session.js';
import { ignoresLww } from './ignores-lww.js';
import { latin1State } from './latin1-state.js';
import { lazyListLostTail } from './lazy-list-lost-tail.js';
import { leaksInternalObjects } from './leaks-internal-objects.js';
import { lendBytesFirstWrite, lendBytesOfLoser, lendBytesUtf16, lendScratchRow, lendStaleCache } from './lend.js';
import { lossyKey } from './lossy-key.js';
import { removeNeighbour } from './remove-neighbour.js';
import { rowsHidesExpired } from './rows-hides-expired.js';
import { shallowCopy } from './shallow-copy.js';
import { sharedMap } from './shared-map.js';
import { shrinkingExpiry } from './shrinking-expiry.js';
import type { ZooSpecimen } from './specimen.js';
import { sweepForgetsDelete } from './sweep-forgets-delete.js';
import { sweepIgnoresLimit } from './sweep-ignores-limit.js';
import { sweepStaleList } from './sweep-stale-list.js';
import { sweepStrict } from './sweep-strict.js';
import { truncatesLongStrings } from './truncates-long-strings.js';
import { updateInserts } from './update-inserts.js';
import { updateRemoveRace } from './update-remove-race.js';
import { upsertRace } from './upsert-race.js';

/** The zoo, one realistic bug per specimen. */
export const zoo: readonly ZooSpecimen[] = [
  ignoresLww,
  shrinkingExpiry,
  updateInserts,
  channelLeaksScope,
  channelReturnsExpired,
  sweepStrict,
  sweepIgnoresLimit,
  sweepForgetsDelete,
  sweepStaleList,
  removeNeighbour,
  sharedMap,
  leaksInternalObjects,
  shallowCopy,
  lossyKey,
  updateRemoveRace,
  upsertRace,
  lendScratchRow,
  lendStaleCache,
  lendBytesFirstWrite,
  lendBytesOfLoser,
  lendBytesUtf16,
  admitRace,
  latin1State,
  truncatesLongStrings,
  rowsHidesExpired,
  dropsEmptySession,
  // What real databases and drivers get wrong: collation and matching,
  likeChannel,
  caseInsensitiveKey,
  emptyIsNull,
  // coercion and encoding,
  numericAffinityKey,
  utf8LossyKey,
  nulTerminatedKey,
  utf8mb3Key,
  // column limits, precision, states that differ deep inside,
  varchar255Key,
  int32TimesStore,
  shallowStateCompare,
  // result caps and long histories.
  channelResultCap,
  sweepResultCap,
  appendOnlyExpiryIndex,
  // and the linked lists an in-process expiry index is made of.
  lazyListLostTail,
];
