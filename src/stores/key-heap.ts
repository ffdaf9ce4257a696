/**
 * A binary min-heap of plain numbers: the bucket keys of the expiry index.
 * Numbers live in the heap array itself, so ordering touches no other object.
 *
 * @module
 */

/** A min-heap of numbers; duplicates allowed. */
export class KeyHeap {
  #keys: number[] = [];

  /** How many keys it holds, duplicates included. */
  get size(): number {
    return this.#keys.length;
  }

  /** The smallest key, if any. */
  peek(): number | undefined {
    return this.#keys[0];
  }

  /** Adds a key in O(log n). */
  push(key: number): void {
    const keys = this.#keys;
    let index = keys.length;
    keys.push(key);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[index] = keys[parent]!;
      index = parent;
    }
    keys[index] = key;
  }

  /** Removes the smallest key in O(log n). */
  pop(): void {
    const keys = this.#keys;
    const last = keys.pop();
    if (last === undefined || keys.length === 0) return;
    this.#sink(0, last);
  }

  /** Replaces the contents with `keys` in O(n). */
  reset(keys: Iterable<number>): void {
    this.#keys = [...keys];
    for (let index = (this.#keys.length >> 1) - 1; index >= 0; index--) this.#sink(index, this.#keys[index]!);
  }

  /** Places `key` at `start` or below, moving smaller children up. */
  #sink(start: number, key: number): void {
    const keys = this.#keys;
    let index = start;
    for (;;) {
      let child = index * 2 + 1;
      if (child >= keys.length) break;
      if (child + 1 < keys.length && keys[child + 1]! < keys[child]!) child++;
      if (keys[child]! >= key) break;
      keys[index] = keys[child]!;
      index = child;
    }
    keys[index] = key;
  }
}
