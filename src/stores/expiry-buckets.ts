/**
 * The expiry index of the memory store: entries grouped in buckets by their
 * exact `expiresAt`, each bucket a list of entries linked through the entries
 * themselves, and a min-heap of bucket keys to find the earliest bucket.
 *
 * Why not a heap of entries: a renewal moves an entry to the bucket of
 * `now + ttl`, which every heartbeat of the same millisecond shares. Unlinking
 * touches the entry's two list neighbours and linking touches the bucket just
 * used, so a renewal costs O(1) and a handful of memory reads whatever the
 * store's size, where re-sifting a heap of a million entries walks cold memory.
 * The key heap holds one key per distinct expiry (a few thousand), not one per row.
 *
 * @module
 */
import { KeyHeap } from './key-heap.js';

/** What the index orders: anything with an expiry that can be linked to others of its kind. */
export interface ExpiryEntry<Self> {
  /** The ordering key; change it only through {@link ExpiryBuckets.move}. */
  expiresAt: number;
  /** The previous entry of the same bucket, `null` at its head. */
  prev: Self | null;
  /** The next entry of the same bucket, `null` at its tail. */
  next: Self | null;
}

/**
 * One bucket: the ends of a list of entries with the same `expiresAt`. Entries
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

/** Entries by expiry, with O(1) insert, move and removal and amortised O(1) earliest lookup. */
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
    const bucket = this.#buckets.get(entry.expiresAt);
    if (bucket === undefined) {
      this.#buckets.set(entry.expiresAt, { head: entry, tail: entry });
      this.#pushKey(entry.expiresAt);
      return;
    }
    entry.prev = bucket.tail;
    bucket.tail.next = entry;
    bucket.tail = entry;
  }

  /** Unlinks an entry; its bucket goes when it was the last one in it. */
  remove(entry: Entry): void {
    const { prev, next } = entry;
    if (prev !== null) prev.next = next;
    if (next !== null) next.prev = prev;
    // Only an entry at an end of its list needs its bucket.
    if (prev === null || next === null) {
      const bucket = this.#buckets.get(entry.expiresAt)!;
      if (prev === null && next === null) this.#buckets.delete(entry.expiresAt);
      else if (prev === null) bucket.head = next!;
      else bucket.tail = prev;
    }
    entry.prev = null;
    entry.next = null;
  }

  /** Sets an entry's `expiresAt` and moves it to that bucket. */
  move(entry: Entry, expiresAt: number): void {
    this.remove(entry);
    entry.expiresAt = expiresAt;
    this.add(entry);
  }

  /** An entry with the earliest `expiresAt`, if any. */
  first(): Entry | undefined {
    for (let key = this.#keys.peek(); key !== undefined; key = this.#keys.peek()) {
      const bucket = this.#buckets.get(key);
      // Buckets always hold an entry: the last one to leave deletes it.
      if (bucket !== undefined) return bucket.head;
      this.#keys.pop();
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
