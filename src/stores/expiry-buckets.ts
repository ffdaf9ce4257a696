/**
 * The expiry index of the memory store: entries filed in buckets by an
 * expiry, each bucket a list of entries linked through the entries
 * themselves, and a min-heap of bucket keys to find the earliest bucket.
 *
 * Why not a heap of entries: re-sifting a heap of a million entries on every
 * renewal walks cold memory. Here the key heap holds one key per distinct
 * filing (a few thousand), not one per row.
 *
 * Why renewals re-file lazily: an expiry only grows, so a renewal only writes
 * the entry's `expiresAt` and leaves it in the bucket it was filed under
 * (`filedAt <= expiresAt`, always). Unlinking it would read its two list
 * neighbours and linking it the target bucket's tail, each a cache miss at a
 * million rows. {@link ExpiryBuckets.expired} re-files a stale entry (one
 * whose `expiresAt` grew past its bucket) when it reaches that bucket, so an
 * entry is re-filed at most once per filing, however often it was renewed:
 * amortised O(1) per renewal, paid by the sweep. Every entry is in exactly
 * one bucket at all times, so the index never holds more than one filing per
 * entry (no log of renewals to compact).
 *
 * @module
 */
import { KeyHeap } from './key-heap.js';

/** What the index orders: anything with an expiry that can be linked to others of its kind. */
export interface ExpiryEntry<Self> {
  /** The ordering key; after {@link ExpiryBuckets.add} it may only grow (see {@link ExpiryBuckets.extend}). */
  expiresAt: number;
  /** The key of the bucket the entry is linked in; set by the index, never above `expiresAt`. */
  filedAt: number;
  /** The previous entry of the same bucket, `null` at its head. */
  prev: Self | null;
  /** The next entry of the same bucket, `null` at its tail. */
  next: Self | null;
}

/**
 * One bucket: the ends of a list of entries filed under the same key. Entries
 * point only at entries, never at a bucket: a bucket is young when entries
 * join it, and an old entry pointing at a young object is work for every
 * minor GC until that object is promoted.
 */
interface Bucket<Entry> {
  head: Entry;
  tail: Entry;
}

/** A stale key (its bucket emptied) is dropped lazily; past this slack the key heap is rebuilt. */
const SLACK = 64;

/**
 * Entries by expiry: O(1) insert, removal and renewal; {@link ExpiryBuckets.expired} finds
 * an earliest expired entry in amortised O(1) plus O(log b) per bucket it
 * empties, and re-files the stale entries it passes.
 */
export class ExpiryBuckets<Entry extends ExpiryEntry<Entry>> {
  readonly #buckets = new Map<number, Bucket<Entry>>();
  /** Keys of every bucket, plus stale keys of buckets emptied since. */
  readonly #keys = new KeyHeap();

  /** Keys the heap holds, stale ones included: at most twice the buckets plus a small slack. */
  get keyCount(): number {
    return this.#keys.size;
  }

  /** Links an entry that is in no bucket into the bucket of its `expiresAt`, at the tail. */
  add(entry: Entry): void {
    const key = entry.expiresAt;
    entry.filedAt = key;
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      this.#buckets.set(key, { head: entry, tail: entry });
      this.#pushKey(key);
      return;
    }
    entry.prev = bucket.tail;
    bucket.tail.next = entry;
    bucket.tail = entry;
  }

  /** Unlinks an entry from the bucket it is filed under; the bucket goes when it was the last one in it. */
  remove(entry: Entry): void {
    const { prev, next } = entry;
    if (prev !== null) prev.next = next;
    if (next !== null) next.prev = prev;
    // Only an entry at an end of its list needs its bucket.
    if (prev === null || next === null) {
      const bucket = this.#buckets.get(entry.filedAt)!;
      if (prev === null && next === null) this.#buckets.delete(entry.filedAt);
      else if (prev === null) bucket.head = next!;
      else bucket.tail = prev;
    }
    entry.prev = null;
    entry.next = null;
  }

  /**
   * Raises an entry's `expiresAt` (a lower one is ignored: expiries only
   * grow). It stays in its bucket, which touches nothing but the entry;
   * {@link ExpiryBuckets.expired} re-files it if it is still stale when that bucket comes due.
   */
  extend(entry: Entry, expiresAt: number): void {
    if (expiresAt > entry.expiresAt) entry.expiresAt = expiresAt;
  }

  /**
   * An entry with the earliest `expiresAt`, if that is at most `now`
   * (`Infinity` finds the earliest of all). Each stale entry at the head of a
   * due bucket is re-filed under its `expiresAt` on the way, so one call may
   * re-file many entries: at most the entries filed under keys up to `now`
   * (or below the answer) that were renewed since, each once per filing.
   */
  expired(now: number): Entry | undefined {
    for (let key = this.#keys.peek(); key !== undefined && key <= now; key = this.#keys.peek()) {
      const bucket = this.#buckets.get(key);
      // Buckets always hold an entry: the last one to leave deletes it.
      if (bucket === undefined) {
        this.#keys.pop();
        continue;
      }
      const head = bucket.head;
      // Filed where it expires: no entry expires earlier (every filing is at most its expiry).
      if (head.expiresAt === key) return head;
      this.remove(head);
      this.add(head);
    }
    return undefined;
  }

  #pushKey(key: number): void {
    // Without sweeps nothing pops stale keys; rebuilding keeps the heap within
    // twice the live buckets (amortised O(1) per push).
    if (this.#keys.size >= 2 * this.#buckets.size + SLACK) this.#keys.reset(this.#buckets.keys());
    else this.#keys.push(key);
  }
}
