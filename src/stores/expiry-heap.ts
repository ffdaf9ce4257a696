/**
 * An indexed binary min-heap of entries ordered by `expiresAt`. Each entry
 * remembers its own position, so a renewal re-sifts it in place (O(log n))
 * instead of leaving a stale copy behind: one heap slot per stored row.
 *
 * @module
 */

/** What the heap orders: anything with an expiry and a slot for its index. */
export interface HeapEntry {
  /** The ordering key. */
  expiresAt: number;
  /** Current index in the heap; maintained by the heap, -1 when out of it. */
  heapIndex: number;
}

/** A min-heap by `expiresAt` supporting in-place key changes and removal. */
export class ExpiryHeap<Entry extends HeapEntry> {
  readonly #items: Entry[] = [];

  /** The entry expiring first, if any. */
  peek(): Entry | undefined {
    return this.#items[0];
  }

  /** Adds an entry. */
  push(entry: Entry): void {
    entry.heapIndex = this.#items.length;
    this.#items.push(entry);
    this.#up(entry.heapIndex);
  }

  /** Restores order after the entry's `expiresAt` changed. */
  reorder(entry: Entry): void {
    this.#down(this.#up(entry.heapIndex));
  }

  /** Removes an entry wherever it is. */
  remove(entry: Entry): void {
    const index = entry.heapIndex;
    const last = this.#items.pop() as Entry;
    entry.heapIndex = -1;
    if (last === entry) return;
    this.#items[index] = last;
    last.heapIndex = index;
    this.reorder(last);
  }

  #up(start: number): number {
    const items = this.#items;
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]!.expiresAt <= items[index]!.expiresAt) break;
      this.#swap(index, parent);
      index = parent;
    }
    return index;
  }

  #down(start: number): void {
    const items = this.#items;
    let index = start;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < items.length && items[left]!.expiresAt < items[smallest]!.expiresAt) smallest = left;
      if (right < items.length && items[right]!.expiresAt < items[smallest]!.expiresAt) smallest = right;
      if (smallest === index) return;
      this.#swap(index, smallest);
      index = smallest;
    }
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    const first = items[a]!;
    const second = items[b]!;
    items[a] = second;
    items[b] = first;
    first.heapIndex = b;
    second.heapIndex = a;
  }
}
