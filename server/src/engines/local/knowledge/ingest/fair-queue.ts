/**
 * Items queued per key (a vector store), taken round-robin across keys: each key in turn gives
 * its oldest item, so a small file added to one store is not queued behind a large batch loading
 * into another. Within a key, first in, first out. Pure; the ingestion queue holds one per lane.
 */
export class FairQueue<Item> {
  private readonly lanes = new Map<string, Item[]>();
  /** Keys with items, in the order they are served; the key just served goes to the back. */
  private readonly rotation: string[] = [];

  get size(): number {
    let total = 0;
    for (const lane of this.lanes.values()) total += lane.length;
    return total;
  }

  /** Queues `item` last in its key's lane. */
  push(key: string, item: Item): void {
    this.laneOf(key).push(item);
  }

  /** Queues `item` first in its key's lane (a job resumed where it stopped keeps its place). */
  unshift(key: string, item: Item): void {
    this.laneOf(key).unshift(item);
  }

  /** The oldest item of the key whose turn it is; that key then waits for every other key. */
  shift(): Item | undefined {
    const key = this.rotation.shift();
    if (key === undefined) return undefined;
    const lane = this.lanes.get(key) ?? [];
    const item = lane.shift();
    if (lane.length > 0) this.rotation.push(key);
    else this.lanes.delete(key);
    return item;
  }

  some(predicate: (item: Item) => boolean): boolean {
    for (const lane of this.lanes.values()) if (lane.some(predicate)) return true;
    return false;
  }

  clear(): void {
    this.lanes.clear();
    this.rotation.length = 0;
  }

  private laneOf(key: string): Item[] {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = [];
      this.lanes.set(key, lane);
      this.rotation.push(key);
    }
    return lane;
  }
}
